"""The admin's screens for the violation catalogue as data: groups, items with their fine range
per municipality class inline, shares by size, checklists with their questions inline; and,
read-only for support, inspections, notices and objections (only the services change them).

An item version that a notice's line was computed from is never edited in place: its page is
read-only and offers "New version from a date", which ends it and starts the next version with
its own fine ranges (violations.catalogue.item_version_create). Every configuration screen keeps
its history (django-simple-history). Refusals are bilingual domain errors shown next to the
field in the admin's language.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from amanah.admin import ReadOnlyAdmin, municipality_column
from amanah.errors import DomainError

from .catalogue import (
    ITEM_FIELDS,
    fine_range_problems,
    item_in_use,
    item_problems,
    item_version_create,
)
from .models import (
    Checklist,
    ChecklistQuestion,
    Inspection,
    ItemFine,
    Objection,
    SizeShare,
    Violation,
    ViolationGroup,
    ViolationItem,
)

CLASSES = range(1, 6)


def _in_language(named) -> str:
    if named is None:
        return ""
    return named.name_en if (get_language() or "ar").startswith("en") else named.name_ar


@admin.display(description=_("name"), ordering="name_ar")
def name_column(obj) -> str:
    return _in_language(obj)


def _add_problems(form: forms.BaseForm, problems: list[DomainError]) -> None:
    for problem in problems:
        field = problem.field if problem.field in form.fields else None
        form.add_error(field, problem.message)


# --- the catalogue -----------------------------------------------------------------------------


@admin.register(ViolationGroup)
class ViolationGroupAdmin(SimpleHistoryAdmin):
    list_display = ["code", name_column, "display_order"]
    search_fields = ["code", "name_ar", "name_en"]


class ItemFineForm(forms.ModelForm):
    class Meta:
        model = ItemFine
        fields = ["municipality_class", "fine_min", "fine_max"]

    def clean(self):
        data = super().clean()
        _add_problems(self, fine_range_problems(fine_min=data.get("fine_min"),
                                                fine_max=data.get("fine_max")))
        return data


class ItemFineInline(admin.TabularInline):
    model = ItemFine
    form = ItemFineForm
    extra = 0
    max_num = 5


class ViolationItemForm(forms.ModelForm):
    class Meta:
        model = ViolationItem
        fields = ["code", "group", "name_ar", "name_en", "effective_from", "effective_to",
                  *ITEM_FIELDS[2:]]

    def clean(self):
        data = super().clean()
        _add_problems(self, item_problems(
            code=data.get("code", ""), effective_from=data.get("effective_from"),
            effective_to=data.get("effective_to"), is_serious=data.get("is_serious", False),
            correction_days=data.get("correction_days"),
            penalty_kind=data.get("penalty_kind", ""), penalty_days=data.get("penalty_days"),
            penalty_lifts_on=data.get("penalty_lifts_on", ""),
            exclude_pk=self.instance.pk))
        return data


@admin.register(ViolationItem)
class ViolationItemAdmin(SimpleHistoryAdmin):
    form = ViolationItemForm
    inlines = [ItemFineInline]
    change_form_template = "violations/admin/item_change_form.html"
    list_display = ["code", name_column, "group", "is_serious", "correction_days",
                    "effective_from", "effective_to", "penalty_kind"]
    list_filter = ["group", "is_serious", "penalty_kind", "objectionable"]
    search_fields = ["code", "name_ar", "name_en"]
    list_select_related = ["group"]
    fieldsets = [
        (None, {"fields": [("code", "group"), ("name_ar", "name_en"),
                           ("effective_from", "effective_to")]}),
        (_("Warning and repetition"), {"fields": [
            ("is_serious", "correction_days"),
            ("repeat_multipliers", "repeat_cap_factor", "repeat_lookback_days")]}),
        (_("Objection and penalty"), {"fields": [
            ("objectionable", "objection_days"),
            ("penalty_kind", "penalty_days", "penalty_lifts_on")]}),
    ]

    def has_change_permission(self, request, obj=None):
        # A version a notice used is kept as the notice knew it: "new version" changes it.
        if obj is not None and item_in_use(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and item_in_use(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_urls(self):
        return [path("<int:item_id>/new-version/",
                     self.admin_site.admin_view(self.new_version_view),
                     name="violations_violationitem_new_version"),
                *super().get_urls()]

    def new_version_view(self, request, item_id: int):
        """Start the next version of an item from a date, with its fine ranges."""
        item = get_object_or_404(ViolationItem, pk=item_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {name: getattr(item, name) for name in ITEM_FIELDS}
        for band in item.fines.all():
            initial[f"fine_min_{band.municipality_class}"] = band.fine_min
            initial[f"fine_max_{band.municipality_class}"] = band.fine_max
        form = ItemVersionForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            fines = {n: (data[f"fine_min_{n}"], data[f"fine_max_{n}"]) for n in CLASSES}
            try:
                new = item_version_create(
                    item_id=item.pk, effective_from=data["effective_from"],
                    values={name: data[name] for name in ITEM_FIELDS}, fines=fines)
            except DomainError as exc:
                _add_problems(form, [exc])
            else:
                self.log_addition(request, new, [{"added": {}}])
                self.message_user(request, gettext(
                    "Version from %(date)s of %(code)s created; notices already recorded keep "
                    "the version they used.") % {"date": new.effective_from, "code": new.code},
                    messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:violations_violationitem_change",
                                                    args=[new.pk]))
        context = {**self.admin_site.each_context(request), "form": form, "item": item,
                   "opts": self.model._meta,
                   "title": gettext("New version of %(code)s") % {"code": item.code}}
        return TemplateResponse(request, "violations/admin/item_new_version.html", context,
                                status=400 if form.errors else 200)

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        context["in_use"] = obj is not None and item_in_use(obj)
        return super().render_change_form(request, context, add=add, change=change,
                                          form_url=form_url, obj=obj)


class ItemVersionForm(forms.ModelForm):
    """The next version's values (prefilled from the current one) and its fine ranges."""

    effective_from = forms.DateField(label=_("in force from"))

    class Meta:
        model = ViolationItem
        fields = list(ITEM_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in CLASSES:
            for bound, label in (("min", _("minimum fine")), ("max", _("maximum fine"))):
                self.fields[f"fine_{bound}_{n}"] = forms.DecimalField(
                    label=f"{label} ({gettext('class')} {n})", max_digits=12, decimal_places=2)

    def clean(self):
        data = super().clean()
        for n in CLASSES:
            for problem in fine_range_problems(fine_min=data.get(f"fine_min_{n}"),
                                               fine_max=data.get(f"fine_max_{n}")):
                self.add_error(f"fine_{problem.field.split('_')[1]}_{n}", problem.message)
        return data


@admin.register(SizeShare)
class SizeShareAdmin(SimpleHistoryAdmin):
    list_display = ["size", "percent", "effective_from"]
    list_filter = ["size"]


class ChecklistQuestionInline(admin.TabularInline):
    model = ChecklistQuestion
    extra = 0
    fields = ["position", "item_code", "text_ar", "text_en"]


@admin.register(Checklist)
class ChecklistAdmin(SimpleHistoryAdmin):
    inlines = [ChecklistQuestionInline]
    list_display = ["code", name_column, "activity_code", "permit_type_code", "is_general",
                    "is_active"]
    list_filter = ["is_general", "is_active"]
    search_fields = ["code", "name_ar", "name_en", "activity_code", "permit_type_code"]


# --- read-only records for support ---------------------------------------------------------


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["number", municipality_column, "kind", "status", "offender_kind",
                    "offender_key", "planned_for", "submitted_at"]
    list_filter = ["status", "kind", "offender_kind"]
    search_fields = ["number", "offender_key", "permit_number"]
    list_select_related = ["municipality"]
    exclude = ["client_key"]


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ["number", municipality_column, "kind", "status", "offender_key", "total",
                    "recorded_at"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "offender_key", "permit_number"]
    list_select_related = ["municipality"]
    # the token the notice's QR code carries stays off support's screens
    exclude = ["verify_token"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["number", "violation", "status", "filed_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["number", "violation__number"]
    list_select_related = ["violation"]
