"""The admin's screens for permits as data: permit types with their form fields, documents,
parties and fee stages inline; inspection checklists with their items; zone limits; districts;
the local deed registry; registered offices and contractors.

Configuration keeps its history (django-simple-history): each screen's "History" shows who
changed what and when, and a type's inline rows keep theirs too. Parcels, applications and
permits are shown read-only: they change only through the permits services, which lock the row,
check the move and write the event (their events are their history).
"""

from django.contrib import admin
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from amanah.admin import ReadOnlyAdmin, municipality_column

from . import admin_inspections  # noqa: F401 - registers the inspection slots' screen
from .imports_admin import PermitImportAdminMixin
from .models import (
    Application,
    ApplicationEvent,
    ApplicationParty,
    Checklist,
    ChecklistItem,
    District,
    LocalDeed,
    Parcel,
    Permit,
    PermitEvent,
    PermitFeeRule,
    PermitType,
    PermitTypeDocument,
    PermitTypeField,
    PermitTypeParty,
    RegisteredOffice,
    ZoneRule,
)


def _in_language(named) -> str:
    return named.name(get_language() or "ar") if named is not None else ""


@admin.display(description=_("name"), ordering="name_ar")
def name_column(obj) -> str:
    return _in_language(obj)


@admin.display(description=PermitType._meta.verbose_name, ordering="permit_type__code")
def permit_type_column(obj) -> str:
    return _in_language(obj.permit_type)


# --- Permit types ---------------------------------------------------------------------------


class PermitTypeFieldInline(admin.StackedInline):
    model = PermitTypeField
    extra = 0
    fieldsets = [
        (None, {"fields": [("key", "step", "order", "kind"), ("label_ar", "label_en"),
                           ("help_ar", "help_en"), ("unit_ar", "unit_en"),
                           ("required", "is_detail")]}),
        (_("Checks"), {"fields": [("min_value", "max_value", "max_length"), "pattern",
                                  "choices", "shown_when"],
                       "classes": ["collapse"]}),
    ]


class PermitTypeDocumentInline(admin.StackedInline):
    model = PermitTypeDocument
    extra = 0
    fields = [("kind", "order", "required"), ("name_ar", "name_en"), ("help_ar", "help_en"),
              ("content_types", "max_bytes", "supplied_by"), "shown_when"]


class PermitTypePartyInline(admin.TabularInline):
    model = PermitTypeParty
    extra = 0
    fields = ["role", "required"]


class PermitFeeRuleInline(admin.TabularInline):
    """Which stages are billed; what each costs is the e-service's fee schedules (payments)."""

    model = PermitFeeRule
    extra = 0
    fields = ["stage", "quantity_field"]


@admin.register(PermitType)
class PermitTypeAdmin(SimpleHistoryAdmin):
    inlines = [PermitTypeFieldInline, PermitTypeDocumentInline, PermitTypePartyInline,
               PermitFeeRuleInline]
    list_display = ["code", name_column, "number_prefix", "filed_by", "validity_months",
                    "expected_days", "is_active", "display_order"]
    list_filter = ["is_active", "filed_by", "plan_check"]
    search_fields = ["code", "name_ar", "name_en", "eservice__code"]
    list_select_related = ["eservice"]
    autocomplete_fields = ["eservice", "base_permit_type", "inspection_checklist",
                           "clearance_checklist"]
    ordering = ["display_order", "code"]
    fieldsets = [
        (None, {"fields": [("code", "eservice"), ("name_ar", "name_en"),
                           ("is_active", "display_order")]}),
        (_("Service card"), {"fields": ["description_ar", "description_en", "requirements_ar",
                                        "requirements_en", "expected_days"]}),
        (_("Validity"), {"fields": [("validity_months", "renewal_window_days",
                                     "late_renewal_days"), "number_prefix"]}),
        (_("Filing and procedure"), {"fields": [
            ("filed_by", "owner_consent_required"), "base_permit_type", "workflow_code",
            "prerequisites", "plan_check", ("inspection_checklist", "inspection_purpose"),
            ("emergency_allowed", "emergency_hours"), "clearance_checklist"]}),
    ]


# --- Checklists, zones, places --------------------------------------------------------------


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["order", "code", "text_ar", "text_en", "photo_required_on_no"]


@admin.register(Checklist)
class ChecklistAdmin(SimpleHistoryAdmin):
    inlines = [ChecklistItemInline]
    list_display = ["code", name_column]
    search_fields = ["code", "name_ar", "name_en"]


@admin.register(ZoneRule)
class ZoneRuleAdmin(SimpleHistoryAdmin):
    list_display = ["zone", name_column, municipality_column, "max_floors",
                    "max_coverage_percent", "min_front_setback_m", "min_side_setback_m",
                    "min_rear_setback_m"]
    list_filter = ["zone", "municipality"]
    search_fields = ["zone", "name_ar", "name_en"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality"]


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["code", name_column, municipality_column, "south", "north", "west", "east"]
    list_filter = ["municipality"]
    search_fields = ["code", "name_ar", "name_en", "municipality__code"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality"]


@admin.register(LocalDeed)
class LocalDeedAdmin(admin.ModelAdmin):
    """The local stand-in for the deed registry (demo and tests)."""

    list_display = ["deed_number", "deed_date", "owner_id", "owner_name_ar",
                    "municipality_code", "district_code", "plan_number", "parcel_number",
                    "area_m2", "zone", "is_active"]
    list_filter = ["municipality_code", "zone", "is_active"]
    search_fields = ["deed_number", "owner_id", "owner_name_ar", "plan_number"]


@admin.register(RegisteredOffice)
class RegisteredOfficeAdmin(SimpleHistoryAdmin):
    list_display = ["licence_number", "establishment", "kind", "classification",
                    "licence_expires_on", "is_active"]
    list_filter = ["kind", "is_active", "establishment__municipality"]
    search_fields = ["licence_number", "establishment__unified_number",
                     "establishment__name_ar", "establishment__name_en"]
    list_select_related = ["establishment"]
    autocomplete_fields = ["establishment"]


@admin.register(Parcel)
class ParcelAdmin(ReadOnlyAdmin):
    """Parcels come from the deed registry when an application names a deed."""

    list_display = ["deed_number", municipality_column, "district", "plan_number",
                    "parcel_number", "area_m2", "zone", "verified_at"]
    list_filter = ["municipality", "zone"]
    search_fields = ["deed_number", "owner_id", "plan_number", "parcel_number"]
    list_select_related = ["municipality", "district"]


# --- Applications and permits (read-only) ---------------------------------------------------


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApplicationPartyInline(_ReadOnlyInline):
    model = ApplicationParty
    fields = ["role", "person", "office", "establishment", "consent", "consent_at",
              "authorisation_number", "authorisation_expires_on"]
    readonly_fields = fields


class ApplicationEventInline(_ReadOnlyInline):
    model = ApplicationEvent
    fields = ["seq", "at", "kind", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    ordering = ["seq"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["reference", permit_type_column, "kind", municipality_column, "status",
                    "owner_person", "owner_establishment", "filing_office", "submitted_at"]
    list_filter = ["status", "kind", "permit_type", "municipality", "is_emergency"]
    search_fields = ["reference", "owner_person__national_id", "owner_person__name_ar",
                     "owner_establishment__unified_number", "parcel__deed_number",
                     "case__number"]
    list_select_related = ["permit_type", "municipality", "owner_person", "owner_establishment",
                           "filing_office__establishment"]
    inlines = [ApplicationPartyInline, ApplicationEventInline]
    date_hierarchy = "created_at"
    exclude = ["last_event_hash"]


class PermitEventInline(_ReadOnlyInline):
    model = PermitEvent
    fields = ["seq", "at", "kind", "version", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    ordering = ["seq"]


@admin.register(Permit)
class PermitAdmin(PermitImportAdminMixin, ReadOnlyAdmin):
    list_display = ["number", permit_type_column, municipality_column, "status",
                    "holder_person", "holder_establishment", "issued_on", "valid_until",
                    "version", "is_imported"]
    list_filter = ["status", "permit_type", "municipality", "is_imported"]
    search_fields = ["number", "paper_reference", "holder_person__national_id",
                     "holder_establishment__unified_number", "parcel__deed_number"]
    list_select_related = ["permit_type", "municipality", "holder_person",
                           "holder_establishment"]
    inlines = [PermitEventInline]
    date_hierarchy = "issued_on"
    # The token is what the QR code carries; staff read a permit by its number.
    exclude = ["verification_token", "last_event_hash"]
