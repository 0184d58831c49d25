"""What the designer's pages read: a version with its states and transitions in a fixed number
of queries, the departments a definition may name, validation problems keyed by the state or
transition they concern, and the diagram of a version in the page's language."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from amanah.enums import StaffRole
from amanah.models import Department

from .. import registry
from ..enums import ACTOR_APPLICANT, ACTOR_SYSTEM, StatusCategory, VersionStatus
from ..models import DefinitionVersion, State, Transition, WorkflowDefinition
from ..services.definitions import (
    KNOWN_ACTORS,
    _fallback_municipalities,
    state_target,
    transition_target,
    version_validate,
)
from ..services.designer import VersionDiff
from .diagram import DiagramState, DiagramTransition, diagram_layout, diagram_svg


def english(language: str) -> bool:
    return language.startswith("en")


def pick(language: str, ar: str, en: str) -> str:
    return (en or ar) if english(language) else ar


# --- Departments and roles, by their names ---------------------------------------------------


def department_names(definition: WorkflowDefinition, language: str) -> dict[str, str]:
    """code → name for the departments a state of this definition may name: the definition's
    municipality's own, else its Amanah's (the fallback cases use), in that order. One query
    (two when the definition's municipality is a branch without a parent row loaded)."""
    chain = _fallback_municipalities(definition.municipality)
    rank = {m.pk: i for i, m in enumerate(chain)}
    rows = sorted(Department.objects.filter(municipality__in=chain, is_active=True),
                  key=lambda d: (rank[d.municipality_id], d.code))
    names: dict[str, str] = {}
    for department in rows:
        names.setdefault(department.code, pick(language, department.name_ar, department.name_en))
    return dict(sorted(names.items(), key=lambda item: item[1]))


def role_names() -> dict[str, str]:
    """Who may take a transition, in words: the staff roles, the applicant, the system."""
    names = {value: str(label) for value, label in StaffRole.choices}
    names[ACTOR_APPLICANT] = _("The applicant")
    names[ACTOR_SYSTEM] = _("The system (automatic)")
    return {value: names.get(value, value) for value in sorted(KNOWN_ACTORS,
                                                                key=lambda v: names.get(v, v))}


@dataclass(frozen=True)
class HookChoice:
    name: str
    label: str
    help: str
    registered: bool


def hook_choices(kind: str, current: list[str] | tuple[str, ...] = ()) -> list[HookChoice]:
    """The registered guards (or effects) as check boxes with their labels; a name a version
    still carries but the system no longer knows stays listed, marked, so it can be removed."""
    names = registry.guard_names() if kind == "guard" else registry.effect_names()
    choices = []
    for name in sorted(names):
        label = registry.hook_label(kind, name)
        choices.append(HookChoice(name, label.label if label and label.label else name,
                                  label.help if label else "", True))
    choices.sort(key=lambda c: c.label)
    choices += [HookChoice(name, name, _("Not registered in the system: remove it."), False)
                for name in current if name not in names]
    return choices


# --- A version and its problems -------------------------------------------------------------


@dataclass
class VersionView:
    version: DefinitionVersion
    states: list[State]
    transitions: list[Transition]
    problems: list = field(default_factory=list)  # DomainErrors from version_validate
    by_target: dict[str, list[str]] = field(default_factory=dict)

    @property
    def targets(self) -> set[str]:
        return set(self.by_target)


def version_read(version: DefinitionVersion) -> VersionView:
    """The version's states and transitions (two queries), in the definition's order."""
    states = list(State.objects.filter(version=version).order_by("position", "id"))
    by_id = {s.pk: s for s in states}
    transitions = list(Transition.objects.filter(version=version).order_by("position", "id"))
    for transition in transitions:
        transition.from_state = by_id.get(transition.from_state_id, transition.from_state)
        transition.to_state = by_id.get(transition.to_state_id, transition.to_state)
    return VersionView(version, states, transitions)


_TARGET_TEXTS = {
    "workflow.validation.start_state": ("هذه إحدى عدة حالات بداية؛ أبقِ واحدة فقط.",
                                        "One of several start states: keep only one."),
    "workflow.validation.foreign_state": ("يشير إلى حالة من إصدار آخر.",
                                          "Points to a state of another version."),
    "workflow.validation.unreachable_state": ("لا يصل إليها أي انتقال من حالة البداية.",
                                              "No transition leads here from the start state."),
    "workflow.validation.no_terminal_path": ("لا طريق منها إلى حالة نهائية: أضف انتقالاً.",
                                             "There is no way from here to a final state: "
                                             "add a transition."),
    "workflow.validation.unknown_guard": ("شرط غير مسجل في النظام: {}",
                                          "A condition the system does not know: {}"),
    "workflow.validation.unknown_effect": ("أثر غير مسجل في النظام: {}",
                                           "An effect the system does not know: {}"),
    "workflow.validation.bad_actor": ("لا أحد يمكنه اتخاذ هذا الإجراء: اختر من يتخذه.",
                                      "Nobody may take this action: choose who may."),
    "state_unowned.none": ("اختر الإدارة المالكة لهذه الحالة.",
                           "Choose the department that owns this state."),
    "state_unowned.missing": ("إدارة غير موجودة: {}", "A department that does not exist: {}"),
}


def problems_attach(view: VersionView, *, language: str, known_departments: set[str]) -> None:
    """Run `version_validate` and say, for each state and transition it names, what is wrong
    there, in the page's language."""
    view.problems = version_validate(version=view.version)
    states = {state_target(s.code): s for s in view.states}
    transitions = {transition_target(t.pk): t for t in view.transitions}
    guards, effects = registry.guard_names(), registry.effect_names()
    by_target: dict[str, list[str]] = {}
    for problem in view.problems:
        for target in getattr(problem, "targets", ()):
            key, names = problem.code, ""
            if problem.code == "workflow.validation.unknown_guard" and target in transitions:
                names = ", ".join(sorted(set(transitions[target].guards) - guards))
            elif problem.code == "workflow.validation.unknown_effect" and target in transitions:
                names = ", ".join(sorted(set(transitions[target].effects) - effects))
            elif problem.code == "workflow.validation.state_unowned" and target in states:
                state = states[target]
                missing = sorted({state.department_code, *state.transfer_department_codes}
                                 - known_departments - {""})
                key = "state_unowned.missing" if state.department_code else "state_unowned.none"
                names = ", ".join(missing)
            ar, en = _TARGET_TEXTS.get(key, (problem.message_ar, problem.message_en))
            by_target.setdefault(target, []).append(pick(language, ar, en).format(names))
    view.by_target = by_target


# --- The diagram ----------------------------------------------------------------------------


def diagram_render(view: VersionView, *, language: str, departments: dict[str, str],
                   title: str) -> str:
    terminal = StatusCategory.terminal()
    states = [DiagramState(
        code=s.code, name=pick(language, s.name_ar, s.name_en),
        department=departments.get(s.department_code, s.department_code),
        sla_hours=s.sla_hours, is_start=s.is_start, is_final=s.category in terminal,
        has_problem=state_target(s.code) in view.by_target) for s in view.states]
    codes = {s.pk: s.code for s in view.states}
    transitions = [DiagramTransition(
        key=str(t.pk), label=pick(language, t.name_ar, t.name_en),
        source=codes.get(t.from_state_id, ""), target=codes.get(t.to_state_id, ""),
        has_problem=transition_target(t.pk) in view.by_target) for t in view.transitions]
    layout = diagram_layout(states=states, transitions=transitions,
                            no_department=_("No department"))
    description = _("%(states)d states and %(transitions)d transitions; the list beside the "
                    "picture gives the same content as text.") % {
        "states": len(states), "transitions": len(transitions)}
    return diagram_svg(layout, language=language, title=title, description=description)


# --- A difference, in words ------------------------------------------------------------------


def _yes_no(value) -> str:
    return _("Yes") if value else _("No")


def diff_rows(diff: VersionDiff, *, language: str, departments: dict[str, str]) -> dict:
    """The diff as rows a template prints: {"version": [...], "states": [...],
    "transitions": [...]}, each change with its human field name and old → new values."""
    roles = role_names()
    categories = dict(StatusCategory.choices)

    def hook(kind: str, name: str) -> str:
        label = registry.hook_label(kind, name)
        return label.label if label and label.label else name

    def department(code: str) -> str:
        return departments.get(code, code) if code else "—"

    formats = {
        "name_ar": (_("Name (Arabic)"), str), "name_en": (_("Name (English)"), str),
        "category": (_("Category"), lambda v: str(categories.get(v, v))),
        "department_code": (_("Department"), department),
        "sla_hours": (_("SLA (working hours)"), lambda v: "—" if v is None else str(v)),
        "is_start": (_("Start state"), _yes_no),
        "transfer_department_codes": (_("May be transferred to"),
                                      lambda v: "، ".join(department(c) for c in v) or "—"),
        "to": (_("To"), str),
        "allowed_roles": (_("Who may take it"),
                          lambda v: "، ".join(str(roles.get(r, r)) for r in v) or "—"),
        "guards": (_("Conditions"), lambda v: "، ".join(hook("guard", g) for g in v) or "—"),
        "effects": (_("Effects"), lambda v: "، ".join(hook("effect", e) for e in v) or "—"),
        "comment_required": (_("Comment required"), _yes_no),
        "document_required": (_("Document required"), _yes_no),
    }
    kinds = {"added": _("Added"), "removed": _("Removed"), "changed": _("Changed")}

    def changes(items):
        return [{
            "key": item.key, "kind": item.kind, "kind_label": kinds[item.kind],
            "name": pick(language, item.name_ar, item.name_en),
            "fields": [{"label": formats[c.field][0], "old": formats[c.field][1](c.old),
                        "new": formats[c.field][1](c.new)} for c in item.changes],
        } for item in items]

    return {
        "version": [{"label": _("Overall SLA (working hours)"),
                     "old": "—" if c.old is None else c.old,
                     "new": "—" if c.new is None else c.new} for c in diff.version_changes],
        "states": changes(diff.states),
        "transitions": changes(diff.transitions),
        "is_empty": diff.is_empty,
    }


def published_of(definition: WorkflowDefinition, versions: list[DefinitionVersion]):
    return next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
