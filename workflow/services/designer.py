"""The procedure designer's writes: a draft version edited state by state and transition by
transition, a draft started from the published version or discarded, and the difference
between two versions.

Every write locks the version row, refuses anything but a draft (published and retired
versions are frozen: cases are pinned to them) and is recorded, with who made it, in the
configuration history the admin already keeps (django-simple-history on State, Transition
and DefinitionVersion). Publishing is `version_publish`'s alone (the one writer of a
version's status).
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from amanah.errors import Conflict, DomainError, PermissionDenied
from amanah.permissions import admin_may_configure

from ..enums import StatusCategory, VersionStatus
from ..models import DefinitionVersion, State, Transition, WorkflowDefinition
from .definitions import KNOWN_ACTORS, version_draft_create

_CODE = re.compile(r"^[a-z0-9_-]{1,64}$")
_NAME_MAX = 200


def _may_configure_check(actor, definition: WorkflowDefinition) -> None:
    if not admin_may_configure(actor, definition.municipality_id):
        raise PermissionDenied("workflow.designer_forbidden",
                               "لا تملك صلاحية تعديل إجراءات هذه البلدية.",
                               "You may not change this municipality's procedures.",
                               status=403)


def _draft_locked(version_id: int, actor) -> DefinitionVersion:
    """The version, locked for this transaction, if it is a draft the actor may edit."""
    version = (DefinitionVersion.objects.select_for_update(of=("self",))
               .select_related("definition").filter(pk=version_id).first())
    if version is None:
        raise Conflict("workflow.version_gone", "لم تعد هذه المسودة موجودة.",
                       "This draft no longer exists.")
    _may_configure_check(actor, version.definition)
    if version.status != VersionStatus.DRAFT:
        raise Conflict("workflow.version_not_draft",
                       "لا يمكن تعديل إصدار منشور أو متقاعد؛ ابدأ مسودة جديدة.",
                       "A published or retired version cannot be changed; start a new draft.")
    return version


def _recorded(instance, actor):
    """Name the actor in the configuration history row the save or delete writes."""
    if getattr(actor, "pk", None):
        instance._history_user = actor
    return instance


def _code_check(code: str, field: str) -> str:
    code = (code or "").strip()
    if not _CODE.match(code):
        raise DomainError("workflow.designer_code_invalid",
                          "الرمز حروف إنجليزية صغيرة وأرقام وشرطة سفلية فقط.",
                          "The code may hold only lower-case letters, digits and underscores.",
                          field=field)
    return code


def _names_check(name_ar: str, name_en: str) -> tuple[str, str]:
    name_ar, name_en = (name_ar or "").strip(), (name_en or "").strip()
    for value, field in ((name_ar, "name_ar"), (name_en, "name_en")):
        if not value:
            raise DomainError("workflow.designer_name_required", "الاسم مطلوب باللغتين.",
                              "The name is required in both languages.", field=field)
        if len(value) > _NAME_MAX:
            raise DomainError("workflow.designer_name_long", "الاسم أطول من 200 حرف.",
                              "The name is longer than 200 characters.", field=field)
    return name_ar, name_en


@transaction.atomic
def draft_start(*, definition_id: int, actor) -> DefinitionVersion:
    """The definition's draft: the one already open, else a new one copied from the published
    version (or the newest when none is published). One draft at a time, so two admins do not
    edit rival copies without knowing."""
    definition = (WorkflowDefinition.objects.select_for_update()
                  .filter(pk=definition_id).first())
    if definition is None:
        raise Conflict("workflow.definition_gone", "لم يعد هذا الإجراء موجوداً.",
                       "This procedure no longer exists.")
    _may_configure_check(actor, definition)
    existing = definition.versions.filter(status=VersionStatus.DRAFT).order_by("-number").first()
    if existing is not None:
        return existing
    published = definition.versions.filter(status=VersionStatus.PUBLISHED).first()
    return version_draft_create(definition_id=definition.pk,
                                from_version_id=published.pk if published else None)


@transaction.atomic
def draft_state_save(*, version_id: int, actor, state_id: int | None = None, code: str,
                     name_ar: str, name_en: str, category: str, department_code: str,
                     sla_hours: int | None, is_start: bool,
                     transfer_department_codes: list[str]) -> State:
    """Add a state to a draft (no `state_id`) or change one of its states."""
    version = _draft_locked(version_id, actor)
    code = _code_check(code, "code")
    name_ar, name_en = _names_check(name_ar, name_en)
    if category not in StatusCategory.values:
        raise DomainError("workflow.designer_category_invalid", "اختر تصنيف الحالة.",
                          "Choose the state's category.", field="category")
    if sla_hours is not None and not 0 < sla_hours <= 10_000:
        raise DomainError("workflow.designer_sla_invalid",
                          "مدة الإنجاز بين 1 و10000 ساعة عمل، أو اتركها فارغة.",
                          "The SLA is from 1 to 10,000 working hours, or left empty.",
                          field="sla_hours")
    if state_id is None:
        position = (version.states.aggregate(n=Max("position"))["n"] or 0) + 1
    else:
        existing = version.states.filter(pk=state_id).first()
        if existing is None:
            raise Conflict("workflow.state_gone", "لم تعد هذه الحالة موجودة في المسودة.",
                           "This state is no longer in the draft.")
        position = existing.position
    if version.states.filter(code=code).exclude(pk=state_id).exists():
        raise DomainError("workflow.designer_code_taken", "هذا الرمز مستخدم لحالة أخرى.",
                          "Another state already has this code.", field="code")
    # Built whole (an update when it has the row's id): every field of the step comes from
    # the form, and a state's category is a definition's data, not a case's status.
    state = State(pk=state_id, version=version, position=position, code=code,
                  name_ar=name_ar, name_en=name_en, category=category,
                  department_code=(department_code or "").strip(), sla_hours=sla_hours,
                  is_start=bool(is_start),
                  transfer_department_codes=sorted({c for c in transfer_department_codes if c}))
    _recorded(state, actor).save()
    return state


@transaction.atomic
def draft_state_delete(*, version_id: int, state_id: int, actor) -> None:
    """Remove a state from a draft, with the transitions into and out of it (each recorded)."""
    version = _draft_locked(version_id, actor)
    state = version.states.filter(pk=state_id).first()
    if state is None:
        return  # already gone: deleting twice is harmless
    for transition in version.transitions.filter(from_state=state) | version.transitions.filter(
            to_state=state):
        _recorded(transition, actor).delete()
    _recorded(state, actor).delete()


@transaction.atomic
def draft_transition_save(*, version_id: int, actor, transition_id: int | None = None,
                          action: str, name_ar: str, name_en: str, from_state_id: int,
                          to_state_id: int, allowed_roles: list[str], guards: list[str],
                          effects: list[str], comment_required: bool = False,
                          document_required: bool = False) -> Transition:
    """Add a transition to a draft (no `transition_id`) or change one. Unknown guard or effect
    names are kept as given: `version_validate` names them, next to the transition."""
    version = _draft_locked(version_id, actor)
    action = _code_check(action, "action")
    name_ar, name_en = _names_check(name_ar, name_en)
    states = {s.pk: s for s in version.states.filter(pk__in=[from_state_id, to_state_id])}
    for state_id, field in ((from_state_id, "from_state"), (to_state_id, "to_state")):
        if state_id not in states:
            raise DomainError("workflow.designer_state_unknown", "اختر حالة من هذه المسودة.",
                              "Choose a state of this draft.", field=field)
    unknown_roles = set(allowed_roles) - KNOWN_ACTORS
    if unknown_roles:
        raise DomainError("workflow.designer_role_unknown", "اختر من الأدوار المعروضة.",
                          "Choose among the roles listed.", field="allowed_roles")
    if transition_id is None:
        transition = Transition(version=version, position=(version.transitions.aggregate(
            n=Max("position"))["n"] or 0) + 1)
    else:
        transition = version.transitions.filter(pk=transition_id).first()
        if transition is None:
            raise Conflict("workflow.transition_gone", "لم يعد هذا الانتقال موجوداً في المسودة.",
                           "This transition is no longer in the draft.")
    if version.transitions.filter(from_state_id=from_state_id, action=action).exclude(
            pk=transition.pk).exists():
        raise DomainError("workflow.designer_action_taken",
                          "لهذه الحالة انتقال آخر بالرمز نفسه.",
                          "The state already has another transition with this code.",
                          field="action")
    transition.action, transition.name_ar, transition.name_en = action, name_ar, name_en
    transition.from_state, transition.to_state = states[from_state_id], states[to_state_id]
    transition.allowed_roles = list(dict.fromkeys(allowed_roles))
    transition.guards = list(dict.fromkeys(g for g in guards if g))
    transition.effects = list(dict.fromkeys(e for e in effects if e))
    transition.comment_required = bool(comment_required)
    transition.document_required = bool(document_required)
    _recorded(transition, actor).save()
    return transition


@transaction.atomic
def draft_transition_delete(*, version_id: int, transition_id: int, actor) -> None:
    version = _draft_locked(version_id, actor)
    transition = version.transitions.filter(pk=transition_id).first()
    if transition is not None:
        _recorded(transition, actor).delete()


@transaction.atomic
def version_discard(*, version_id: int, actor) -> int:
    """Throw a draft away, with its states and transitions (each deletion recorded). Returns
    the definition's id, for the page to go back to."""
    version = _draft_locked(version_id, actor)
    for transition in version.transitions.all():
        _recorded(transition, actor).delete()
    for state in version.states.all():
        _recorded(state, actor).delete()
    definition_id = version.definition_id
    _recorded(version, actor).delete()
    return definition_id


# --- The difference between two versions ----------------------------------------------------

STATE_FIELDS = ("name_ar", "name_en", "category", "department_code", "sla_hours", "is_start",
                "transfer_department_codes")
TRANSITION_FIELDS = ("name_ar", "name_en", "to", "allowed_roles", "guards", "effects",
                     "comment_required", "document_required")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class ItemChange:
    """A state (key: its code) or a transition (key: "<from code>/<action>") added, removed or
    changed; `name_ar`/`name_en` are the newer names (the old ones when removed)."""

    key: str
    kind: str  # "added", "removed", "changed"
    name_ar: str
    name_en: str
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class VersionDiff:
    version_changes: tuple[FieldChange, ...]
    states: tuple[ItemChange, ...]
    transitions: tuple[ItemChange, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.version_changes or self.states or self.transitions)


def _items_diff(old: dict[str, dict], new: dict[str, dict],
                fields: tuple[str, ...]) -> tuple[ItemChange, ...]:
    changes = []
    for key, item in new.items():
        if key not in old:
            changes.append(ItemChange(key, "added", item["name_ar"], item["name_en"]))
            continue
        fields_changed = tuple(FieldChange(f, old[key].get(f), item.get(f)) for f in fields
                               if old[key].get(f) != item.get(f))
        if fields_changed:
            changes.append(ItemChange(key, "changed", item["name_ar"], item["name_en"],
                                      fields_changed))
    changes += [ItemChange(key, "removed", item["name_ar"], item["name_en"])
                for key, item in old.items() if key not in new]
    return tuple(changes)


def version_diff(*, old: dict, new: dict) -> VersionDiff:
    """What changed from `old` to `new`, both as `_content_dump` gives them (pure)."""
    version_changes = tuple(FieldChange("sla_hours", old.get("sla_hours"), new.get("sla_hours"))
                            for _ in [0] if old.get("sla_hours") != new.get("sla_hours"))
    return VersionDiff(
        version_changes=version_changes,
        states=_items_diff({s["code"]: s for s in old.get("states", [])},
                           {s["code"]: s for s in new.get("states", [])}, STATE_FIELDS),
        transitions=_items_diff(
            {f"{t['from']}/{t['action']}": t for t in old.get("transitions", [])},
            {f"{t['from']}/{t['action']}": t for t in new.get("transitions", [])},
            TRANSITION_FIELDS))
