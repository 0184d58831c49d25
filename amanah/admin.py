"""The admin's screens for the core configuration: places, departments, staff, people, e-services.

Configuration models keep their history (django-simple-history), so every screen here shows
who changed what and when under "History". Labels come from the models' verbose names.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import clock
from .admin_labels import LabelledFieldsMixin, LabelledTabularInline
from .enums import RolloutState
from .errors import DomainError
from .models import (
    ACTIVE_DEPARTMENTS,
    Department,
    EService,
    EServiceRollout,
    Establishment,
    Municipality,
    OneTimeCode,
    Person,
    StaffMembership,
    User,
)
from .rollout import ROLLOUT_REASON_MAX, rollout_state_check, rollout_state_set

admin.site.site_header = _("Amanah Portal administration")
admin.site.site_title = _("Amanah Portal")
admin.site.index_title = _("Configuration")


def _in_language(named) -> str:
    """A bilingual row's name in the admin's language: half the width of "ar / en" in lists."""
    return named.name(get_language() or "ar")


@admin.display(description=Municipality._meta.verbose_name, ordering="municipality__code")
def municipality_column(obj) -> str:
    return f"{obj.municipality.code} — {_in_language(obj.municipality)}" if obj.municipality else ""


class StaffMembershipInline(LabelledTabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ["user", "department"]


class UserStaffMembershipInline(StaffMembershipInline):
    fk_name = "user"
    fields = ["department", "role", "is_active"]


class DepartmentStaffMembershipInline(StaffMembershipInline):
    fk_name = "department"
    fields = ["user", "role", "is_active"]


@admin.register(User)
class UserAdmin(LabelledFieldsMixin, DjangoUserAdmin):
    inlines = [UserStaffMembershipInline]
    # Plain multiple selects: the two-box filter's script draws icons with prohibited ARIA.
    filter_horizontal = ()
    list_display = ["username", "first_name", "last_name", "is_staff", "is_superuser",
                    "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__role",
                   "memberships__department__municipality"]
    search_fields = ["username", "first_name", "last_name", "email", "person__national_id",
                     "person__name_ar", "person__name_en"]


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_ar", "name_en", "kind", "parent", "municipality_class",
                    "is_active"]
    list_filter = ["kind", "municipality_class", "is_active"]
    search_fields = ["code", "name_ar", "name_en"]
    list_select_related = ["parent"]
    ordering = ["kind", "code"]

    def delete_queryset(self, request, queryset):
        # A bulk delete skips Municipality.delete(): tell the processes keeping departments.
        super().delete_queryset(request, queryset)
        ACTIVE_DEPARTMENTS.changed()


@admin.register(Department)
class DepartmentAdmin(LabelledFieldsMixin, SimpleHistoryAdmin):
    inlines = [DepartmentStaffMembershipInline]
    list_display = ["code", "name_ar", "name_en", municipality_column, "head", "is_active"]
    list_filter = ["municipality", "code", "is_active"]
    search_fields = ["code", "name_ar", "name_en", "municipality__code", "municipality__name_ar",
                     "municipality__name_en"]
    list_select_related = ["municipality", "head"]
    autocomplete_fields = ["municipality"]
    # An id box with a lookup, not the autocomplete: the autocomplete's box has no accessible
    # name while it is empty (a department with no head yet).
    raw_id_fields = ["head"]

    def delete_queryset(self, request, queryset):
        # A bulk delete skips Department.delete(): tell the processes keeping departments.
        super().delete_queryset(request, queryset)
        ACTIVE_DEPARTMENTS.changed()


@admin.register(StaffMembership)
class StaffMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "department", "role", "is_active"]
    list_filter = ["role", "is_active", "department__municipality", "department__code"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "department__code",
                     "department__name_ar", "department__name_en"]
    list_select_related = ["user", "department__municipality"]
    autocomplete_fields = ["user", "department"]


@admin.register(Person)
class PersonAdmin(LabelledFieldsMixin, SimpleHistoryAdmin):
    list_display = ["national_id", "name_ar", "name_en", "mobile", "mobile_confirmed_at",
                    municipality_column]
    list_filter = ["municipality", ("mobile_confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["national_id", "name_ar", "name_en", "mobile", "email"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality", "user"]
    readonly_fields = ["created_at"]


@admin.register(Establishment)
class EstablishmentAdmin(SimpleHistoryAdmin):
    list_display = ["unified_number", "name_ar", "name_en", municipality_column]
    list_filter = ["municipality"]
    search_fields = ["unified_number", "name_ar", "name_en", "representatives__national_id"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality", "representatives"]


class EServiceRolloutInline(LabelledTabularInline):
    """Where the service is offered, read only: a change goes through the rollout's own screen
    (or the portal's rollout matrix), where the pilot gate applies."""

    model = EServiceRollout
    extra = 0
    fields = ["municipality", "state"]
    readonly_fields = ["municipality", "state"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EService)
class EServiceAdmin(SimpleHistoryAdmin):
    inlines = [EServiceRolloutInline]
    list_display = ["code", "name_ar", "name_en", "owning_app", "url_name", "display_order"]
    list_filter = ["owning_app"]
    search_fields = ["code", "name_ar", "name_en"]
    ordering = ["display_order", "code"]


class EServiceRolloutAdminForm(forms.ModelForm):
    """The rollout's screen asks the same rules as the portal's matrix before saving (the
    admin's own scope, the pilot gate); the save itself goes through `rollout_state_set`."""

    change_reason = forms.CharField(label=_("Why (kept in the history)"), required=False,
                                    max_length=ROLLOUT_REASON_MAX)

    class Meta:
        model = EServiceRollout
        fields = ["eservice", "municipality", "state"]

    def clean(self):
        data = super().clean()
        # On a change the two are read only, so they come from the row, not the form.
        eservice = data.get("eservice") or getattr(self.instance, "eservice", None)
        municipality = data.get("municipality") or getattr(self.instance, "municipality", None)
        state = data.get("state")
        if eservice is None or municipality is None or not state:
            return data
        current = self.instance.state if self.instance.pk else RolloutState.OFF
        try:
            rollout_state_check(eservice=eservice, municipality=municipality, state=state,
                                actor=self.acting_user, current=current, at=clock.now())
        except DomainError as error:
            self.add_error("state" if error.field == "state" else None, error.message)
        return data


@admin.register(EServiceRollout)
class EServiceRolloutAdmin(LabelledFieldsMixin, SimpleHistoryAdmin):
    """Switching an e-service off, to pilot or live per municipality. One row at a time, by
    its change form: the list has no editable selects (each would be an unlabelled control),
    and every change passes the pilot gate. The portal's rollout matrix does the same for
    many at once."""

    form = EServiceRolloutAdminForm
    list_display = ["eservice_column", municipality_column, "state"]
    list_display_links = ["eservice_column"]
    list_filter = ["state", "municipality", "eservice__owning_app"]
    search_fields = ["eservice__code", "eservice__name_ar", "eservice__name_en",
                     "municipality__code", "municipality__name_ar", "municipality__name_en"]
    list_select_related = ["eservice", "municipality"]
    autocomplete_fields = ["eservice", "municipality"]
    ordering = ["eservice__display_order", "eservice__code", "municipality__code"]

    @admin.display(description=EServiceRollout._meta.get_field("eservice").verbose_name,
                   ordering="eservice__display_order")
    def eservice_column(self, obj) -> str:
        return _in_language(obj.eservice)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        # A row is one e-service in one municipality for good; only its state changes.
        return ["eservice", "municipality"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # switching off is a change of state, kept in the history

    def save_model(self, request, obj, form, change):
        try:
            saved = rollout_state_set(eservice=obj.eservice, municipality=obj.municipality,
                                      state=form.cleaned_data["state"], actor=request.user,
                                      reason=form.cleaned_data.get("change_reason", ""))
        except DomainError as error:
            # Checked by the form a moment ago; met only when someone changed it meanwhile.
            messages.error(request, error.message)
            return
        obj.pk = saved.pk
        obj.refresh_from_db()


class ReadOnlyAdmin(admin.ModelAdmin):
    """A screen that shows rows and never adds, changes or deletes them: for records that only
    the services write (codes sent, bills, payments), which every app's admin shares."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(ReadOnlyAdmin):
    """Support staff may see that a code was sent, used or exhausted — never the code itself."""

    fields = ["person", "purpose", "created_at", "expires_at", "used_at", "attempts"]
    readonly_fields = fields
    list_display = ["person", "purpose", "created_at", "expires_at", "used_at", "attempts"]
    list_filter = ["purpose", ("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["person__national_id", "person__name_ar", "person__name_en"]
    list_select_related = ["person"]
    date_hierarchy = "created_at"
