"""The procedure designer in the staff area: the procedures an admin may configure, one
procedure's picture and version history, a draft edited by forms beside its picture, and
publishing or discarding a draft after a confirmation.

Each form posts to its own address and comes back to the draft (post, redirect, get); a
refusal re-renders the draft with the message next to the field. The services lock the version
and refuse anything but a draft; these views only check who is asking and translate.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amanah.errors import DomainError
from amanah.permissions import admin_may_configure, admin_municipality_ids

from ..designer import pages
from ..enums import StatusCategory, VersionStatus
from ..models import DefinitionVersion, WorkflowDefinition
from ..services import DefinitionInvalid, version_publish
from ..services.definitions import _content_dump
from ..services.designer import (
    draft_start,
    draft_state_delete,
    draft_state_save,
    draft_transition_delete,
    draft_transition_save,
    version_diff,
    version_discard,
)
from .common import forbidden


def _language() -> str:
    return get_language() or "ar"


def _definitions_for(user):
    ids = admin_municipality_ids(user)
    queryset = WorkflowDefinition.objects.select_related("municipality").prefetch_related(
        Prefetch("versions", queryset=DefinitionVersion.objects.order_by("-number")))
    return queryset if ids is None else queryset.filter(municipality_id__in=ids)


def _definition_or_refuse(request, definition_id: int):
    if admin_municipality_ids(request.user) == set():
        return None  # not an admin anywhere: refused before anything is looked up
    definition = get_object_or_404(WorkflowDefinition.objects.select_related(
        "municipality__parent"), pk=definition_id)
    if not admin_may_configure(request.user, definition.municipality_id):
        return None
    return definition


def _version_or_refuse(request, version_id: int):
    if admin_municipality_ids(request.user) == set():
        return None
    version = get_object_or_404(DefinitionVersion.objects.select_related(
        "definition__municipality__parent", "published_by"), pk=version_id)
    if not admin_may_configure(request.user, version.definition.municipality_id):
        return None
    return version


# --- What happened, said on the page it comes back to ------------------------------------------
# (The site-wide message list is not used: a status region holding list items is not a list for
# assistive technology, and axe refuses it.)

DONE = {
    "state_saved": gettext_lazy("The state is saved in the draft."),
    "state_deleted": gettext_lazy("The state and its transitions are removed from the draft."),
    "transition_saved": gettext_lazy("The transition is saved in the draft."),
    "transition_deleted": gettext_lazy("The transition is removed from the draft."),
    "published": gettext_lazy("The version is published. New cases follow it from now on."),
    "discarded": gettext_lazy("The draft is discarded."),
}
REFUSALS = {
    "confirm_missing": gettext_lazy("Tick the box to confirm the deletion."),
    "workflow.version_not_draft": gettext_lazy(
        "A published or retired version cannot be changed; start a new draft."),
    "workflow.version_gone": gettext_lazy("This draft no longer exists."),
    "workflow.state_gone": gettext_lazy("This state is no longer in the draft."),
    "workflow.transition_gone": gettext_lazy("This transition is no longer in the draft."),
    "workflow.definition_gone": gettext_lazy("This procedure no longer exists."),
}


def _back(url_name: str, pk: int, *, anchor: str = "", done: str = "", refused: str = ""):
    url = reverse(url_name, args=[pk])
    if done:
        url += f"?done={done}"
    elif refused:
        url += f"?refused={refused if refused in REFUSALS else 'other'}"
    return redirect(f"{url}#{anchor}" if anchor else url)


def _notices(request) -> dict:
    return {"done_notice": DONE.get(request.GET.get("done", "")),
            "refused_notice": REFUSALS.get(request.GET.get("refused", ""))
            or (_("The change was refused; reload the page and try again.")
                if request.GET.get("refused") == "other" else None)}


# --- Forms ----------------------------------------------------------------------------------


class StateForm(forms.Form):
    name_ar = forms.CharField(label=gettext_lazy("Name (Arabic)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200)
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=64,
                           help_text=gettext_lazy("Lower-case English letters, digits and "
                                                  "underscores; cases and reports use it."))
    category = forms.ChoiceField(label=gettext_lazy("Category"),
                                 choices=StatusCategory.choices,
                                 help_text=gettext_lazy("What the step means for the "
                                                        "applicant; the last four are final."))
    department_code = forms.ChoiceField(label=gettext_lazy("Department"), required=False)
    sla_hours = forms.IntegerField(label=gettext_lazy("SLA (working hours)"), required=False,
                                   min_value=1, max_value=10_000)
    is_start = forms.BooleanField(label=gettext_lazy("Start state"), required=False)
    transfer_department_codes = forms.MultipleChoiceField(
        label=gettext_lazy("May be transferred to"), required=False,
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, departments: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        current = [self.initial.get("department_code") or "",
                   *(self.initial.get("transfer_department_codes") or [])]
        choices = list(departments.items()) + [(c, c) for c in current
                                               if c and c not in departments]
        self.fields["department_code"].choices = [("", _("— Choose a department —")),
                                                  *choices]
        self.fields["transfer_department_codes"].choices = choices


class TransitionForm(forms.Form):
    name_ar = forms.CharField(label=gettext_lazy("Label (Arabic)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Label (English)"), max_length=200)
    action = forms.SlugField(label=gettext_lazy("Action code"), max_length=64,
                             help_text=gettext_lazy("Lower-case English letters, digits and "
                                                    "underscores."))
    from_state = forms.TypedChoiceField(label=gettext_lazy("From"), coerce=int)
    to_state = forms.TypedChoiceField(label=gettext_lazy("To"), coerce=int)
    allowed_roles = forms.MultipleChoiceField(label=gettext_lazy("Who may take it"),
                                              required=False,
                                              widget=forms.CheckboxSelectMultiple)
    guards = forms.MultipleChoiceField(label=gettext_lazy("Conditions"), required=False)
    effects = forms.MultipleChoiceField(label=gettext_lazy("Effects"), required=False)
    comment_required = forms.BooleanField(label=gettext_lazy("Comment required"),
                                          required=False)
    document_required = forms.BooleanField(label=gettext_lazy("Document required"),
                                           required=False)

    def __init__(self, *args, states: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_state"].choices = states
        self.fields["to_state"].choices = states
        self.fields["allowed_roles"].choices = list(pages.role_names().items())
        for kind, name in (("guard", "guards"), ("effect", "effects")):
            current = self.initial.get(name) or []
            self.hook_choices = getattr(self, "hook_choices", {})
            self.hook_choices[name] = pages.hook_choices(kind, current)
            self.fields[name].choices = [(c.name, c.label) for c in self.hook_choices[name]]

    def hooks(self, name: str) -> list[dict]:
        """The check boxes of guards or effects, each with its label, help and state."""
        if self.is_bound:
            chosen = set(self.data.getlist(self.add_prefix(name)))
        else:
            chosen = set(self.initial.get(name) or [])
        return [{"choice": c, "checked": c.name in chosen,
                 "id": f"id_{self.add_prefix(name)}_{i}"}
                for i, c in enumerate(self.hook_choices[name])]

    def guard_boxes(self):
        return self.hooks("guards")

    def effect_boxes(self):
        return self.hooks("effects")


def _state_initial(state) -> dict:
    return {"code": state.code, "name_ar": state.name_ar, "name_en": state.name_en,
            "category": state.category, "department_code": state.department_code,
            "sla_hours": state.sla_hours, "is_start": state.is_start,
            "transfer_department_codes": list(state.transfer_department_codes)}


def _transition_initial(transition) -> dict:
    return {"action": transition.action, "name_ar": transition.name_ar,
            "name_en": transition.name_en, "from_state": transition.from_state_id,
            "to_state": transition.to_state_id, "allowed_roles": list(transition.allowed_roles),
            "guards": list(transition.guards), "effects": list(transition.effects),
            "comment_required": transition.comment_required,
            "document_required": transition.document_required}


# --- Pages ----------------------------------------------------------------------------------


@login_required
def designer_list(request):
    if admin_municipality_ids(request.user) == set():
        return forbidden(request)
    rows = []
    for definition in _definitions_for(request.user):
        versions = list(definition.versions.all())
        rows.append({"definition": definition,
                     "published": pages.published_of(definition, versions),
                     "draft": next((v for v in versions if v.status == VersionStatus.DRAFT),
                                   None)})
    return render(request, "workflow/designer/list.html", {"rows": rows})


def _version_context(version, *, language: str, with_problems: bool) -> dict:
    definition = version.definition
    departments = pages.department_names(definition, language)
    view = pages.version_read(version)
    if with_problems:
        pages.problems_attach(view, language=language, known_departments=set(departments))
    title = _("The procedure “%(name)s”, version %(number)d, as a diagram") % {
        "name": pages.pick(language, definition.name_ar, definition.name_en),
        "number": version.number}
    lookup = {s.pk: s for s in view.states}
    roles = pages.role_names()
    return {
        "definition": definition, "version": version, "view": view,
        "departments": departments,
        "diagram": pages.diagram_render(view, language=language, departments=departments,
                                        title=title),
        "diagram_label": title,
        "states": [{"state": s, "name": pages.pick(language, s.name_ar, s.name_en),
                    "department": departments.get(s.department_code, s.department_code),
                    "target": f"state:{s.code}", "anchor": f"item-state-{s.code}",
                    "problems": view.by_target.get(f"state:{s.code}", [])}
                   for s in view.states],
        "transitions": [{"transition": t, "name": pages.pick(language, t.name_ar, t.name_en),
                         "from": pages.pick(language, lookup[t.from_state_id].name_ar,
                                            lookup[t.from_state_id].name_en)
                         if t.from_state_id in lookup else "?",
                         "to": pages.pick(language, lookup[t.to_state_id].name_ar,
                                          lookup[t.to_state_id].name_en)
                         if t.to_state_id in lookup else "?",
                         "roles": [roles.get(r, r) for r in t.allowed_roles],
                         "guards": [_hook_text("guard", g) for g in t.guards],
                         "effects": [_hook_text("effect", e) for e in t.effects],
                         "anchor": f"item-transition-{t.pk}",
                         "problems": view.by_target.get(f"transition:{t.pk}", [])}
                        for t in view.transitions],
    }


def _hook_text(kind: str, name: str) -> str:
    from .. import registry

    label = registry.hook_label(kind, name)
    return label.label if label and label.label else name


@login_required
def designer_definition(request, definition_id: int):
    definition = _definition_or_refuse(request, definition_id)
    if definition is None:
        return forbidden(request)
    versions = list(definition.versions.select_related("published_by").order_by("-number"))
    if not versions:
        raise Http404
    published = pages.published_of(definition, versions)
    raw = request.GET.get("version", "")
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    shown = next((v for v in versions if v.number == number), None)
    if raw and shown is None:
        raise Http404
    shown = shown or published or versions[0]
    language = _language()
    context = _version_context(shown, language=language, with_problems=False)
    diff = None
    if request.GET.get("compare") == "previous":
        previous = next((v for v in versions if v.number < shown.number), None)
        if previous is not None:
            diff = {"previous": previous, "rows": pages.diff_rows(
                version_diff(old=_content_dump(previous), new=_content_dump(shown)),
                language=language, departments=context["departments"])}
    context.update({
        "versions": versions, "published": published, "diff": diff,
        "draft": next((v for v in versions if v.status == VersionStatus.DRAFT), None),
    })
    context.update(_notices(request))
    return render(request, "workflow/designer/definition.html", context)


@login_required
@require_POST
def designer_draft_start(request, definition_id: int):
    definition = _definition_or_refuse(request, definition_id)
    if definition is None:
        return forbidden(request)
    try:
        draft = draft_start(definition_id=definition.pk, actor=request.user)
    except DomainError as refusal:
        return _back("workflow:designer_definition", definition.pk, refused=refusal.code)
    return redirect("workflow:designer_draft", version_id=draft.pk)


def _draft_page(request, version, *, state_forms=None, transition_forms=None, status=200):
    """The draft with its forms; `state_forms`/`transition_forms` hold bound forms that were
    refused, by prefix, so their errors show where they were typed."""
    language = _language()
    context = _version_context(version, language=language, with_problems=True)
    departments = context["departments"]
    state_choices = [(s["state"].pk, f'{s["name"]} ({s["state"].code})')
                     for s in context["states"]]
    state_forms = state_forms or {}
    transition_forms = transition_forms or {}
    for row in context["states"]:
        prefix = f"state-{row['state'].pk}"
        row["form"] = state_forms.get(prefix) or StateForm(
            prefix=prefix, initial=_state_initial(row["state"]), departments=departments)
        row["open"] = prefix in state_forms
    for row in context["transitions"]:
        prefix = f"transition-{row['transition'].pk}"
        row["form"] = transition_forms.get(prefix) or TransitionForm(
            prefix=prefix, initial=_transition_initial(row["transition"]),
            states=state_choices)
        row["open"] = prefix in transition_forms
    context.update({
        "new_state_form": state_forms.get("state-new") or StateForm(
            prefix="state-new", departments=departments),
        "new_transition_form": transition_forms.get("transition-new") or TransitionForm(
            prefix="transition-new", states=state_choices,
            initial={"allowed_roles": [], "guards": [], "effects": []}),
        "new_state_open": "state-new" in state_forms,
        "new_transition_open": "transition-new" in transition_forms,
        "summary": _problem_summary(context, language),
        "published": version.definition.versions.filter(
            status=VersionStatus.PUBLISHED).first(),
        "form_refused": status == 400,
        **_notices(request),
    })
    return render(request, "workflow/designer/draft.html", context, status=status)


def _problem_summary(context: dict, language: str) -> list[dict]:
    """Each problem with links to the states and transitions it concerns."""
    names = {row["target"]: (row["name"], row["anchor"]) for row in context["states"]}
    names.update({f"transition:{row['transition'].pk}": (
        f'{row["name"]} ({row["from"]} → {row["to"]})', row["anchor"])
        for row in context["transitions"]})
    summary = []
    for problem in context["view"].problems:
        message = problem.message_en if language.startswith("en") else problem.message_ar
        links_known = [t for t in getattr(problem, "targets", ()) if t in names]
        if links_known:
            # "States not reachable from the start: a, b" — the links below name them.
            message = message.rsplit(": ", 1)[0]
        summary.append({"message": message,
                        "links": [{"name": names[t][0], "anchor": names[t][1]}
                                  for t in getattr(problem, "targets", ()) if t in names]})
    return summary


@login_required
def designer_draft(request, version_id: int):
    version = _version_or_refuse(request, version_id)
    if version is None:
        return forbidden(request)
    if version.status != VersionStatus.DRAFT:
        return redirect(reverse("workflow:designer_definition",
                                args=[version.definition_id]) + f"?version={version.number}"
                        + (f"&refused={request.GET['refused']}"
                           if request.GET.get("refused") in REFUSALS else ""))
    return _draft_page(request, version)


def _refused_edit(request, version, refusal: DomainError):
    """A refusal that is not about a field of the form (the draft was published meanwhile,
    the state is gone…): back to the page, which says so on top."""
    return _back("workflow:designer_draft", version.pk, refused=refusal.code)


def _draft_back(version, anchor: str = "", *, done: str = ""):
    return _back("workflow:designer_draft", version.pk, anchor=anchor, done=done)


@login_required
@require_POST
def designer_state_save(request, version_id: int, state_id: int | None = None):
    version = _version_or_refuse(request, version_id)
    if version is None:
        return forbidden(request)
    prefix = f"state-{state_id}" if state_id else "state-new"
    form = StateForm(request.POST, prefix=prefix,
                     departments=pages.department_names(version.definition, _language()))
    if form.is_valid():
        data = form.cleaned_data
        try:
            state = draft_state_save(
                version_id=version.pk, actor=request.user, state_id=state_id,
                code=data["code"], name_ar=data["name_ar"], name_en=data["name_en"],
                category=data["category"], department_code=data["department_code"],
                sla_hours=data["sla_hours"], is_start=data["is_start"],
                transfer_department_codes=data["transfer_department_codes"])
        except DomainError as refusal:
            if refusal.field not in form.fields:
                return _refused_edit(request, version, refusal)
            form.add_error(refusal.field, refusal.message)
        else:
            return _draft_back(version, f"item-state-{state.code}", done="state_saved")
    return _draft_page(request, version, state_forms={prefix: form}, status=400)


@login_required
@require_POST
def designer_state_delete(request, version_id: int, state_id: int):
    version = _version_or_refuse(request, version_id)
    if version is None:
        return forbidden(request)
    if request.POST.get("confirm") != "yes":
        return _back("workflow:designer_draft", version.pk, refused="confirm_missing")
    try:
        draft_state_delete(version_id=version.pk, state_id=state_id, actor=request.user)
    except DomainError as refusal:
        return _refused_edit(request, version, refusal)
    return _draft_back(version, done="state_deleted")


@login_required
@require_POST
def designer_transition_save(request, version_id: int, transition_id: int | None = None):
    version = _version_or_refuse(request, version_id)
    if version is None:
        return forbidden(request)
    prefix = f"transition-{transition_id}" if transition_id else "transition-new"
    language = _language()
    states = [(s.pk, f"{pages.pick(language, s.name_ar, s.name_en)} ({s.code})")
              for s in version.states.order_by("position", "id")]
    # Names the version still carries but the system no longer knows stay valid choices, so
    # the form can be saved while the admin removes them.
    current = {}
    if transition_id:
        existing = version.transitions.filter(pk=transition_id).first()
        if existing is not None:
            current = {"guards": existing.guards, "effects": existing.effects}
    form = TransitionForm(request.POST, prefix=prefix, states=states, initial=current)
    if form.is_valid():
        data = form.cleaned_data
        try:
            transition = draft_transition_save(
                version_id=version.pk, actor=request.user, transition_id=transition_id,
                action=data["action"], name_ar=data["name_ar"], name_en=data["name_en"],
                from_state_id=data["from_state"], to_state_id=data["to_state"],
                allowed_roles=data["allowed_roles"], guards=data["guards"],
                effects=data["effects"], comment_required=data["comment_required"],
                document_required=data["document_required"])
        except DomainError as refusal:
            if refusal.field not in form.fields:
                return _refused_edit(request, version, refusal)
            form.add_error(refusal.field, refusal.message)
        else:
            return _draft_back(version, f"item-transition-{transition.pk}",
                               done="transition_saved")
    return _draft_page(request, version, transition_forms={prefix: form}, status=400)


@login_required
@require_POST
def designer_transition_delete(request, version_id: int, transition_id: int):
    version = _version_or_refuse(request, version_id)
    if version is None:
        return forbidden(request)
    if request.POST.get("confirm") != "yes":
        return _back("workflow:designer_draft", version.pk, refused="confirm_missing")
    try:
        draft_transition_delete(version_id=version.pk, transition_id=transition_id,
                                actor=request.user)
    except DomainError as refusal:
        return _refused_edit(request, version, refusal)
    return _draft_back(version, done="transition_deleted")


@login_required
@require_http_methods(["GET", "POST"])
def designer_publish(request, version_id: int):
    version = _version_or_refuse(request, version_id)
    if version is None:
        return forbidden(request)
    if version.status != VersionStatus.DRAFT:
        return redirect("workflow:designer_definition", definition_id=version.definition_id)
    language = _language()
    refused = None
    if request.method == "POST":
        try:
            version_publish(version_id=version.pk, actor=request.user)
        except DefinitionInvalid:
            refused = _("The draft was not published: correct the problems below first.")
        except DomainError as refusal:
            refused = refusal.message
        else:
            return _back("workflow:designer_definition", version.definition_id,
                         done="published")
    context = _version_context(version, language=language, with_problems=True)
    published = version.definition.versions.filter(status=VersionStatus.PUBLISHED).first()
    diff = pages.diff_rows(version_diff(
        old=_content_dump(published) if published else {}, new=_content_dump(version)),
        language=language, departments=context["departments"])
    context.update({
        "published": published, "diff": diff, "refused": refused,
        "summary": _problem_summary(context, language),
        "consequence": (_("New cases will follow version %(new)d; open cases stay on version "
                          "%(old)d.") % {"new": version.number, "old": published.number}
                        if published else
                        _("New cases will follow version %(new)d.") % {"new": version.number}),
    })
    return render(request, "workflow/designer/publish.html", context,
                  status=400 if refused else 200)


@login_required
@require_http_methods(["GET", "POST"])
def designer_discard(request, version_id: int):
    version = _version_or_refuse(request, version_id)
    if version is None:
        return forbidden(request)
    if version.status != VersionStatus.DRAFT:
        return redirect("workflow:designer_definition", definition_id=version.definition_id)
    if request.method == "POST":
        try:
            definition_id = version_discard(version_id=version.pk, actor=request.user)
        except DomainError as refusal:
            return _refused_edit(request, version, refusal)
        return _back("workflow:designer_definition", definition_id, done="discarded")
    return render(request, "workflow/designer/discard.html", {
        "version": version, "definition": version.definition})
