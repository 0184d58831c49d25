"""Admin screens: fee schedules are configured here; bills, payments and uploads are shown
read-only, because their statuses change only through the payments services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from amanah.admin import ReadOnlyAdmin
from amanah.errors import DomainError

from .models import (
    Bill,
    BillEvent,
    FeeSchedule,
    InboundMessage,
    Payment,
    PaymentEvent,
    Receipt,
    SadadOutbox,
    SuspenseResolution,
)
from .services.fees import fee_schedule_validate


class FeeScheduleForm(forms.ModelForm):
    class Meta:
        model = FeeSchedule
        fields = ["eservice", "component", "variant", "municipality_class", "effective_from",
                  "effective_to", "kind", "amount", "minimum", "unit_ar", "unit_en", "name_ar",
                  "name_en"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            fee_schedule_validate(
                eservice=data["eservice"], municipality_class=data["municipality_class"],
                kind=data["kind"], amount=data["amount"], minimum=data.get("minimum"),
                effective_from=data["effective_from"], effective_to=data.get("effective_to"),
                exclude_pk=self.instance.pk, component=data.get("component", ""),
                variant=data.get("variant", ""))
        except DomainError as error:
            raise ValidationError({error.field or None: f"{error.message_ar} — "
                                                        f"{error.message_en}"}) from None
        return data


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    form = FeeScheduleForm
    list_display = ["eservice", "component", "variant", "municipality_class", "kind", "amount",
                    "minimum", "effective_from", "effective_to"]
    list_filter = ["eservice", "component", "variant", "municipality_class", "kind"]
    search_fields = ["eservice__code", "name_ar", "name_en"]


class BillEventInline(admin.TabularInline):
    model = BillEvent
    extra = 0
    can_delete = False
    readonly_fields = ["seq", "at", "kind", "from_status", "to_status", "version", "actor",
                       "reason", "payload", "hash"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = ["billing_account", "status", "amount", "amount_paid", "eservice",
                    "municipality", "due_date", "expiry_date", "version"]
    list_filter = ["status", "category", "municipality", "eservice"]
    search_fields = ["billing_account", "payable_ref", "payer_person__national_id",
                     "payer_establishment__unified_number"]
    inlines = [BillEventInline]


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["seq", "at", "kind", "from_status", "to_status", "actor", "reason",
                       "payload", "hash"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["sptn", "amount", "billing_account", "status", "suspense_reason", "bank_id",
                    "channel", "business_date", "source", "needs_review"]
    list_filter = ["status", "suspense_reason", "source", "channel", "needs_review"]
    search_fields = ["sptn", "bnkptn", "billing_account"]
    inlines = [PaymentEventInline]


@admin.register(SadadOutbox)
class SadadOutboxAdmin(ReadOnlyAdmin):
    list_display = ["rq_uid", "kind", "bill", "version", "status", "attempts",
                    "next_attempt_at", "last_error"]
    list_filter = ["status", "kind"]


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["rq_uid", "msg_code", "record_count", "response_status", "received_at"]
    exclude = ["response_body"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "bill", "payment", "issued_at", "pdf_made_at"]
    search_fields = ["number"]
    exclude = ["verify_token"]


@admin.register(SuspenseResolution)
class SuspenseResolutionAdmin(ReadOnlyAdmin):
    list_display = ["payment", "kind", "status", "amount", "requested_by", "decided_by",
                    "requested_at"]
    list_filter = ["kind", "status"]
