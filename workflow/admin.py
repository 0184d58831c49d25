"""The admin's screens for procedures as data: definitions, their versions with states and
transitions inline, and holidays. Publishing, new drafts and JSON import/export go through the
engine's services, so the admin applies the same validation as every other caller.

A published or retired version is frozen: its screens are read-only (cases are pinned to it).
Every change made here is recorded with who and when (django-simple-history, as for the core
models) and shown on the object's "History" page; a version's page also lists the changes to its
states and transitions, which are edited inline on it. History is read-only here: reverting
could bring a frozen version back to life, so going back means editing a new draft.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import update_change_reason

from amanah.enums import StaffRole
from amanah.errors import DomainError
from amanah.models import Department, Municipality

from . import registry
from .enums import ACTOR_APPLICANT, ACTOR_SYSTEM, VersionStatus
from .models import (
    HOLIDAY_CALENDAR,
    DefinitionVersion,
    Holiday,
    State,
    Transition,
    WorkflowDefinition,
)
from .services import (
    DefinitionInvalid,
    definition_export,
    definition_import,
    version_draft_create,
    version_publish,
    version_validate,
)
from .services.definitions import KNOWN_ACTORS

MAX_IMPORT_BYTES = 1024 * 1024


def _message(error: DomainError) -> str:
    return error.message


def _registered(kind: str) -> list[str]:
    return sorted(registry.guard_names() if kind == "guard" else registry.effect_names())


class _ConfigHistoryAdmin(SimpleHistoryAdmin):
    """History-aware admin whose history can be read but not reverted (see module docstring)."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The page shows an old version read-only; a POST to it would save that old content
        # over the current one, bypassing the draft-only and validation rules.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def _history_changes(records: list) -> list[dict]:
    """Rows "who changed what, when" for historical records of one or more objects, newest
    first; each change lists the fields that differ from the object's previous record."""
    rows, previous = [], {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(record.id)
        fields = []
        if before is not None and record.history_type == "~":
            fields = [f.verbose_name for f in record.instance._meta.concrete_fields
                      if f.attname != "id"
                      and getattr(before, f.attname) != getattr(record, f.attname)]
        previous[record.id] = record
        rows.append({"record": record, "fields": fields})
    rows.reverse()
    return rows


class _ListAsChoices(forms.MultipleChoiceField):
    """A JSON list field edited as check boxes; values outside the choices are kept visible."""

    widget = forms.CheckboxSelectMultiple


def _department_codes() -> list[tuple[str, str]]:
    rows = Department.objects.order_by("code").values_list("code", "name_ar", "name_en")
    seen: dict[str, str] = {}
    for code, name_ar, name_en in rows:
        seen.setdefault(code, f"{code} — {name_ar} / {name_en}")
    return list(seen.items())


class StateForm(forms.ModelForm):
    transfer_department_codes = _ListAsChoices(label=_("May be transferred to"),
                                               required=False)

    class Meta:
        model = State
        fields = ["position", "code", "name_ar", "name_en", "category", "department_code",
                  "sla_hours", "is_start", "transfer_department_codes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = _department_codes()
        current = self.initial.get("transfer_department_codes") or []
        known = {c for c, _label in codes}
        self.fields["transfer_department_codes"].choices = [
            *codes, *[(c, c) for c in current if c not in known]]


def _actor_choices() -> list[tuple[str, str]]:
    labels = {**dict(StaffRole.choices), ACTOR_APPLICANT: _("The applicant"),
              ACTOR_SYSTEM: _("The system")}
    return [(value, f"{labels.get(value, value)} ({value})") for value in sorted(KNOWN_ACTORS)]


class TransitionForm(forms.ModelForm):
    allowed_roles = _ListAsChoices(label=_("Allowed actors"), required=False)
    guards = _ListAsChoices(label=_("Guards"), required=False)
    effects = _ListAsChoices(label=_("Effects"), required=False)

    class Meta:
        model = Transition
        fields = ["position", "action", "name_ar", "name_en", "from_state", "to_state",
                  "allowed_roles", "comment_required", "document_required", "guards",
                  "effects"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in (("allowed_roles", _actor_choices()),
                              ("guards", [(n, n) for n in _registered("guard")]),
                              ("effects", [(n, n) for n in _registered("effect")])):
            known = {value for value, _label in choices}
            current = self.initial.get(name) or []
            # An unregistered name stays listed so the admin sees it; publishing refuses it.
            self.fields[name].choices = choices + [(n, n) for n in current if n not in known]


class _VersionChildInline(admin.StackedInline):
    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == VersionStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


# Stacked, not tabular: a row with every field and its check boxes is too wide to read,
# above all right to left.
class StateInline(_VersionChildInline):
    model = State
    form = StateForm
    fieldsets = [(None, {"fields": [("code", "position", "is_start"), ("name_ar", "name_en"),
                                    ("category", "department_code", "sla_hours"),
                                    "transfer_department_codes"]})]


class TransitionInline(_VersionChildInline):
    model = Transition
    form = TransitionForm
    fieldsets = [(None, {"fields": [("action", "position"), ("name_ar", "name_en"),
                                    ("from_state", "to_state"),
                                    ("comment_required", "document_required"),
                                    "allowed_roles", ("guards", "effects")]})]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # From/to offer only this version's states, not every state of every procedure.
        states = State.objects.filter(version=obj) if obj else State.objects.none()
        for name in ("from_state", "to_state"):
            formset.form.base_fields[name].queryset = states
        return formset


class DefinitionVersionInline(admin.TabularInline):
    model = DefinitionVersion
    fields = ["number", "status", "sla_hours", "published_at", "open_link"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Open"))
    def open_link(self, version):
        from django.utils.html import format_html

        url = reverse("admin:workflow_definitionversion_change", args=[version.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Edit states and transitions"))


def _designer_link(definition_id: int):
    """The portal's designer draws the procedure and edits drafts with human labels."""
    from django.utils.html import format_html

    url = reverse("workflow:designer_definition", args=[definition_id])
    return format_html('<a href="{}">{}</a>', url,
                       gettext("See the diagram and edit it in the procedure designer"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Definition file (JSON)"))
    municipality = forms.ModelChoiceField(label=_("Into municipality"),
                                          queryset=Municipality.objects.order_by("code"))
    publish = forms.BooleanField(label=_("Publish at once if valid"), required=False)


@admin.register(WorkflowDefinition)
class WorkflowDefinitionAdmin(_ConfigHistoryAdmin):
    list_display = ["code", "name_ar", "name_en", "municipality", "eservice",
                    "published_version", "version_count"]
    list_filter = ["municipality", "eservice"]
    search_fields = ["code", "name_ar", "name_en"]
    list_select_related = ["municipality", "eservice"]
    fields = ["code", "municipality", "eservice", "name_ar", "name_en", "description_ar",
              "description_en", "case_prefix", "designer_link"]
    readonly_fields = ["designer_link"]
    inlines = [DefinitionVersionInline]
    actions = ["new_draft", "export_published"]
    change_list_template = "workflow/admin/definition_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_versions=Count("versions"))

    @admin.display(description=_("Procedure designer"))
    def designer_link(self, definition):
        return _designer_link(definition.pk) if definition.pk else "—"

    @admin.display(description=_("Versions"), ordering="_versions")
    def version_count(self, definition):
        return definition._versions

    @admin.display(description=_("Published version"))
    def published_version(self, definition):
        published = [v for v in definition.versions.all() if v.status == VersionStatus.PUBLISHED]
        return published[0].number if published else "—"

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view),
                     name="workflow_workflowdefinition_import"),
                *super().get_urls()]

    def import_view(self, request):
        """Upload a file made by "Export" (from any municipality) as a new draft or version."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = None
            if upload.size > MAX_IMPORT_BYTES:
                form.add_error("file", gettext("The file is larger than 1 MB."))
            else:
                try:
                    data = json.loads(upload.read().decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    form.add_error("file", gettext("The file is not valid JSON."))
            if data is not None:
                try:
                    version = definition_import(
                        data=data, municipality=form.cleaned_data["municipality"],
                        publish=form.cleaned_data["publish"], actor=request.user)
                except DefinitionInvalid as exc:
                    for problem in exc.problems:
                        form.add_error(None, _message(problem))
                except DomainError as exc:
                    form.add_error("file", _message(exc))
                else:
                    self.log_addition(request, version, [{"added": {}}])
                    self.message_user(request, gettext(
                        "Imported as version %(number)s of %(definition)s.") % {
                        "number": version.number, "definition": version.definition},
                        messages.SUCCESS)
                    return HttpResponseRedirect(reverse(
                        "admin:workflow_definitionversion_change", args=[version.pk]))
        context = {**self.admin_site.each_context(request), "form": form,
                   "opts": self.model._meta, "title": gettext("Import a definition")}
        return TemplateResponse(request, "workflow/admin/import.html", context,
                                status=400 if form.errors else 200)

    @admin.action(description=_("Start a new draft from the newest version"))
    def new_draft(self, request, queryset):
        for definition in queryset:
            draft = version_draft_create(definition_id=definition.pk)
            self.log_addition(request, draft, [{"added": {}}])
            self.message_user(request, gettext("Draft version %(number)s of %(definition)s "
                                               "created.") % {"number": draft.number,
                                                             "definition": definition},
                              messages.SUCCESS)

    @admin.action(description=_("Export the published version as JSON"))
    def export_published(self, request, queryset):
        exported = []
        for definition in queryset.select_related("municipality"):
            version = definition.versions.filter(status=VersionStatus.PUBLISHED).first()
            if version is None:
                self.message_user(request, gettext("%(definition)s has no published version.")
                                  % {"definition": definition}, messages.WARNING)
                continue
            exported.append(definition_export(version=version))
        if not exported:
            return None
        if len(exported) == 1:
            return _json_download(exported[0], f"{exported[0]['code']}.json")
        return _json_download(exported, "workflow-definitions.json")


def _json_download(data, filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename[:-5])}.json"'
    return response


@admin.register(DefinitionVersion)
class DefinitionVersionAdmin(_ConfigHistoryAdmin):
    list_display = ["definition", "number", "status", "sla_hours", "published_at",
                    "publisher"]
    list_filter = ["status", "definition__municipality", "definition__code"]
    list_select_related = ["definition__municipality", "published_by"]
    search_fields = ["definition__code", "definition__name_ar", "definition__name_en"]
    inlines = [StateInline, TransitionInline]
    actions = ["publish", "validate", "export_json", "new_draft_from"]
    readonly_fields = ["status", "published_at", "publisher", "problems", "designer_link"]
    change_form_template = "workflow/admin/version_change_form.html"
    object_history_template = "workflow/admin/version_history.html"
    # Newest changes to the version's states and transitions shown under its own history.
    child_history_limit = 300

    def history_view(self, request, object_id, extra_context=None):
        """The version's own history, then its states' and transitions' (edited inline here,
        so this is where an admin looks for them). Two queries whatever the history length."""
        children = []
        if str(object_id).isdigit():
            for model in (State, Transition):
                children += list(model.history.filter(version_id=int(object_id))
                                 .select_related("history_user")
                                 .order_by("-history_date", "-history_id")
                                 [:self.child_history_limit])
        context = {**(extra_context or {}), "child_changes": _history_changes(children)}
        return super().history_view(request, object_id, extra_context=context)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["definition", "number", "sla_hours", "notes"]
        return ["definition", "number", "status", "sla_hours", "notes", "published_at",
                "publisher", "problems", "designer_link"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return [*self.get_fields(request, obj)]
        if obj is not None:
            return [*self.readonly_fields, "definition", "number"]
        return []

    def has_delete_permission(self, request, obj=None):
        # Only a draft may go: published and retired versions have (or had) cases pinned.
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    # The field has no verbose name of its own (it would take a migration to give it one);
    # shown through this, the admin's label is translated like every other.
    @admin.display(description=_("Published by"), ordering="published_by")
    def publisher(self, version):
        return version.published_by or "—"

    @admin.display(description=_("Procedure designer"))
    def designer_link(self, version):
        return _designer_link(version.definition_id)

    @admin.display(description=_("Problems that block publishing"))
    def problems(self, version):
        if version.status != VersionStatus.DRAFT:
            return "—"
        problems = version_validate(version=version)
        if not problems:
            return gettext("None: this draft can be published.")
        return "; ".join(_message(p) for p in problems)

    def get_urls(self):
        return [path("<int:version_id>/publish/",
                     self.admin_site.admin_view(self.publish_view),
                     name="workflow_definitionversion_publish"),
                path("<int:version_id>/export/",
                     self.admin_site.admin_view(self.export_view),
                     name="workflow_definitionversion_export"),
                *super().get_urls()]

    def _publish_one(self, request, version: DefinitionVersion) -> bool:
        try:
            published = version_publish(version_id=version.pk, actor=request.user)
        except DefinitionInvalid as exc:
            for problem in exc.problems:
                self.message_user(request, f"{version}: {_message(problem)}", messages.ERROR)
            return False
        except DomainError as exc:
            self.message_user(request, f"{version}: {_message(exc)}", messages.ERROR)
            return False
        self.log_change(request, version, gettext("Published"))
        # Names the change in the configuration history, which would otherwise only show
        # "status" among the changed fields.
        update_change_reason(published, gettext("Published"))
        self.message_user(request, gettext("%(version)s is published; new transactions use it.")
                          % {"version": version.definition}, messages.SUCCESS)
        return True

    def publish_view(self, request, version_id: int):
        version = get_object_or_404(DefinitionVersion, pk=version_id)
        if request.method != "POST" or not self.has_change_permission(request, version):
            raise PermissionDenied
        self._publish_one(request, version)
        return HttpResponseRedirect(reverse("admin:workflow_definitionversion_change",
                                            args=[version.pk]))

    def export_view(self, request, version_id: int):
        version = get_object_or_404(DefinitionVersion.objects.select_related(
            "definition__municipality"), pk=version_id)
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        data = definition_export(version=version)
        return _json_download(data, f"{data['code']}-v{version.number}.json")

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        for version in queryset.select_related("definition__municipality"):
            self._publish_one(request, version)

    @admin.action(description=_("Check the selected drafts"))
    def validate(self, request, queryset):
        for version in queryset.select_related("definition__municipality"):
            problems = version_validate(version=version)
            if not problems:
                self.message_user(request, gettext("%(version)s: no problems.")
                                  % {"version": version}, messages.SUCCESS)
            for problem in problems:
                self.message_user(request, f"{version}: {_message(problem)}", messages.ERROR)

    @admin.action(description=_("Export the selected version as JSON"))
    def export_json(self, request, queryset):
        versions = list(queryset.select_related("definition__municipality"))
        if len(versions) != 1:
            self.message_user(request, gettext("Choose exactly one version to export."),
                              messages.WARNING)
            return None
        data = definition_export(version=versions[0])
        return _json_download(data, f"{data['code']}-v{versions[0].number}.json")

    @admin.action(description=_("Start a new draft copied from the selected version"))
    def new_draft_from(self, request, queryset):
        for version in queryset:
            draft = version_draft_create(definition_id=version.definition_id,
                                         from_version_id=version.pk)
            self.log_addition(request, draft, [{"added": {}}])
            self.message_user(request, gettext("Draft version %(number)s created.")
                              % {"number": draft.number}, messages.SUCCESS)


@admin.register(Holiday)
class HolidayAdmin(_ConfigHistoryAdmin):
    list_display = ["date", "name_ar", "name_en"]
    date_hierarchy = "date"
    search_fields = ["name_ar", "name_en"]
    ordering = ["-date"]

    def delete_queryset(self, request, queryset):
        # A bulk delete skips Holiday.delete(): tell the processes keeping the calendar here.
        super().delete_queryset(request, queryset)
        HOLIDAY_CALENDAR.changed()
