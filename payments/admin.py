"""Admin screens: fee schedules are configured here; bills, payments and uploads are shown
read-only, because their statuses change only through the payments services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from amanah.admin import ReadOnlyAdmin
from amanah.dates import dual_date_format
from amanah.errors import DomainError
from amanah.money import sar_format

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
        def value(name):
            # A saved period's rule is read-only in the admin: its fields are not in the form.
            return data[name] if name in data else getattr(self.instance, name)

        try:
            fee_schedule_validate(
                eservice=value("eservice"), municipality_class=value("municipality_class"),
                kind=value("kind"), amount=value("amount"), minimum=value("minimum"),
                effective_from=value("effective_from"), effective_to=data.get("effective_to"),
                exclude_pk=self.instance.pk, component=value("component"),
                variant=value("variant"))
        except DomainError as error:
            raise ValidationError({error.field or None: f"{error.message_ar} — "
                                                        f"{error.message_en}"}) from None
        return data


def _sar(value) -> str:
    return "" if value is None else sar_format(value, get_language() or "ar")


class VariantListFilter(admin.AllValuesFieldListFilter):
    """The variant filter: the empty variant is the standard tariff, and its link says so
    (Django's own filter would show it as a link with no text, which no one can read aloud)."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = {**choice, "display": gettext_lazy("Standard tariff")}
            yield choice


@admin.register(FeeSchedule)
class FeeScheduleAdmin(SimpleHistoryAdmin):
    """A period's rule is never edited in place (its bills were issued on it): a change is a
    new period, added on the portal's fee page; here an existing period's end date may be set."""

    form = FeeScheduleForm
    list_display = ["eservice", "component", "variant", "municipality_class", "kind",
                    "amount_shown", "minimum_shown", "effective_from", "effective_to"]
    list_filter = ["eservice", "component", ("variant", VariantListFilter), "municipality_class",
                   "kind"]
    search_fields = ["eservice__code", "name_ar", "name_en"]
    FROZEN_ONCE_SAVED = ["eservice", "component", "variant", "municipality_class",
                         "effective_from", "kind", "amount", "minimum", "unit_ar", "unit_en"]

    @admin.display(description=gettext_lazy("Amount or rate (SAR)"), ordering="amount")
    def amount_shown(self, obj):
        # As every page shows money ("1,000.00"), never the locale's "1000,00".
        return _sar(obj.amount)

    @admin.display(description=gettext_lazy("Minimum (SAR)"), ordering="minimum")
    def minimum_shown(self, obj):
        return _sar(obj.minimum)

    def get_readonly_fields(self, request, obj=None):
        return self.FROZEN_ONCE_SAVED if obj is not None else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        language = get_language() or "ar"
        start = dual_date_format(obj.effective_from, language)
        end = dual_date_format(obj.effective_to, language) if obj.effective_to else None
        if change:
            request._fee_message = (
                _("The period from %(start)s now ends on %(end)s.") % {"start": start, "end": end}
                if end else _("The period from %(start)s is now open-ended.") % {"start": start})
        else:
            request._fee_message = _("A new period from %(start)s was added: %(rule)s.") % {
                "start": start, "rule": _sar(obj.amount)}

    def message_user(self, request, message, *args, **kwargs):
        # Django's own words ("… was added successfully") say nothing about periods.
        said = getattr(request, "_fee_message", None)
        if said is not None:
            request._fee_message = None
            message = said
        return super().message_user(request, message, *args, **kwargs)


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
