"""Definitions as data: resolving which one applies, validating and publishing versions,
and moving them between municipalities as JSON."""

from collections import defaultdict, deque
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from amanah import clock
from amanah.enums import MunicipalityKind, OwningApp, StaffRole
from amanah.errors import DomainError, NotFound
from amanah.models import ACTIVE_DEPARTMENTS, Department, EService, Municipality, Person
from amanah.rollout import eservice_start_check
from amanah.statuses import StatusTransitions, row_lock_ensure, row_lock_mark

from .. import registry
from ..enums import ACTOR_APPLICANT, ACTOR_SYSTEM, StatusCategory, VersionStatus
from ..models import DefinitionVersion, State, Transition, WorkflowDefinition

EXPORT_FORMAT = "amanah.workflow/1"
KNOWN_ACTORS = frozenset({*StaffRole.values, ACTOR_APPLICANT, ACTOR_SYSTEM})


class DefinitionInvalid(DomainError):
    """Publishing refused; `problems` holds every rule the version breaks, not only the first."""

    def __init__(self, problems: list[DomainError]):
        first = problems[0]
        super().__init__(first.code, first.message_ar, first.message_en, field=first.field)
        self.problems = problems


def _problem(code: str, ar: str, en: str, field: str | None = None,
             targets: list[str] | tuple[str, ...] = ()) -> DomainError:
    """A broken rule. `targets` names what it concerns — `state:<code>` or
    `transition:<id>` — so the designer can show it next to that box or arrow; a rule about
    the whole version has none."""
    problem = DomainError(f"workflow.validation.{code}", ar, en, field=field)
    problem.targets = tuple(targets)
    return problem


def state_target(code: str) -> str:
    return f"state:{code}"


def transition_target(transition_id: int) -> str:
    return f"transition:{transition_id}"


def _fallback_municipalities(municipality: Municipality) -> list[Municipality]:
    """The municipality itself, then its Amanah (the parent, or the Amanah row itself)."""
    chain = [municipality]
    if municipality.parent_id:
        chain.append(municipality.parent)
    elif municipality.kind != MunicipalityKind.AMANAH:
        amanah = Municipality.objects.filter(kind=MunicipalityKind.AMANAH).first()
        if amanah is not None:
            chain.append(amanah)
    return chain


def department_resolve(*, code: str, municipality: Municipality) -> Department | None:
    """The department with `code` in the municipality, else the Amanah's central one."""
    if not code:
        return None
    chain = _fallback_municipalities(municipality)
    found = {d.municipality_id: d for d in Department.objects.filter(
        code=code, is_active=True, municipality__in=chain).select_related("municipality")}
    return next((found[m.pk] for m in chain if m.pk in found), None)


@dataclass(frozen=True)
class FrozenVersion:
    """What routing and every step read of a published (or retired) version. The objects are
    shared by every case of the process: read them, never change them."""

    states: dict[int, State]
    transitions_from: dict[int, tuple[Transition, ...]]  # from-state id → in definition order


# A version leaves the draft status once and for all (VERSION_TRANSITIONS) and is frozen from
# then on — only drafts are edited (`State.clean`, `Transition.clean`, and every service writes
# drafts only) — so each process keeps what it reads of one, by version id, with no expiry.
_FROZEN: dict[int, FrozenVersion] = {}
_FROZEN_KEPT_AT_MOST = 256


def frozen_version_get(*, version_id: int) -> FrozenVersion | None:
    """The frozen version's states and transitions, or None for a draft (read it afresh)."""
    found = _FROZEN.get(version_id)
    if found is not None:
        return found
    status = (DefinitionVersion.objects.filter(pk=version_id)
              .values_list("status", flat=True).first())
    if status is None or status == VersionStatus.DRAFT:
        return None
    states = {state.pk: state for state in State.objects.filter(version_id=version_id)}
    by_state: dict[int, list[Transition]] = defaultdict(list)
    for transition in Transition.objects.filter(version_id=version_id).order_by("position",
                                                                                  "id"):
        transition.from_state = states[transition.from_state_id]
        transition.to_state = states[transition.to_state_id]
        by_state[transition.from_state_id].append(transition)
    found = FrozenVersion(states=states, transitions_from={
        state_id: tuple(transitions) for state_id, transitions in by_state.items()})
    if len(_FROZEN) >= _FROZEN_KEPT_AT_MOST:
        _FROZEN.clear()
    _FROZEN[version_id] = found
    return found


def transitions_from(*, version_id: int, state_id: int) -> tuple[Transition, ...]:
    """The transitions leaving a state, in the definition's order, with their target states."""
    frozen = frozen_version_get(version_id=version_id)
    if frozen is not None:
        return frozen.transitions_from.get(state_id, ())
    return tuple(Transition.objects.filter(from_state_id=state_id)
                 .select_related("to_state").order_by("position", "id"))


def frozen_versions_forget() -> None:
    """Drop this process's copies (tests: ids of a flushed database may come back)."""
    _FROZEN.clear()


def step_department_resolve(*, code: str, municipality: Municipality) -> Department | None:
    """`department_resolve` for a case entering a step, from this process's copy of the active
    departments (`ACTIVE_DEPARTMENTS`): no query. The object is shared: never change it."""
    if not code:
        return None
    active = ACTIVE_DEPARTMENTS.get().by_code
    return next((active[m.pk, code] for m in _fallback_municipalities(municipality)
                 if (m.pk, code) in active), None)


def definition_resolve(*, code: str, municipality: Municipality) -> DefinitionVersion:
    """The published version of the kind `code` for the municipality, or the Amanah's."""
    chain = _fallback_municipalities(municipality)
    versions = {v.definition.municipality_id: v for v in DefinitionVersion.objects.filter(
        definition__code=code, definition__municipality__in=chain,
        status=VersionStatus.PUBLISHED).select_related("definition__municipality",
                                                       "definition__eservice")}
    for candidate in chain:
        if candidate.pk in versions:
            return versions[candidate.pk]
    raise NotFound("workflow.definition_not_found",
                   "هذه المعاملة غير متاحة في هذه البلدية.",
                   "This kind of transaction is not offered in this municipality.",
                   field="kind")


def definition_start_check(*, definition: WorkflowDefinition, municipality: Municipality,
                           user=None, person: Person | None = None) -> None:
    """A case of a procedure that serves an e-service is started only where, and by whom, that
    e-service's rollout allows. Internal procedures (no e-service) are started by code only and
    are not subject to rollout. Either the submitting user or the applicant may qualify for a
    pilot (see `amanah.rollout`)."""
    if definition.eservice_id is None:
        return
    eservice_start_check(eservice=definition.eservice, municipality=municipality, user=user,
                         person=person, field="kind")


def definition_is_offered_online(definition: WorkflowDefinition) -> bool:
    """Citizens start it on the portal's own "new transaction" form: it serves an e-service of
    the workflow app. Internal procedures are started by code, and procedures serving another
    app's e-service (a permit, an objection) start on that app's page, which asks what it
    needs."""
    return (definition.eservice_id is not None
            and definition.eservice.owning_app == OwningApp.WORKFLOW)


def version_validate(*, version: DefinitionVersion) -> list[DomainError]:
    """Every rule the version breaks; an empty list means it may be published."""
    states = list(version.states.all())
    transitions = list(version.transitions.all())
    problems: list[DomainError] = []
    by_id = {s.pk: s for s in states}

    starts = [s for s in states if s.is_start]
    if len(starts) != 1:
        problems.append(_problem(
            "start_state", f"يجب أن تكون هناك حالة بداية واحدة بالضبط (يوجد {len(starts)}).",
            f"There must be exactly one start state (found {len(starts)}).", "states",
            [state_target(s.code) for s in starts] if len(starts) > 1 else ()))

    foreign = [t for t in transitions if t.from_state_id not in by_id or t.to_state_id not in by_id]
    if foreign:
        problems.append(_problem(
            "foreign_state", "انتقال يشير إلى حالة من إصدار آخر.",
            "A transition points to a state of another version.", "transitions",
            [transition_target(t.pk) for t in foreign]))

    outgoing: dict[int, list[int]] = defaultdict(list)
    incoming: dict[int, list[int]] = defaultdict(list)
    for t in transitions:
        outgoing[t.from_state_id].append(t.to_state_id)
        incoming[t.to_state_id].append(t.from_state_id)

    if len(starts) == 1:
        seen = _reach(starts[0].pk, outgoing)
        unreachable = sorted(s.code for s in states if s.pk not in seen)
        if unreachable:
            names = ", ".join(unreachable)
            problems.append(_problem(
                "unreachable_state", f"حالات لا يمكن الوصول إليها من البداية: {names}",
                f"States not reachable from the start: {names}", "states",
                [state_target(code) for code in unreachable]))

    terminals = [s.pk for s in states if s.is_terminal]
    can_finish: set[int] = set()
    for terminal in terminals:
        can_finish |= _reach(terminal, incoming)
    stuck = sorted(s.code for s in states if s.pk not in can_finish)
    if stuck:
        names = ", ".join(stuck)
        problems.append(_problem(
            "no_terminal_path", f"حالات لا يمكن أن تنتهي منها المعاملة: {names}",
            f"States from which no final state can be reached: {names}", "states",
            [state_target(code) for code in stuck]))

    guards, effects = registry.guard_names(), registry.effect_names()
    unknown_guards = sorted({g for t in transitions for g in t.guards} - guards)
    if unknown_guards:
        names = ", ".join(unknown_guards)
        problems.append(_problem("unknown_guard", f"شروط غير مسجلة في النظام: {names}",
                                 f"Guards not registered in the system: {names}", "guards",
                                 [transition_target(t.pk) for t in transitions
                                  if set(t.guards) - guards]))
    unknown_effects = sorted({e for t in transitions for e in t.effects} - effects)
    if unknown_effects:
        names = ", ".join(unknown_effects)
        problems.append(_problem("unknown_effect", f"آثار غير مسجلة في النظام: {names}",
                                 f"Effects not registered in the system: {names}", "effects",
                                 [transition_target(t.pk) for t in transitions
                                  if set(t.effects) - effects]))

    unknown_roles = sorted({r for t in transitions for r in t.allowed_roles} - KNOWN_ACTORS)
    no_actor = sorted(t.action for t in transitions if not t.allowed_roles)
    if unknown_roles or no_actor:
        names = ", ".join(unknown_roles + no_actor)
        problems.append(_problem("bad_actor", f"أدوار غير معروفة أو انتقالات بلا منفذ: {names}",
                                 f"Unknown roles or transitions nobody may take: {names}",
                                 "allowed_roles",
                                 [transition_target(t.pk) for t in transitions
                                  if not t.allowed_roles
                                  or set(t.allowed_roles) - KNOWN_ACTORS]))

    problems.extend(_ownership_problems(version, states))
    return problems


def _ownership_problems(version: DefinitionVersion, states: list[State]) -> list[DomainError]:
    unowned = sorted(s.code for s in states if not s.department_code)
    if unowned:
        names = ", ".join(unowned)
        return [_problem("state_unowned", f"حالات بلا إدارة مالكة: {names}",
                         f"States without an owning department: {names}", "department_code",
                         [state_target(code) for code in unowned])]
    # A code must resolve somewhere: in the definition's municipality or, failing that, the
    # Amanah — the same fallback cases use — or the case would land in nobody's queue.
    chain = _fallback_municipalities(version.definition.municipality)
    known = set(Department.objects.filter(municipality__in=chain, is_active=True)
                .values_list("code", flat=True))
    transfer_codes = {c for s in states for c in s.transfer_department_codes}
    missing = sorted(({s.department_code for s in states} | transfer_codes) - known)
    if missing:
        names = ", ".join(missing)
        return [_problem("state_unowned", f"رموز إدارات غير موجودة: {names}",
                         f"Department codes that do not exist: {names}", "department_code",
                         [state_target(s.code) for s in states
                          if ({s.department_code, *s.transfer_department_codes}
                              & set(missing))])]
    return []


def _reach(start: int, edges: dict[int, list[int]]) -> set[int]:
    seen, todo = {start}, deque([start])
    while todo:
        for nxt in edges.get(todo.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


# A version is edited as a draft, published once it validates, and retired when a newer one
# is published; published and retired versions are frozen (running cases depend on them).
VERSION_TRANSITIONS = StatusTransitions("workflow.version", VersionStatus, {
    VersionStatus.DRAFT: {VersionStatus.PUBLISHED},
    VersionStatus.PUBLISHED: {VersionStatus.RETIRED},
})


def _version_qs_for_update():
    return DefinitionVersion.objects.select_for_update(of=("self",))


def version_status_change(*, version: DefinitionVersion, to_status: str,
                          actor=None) -> DefinitionVersion:
    """The one writer of `DefinitionVersion.status`: under the version's lock, only along
    VERSION_TRANSITIONS. Its event is the configuration-history record the save writes (who,
    when, from what), the trail admins read for every configuration change."""
    row_lock_ensure(version, _version_qs_for_update())
    VERSION_TRANSITIONS.check(version.status, to_status)
    version.status = to_status
    fields = ["status"]
    if to_status == VersionStatus.PUBLISHED:
        version.published_at = clock.now()
        version.published_by = actor if getattr(actor, "pk", None) else None
        fields += ["published_at", "published_by"]
    if getattr(actor, "pk", None):
        version._history_user = actor
    version.save(update_fields=fields)
    return version


@transaction.atomic
def version_publish(*, version_id: int, actor=None) -> DefinitionVersion:
    """Publish a valid draft; the previously published version is retired (its cases keep it)."""
    version = row_lock_mark(_version_qs_for_update()
                            .select_related("definition__municipality").get(pk=version_id))
    # The definition row is the lock that serialises two publishes of the same procedure.
    WorkflowDefinition.objects.select_for_update().get(pk=version.definition_id)
    if version.status != VersionStatus.DRAFT:
        raise DomainError("workflow.version_not_draft", "يمكن نشر المسودات فقط.",
                          "Only a draft can be published.")
    problems = version_validate(version=version)
    if problems:
        raise DefinitionInvalid(problems)
    # One by one (there is at most one), not with .update(): the retirement must land in the
    # configuration history like every other change.
    for retired in _version_qs_for_update().filter(definition_id=version.definition_id,
                                                    status=VersionStatus.PUBLISHED):
        version_status_change(version=row_lock_mark(retired), to_status=VersionStatus.RETIRED,
                              actor=actor)
    return version_status_change(version=version, to_status=VersionStatus.PUBLISHED,
                                 actor=actor)


@transaction.atomic
def version_draft_create(*, definition_id: int,
                         from_version_id: int | None = None) -> DefinitionVersion:
    """A new editable draft, copied from `from_version_id` (default: the newest version)."""
    definition = WorkflowDefinition.objects.select_for_update().get(pk=definition_id)
    source = (DefinitionVersion.objects.get(pk=from_version_id, definition=definition)
              if from_version_id else definition.versions.order_by("-number").first())
    number = (definition.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = DefinitionVersion.objects.create(
        definition=definition, number=number, status=VersionStatus.DRAFT,
        sla_hours=source.sla_hours if source else None, notes="")
    if source is not None:
        _content_load(draft, _content_dump(source))
    return draft


def _content_dump(version: DefinitionVersion) -> dict:
    states = list(version.states.order_by("position", "id"))
    codes = {s.pk: s.code for s in states}
    return {
        "sla_hours": version.sla_hours,
        "states": [{
            "code": s.code, "name_ar": s.name_ar, "name_en": s.name_en,
            "category": s.category, "department_code": s.department_code,
            "sla_hours": s.sla_hours, "is_start": s.is_start,
            "transfer_department_codes": list(s.transfer_department_codes),
        } for s in states],
        "transitions": [{
            "action": t.action, "name_ar": t.name_ar, "name_en": t.name_en,
            "from": codes[t.from_state_id], "to": codes[t.to_state_id],
            "allowed_roles": list(t.allowed_roles), "comment_required": t.comment_required,
            "document_required": t.document_required, "guards": list(t.guards),
            "effects": list(t.effects),
        } for t in version.transitions.order_by("position", "id")],
    }


def _content_load(version: DefinitionVersion, content: dict) -> None:
    categories = set(StatusCategory.values)
    states: dict[str, State] = {}
    for position, raw in enumerate(content.get("states", [])):
        if raw.get("category") not in categories:
            raise _import_error(f"state {raw.get('code')!r} has an unknown category")
        if raw["code"] in states:
            raise _import_error(f"state {raw['code']!r} appears twice")
        states[raw["code"]] = State.objects.create(
            version=version, code=raw["code"], name_ar=raw["name_ar"], name_en=raw["name_en"],
            category=raw["category"], department_code=raw.get("department_code", ""),
            sla_hours=raw.get("sla_hours"), is_start=bool(raw.get("is_start")),
            transfer_department_codes=list(raw.get("transfer_department_codes", [])),
            position=position)
    seen: set[tuple[str, str]] = set()
    for position, raw in enumerate(content.get("transitions", [])):
        if raw.get("from") not in states or raw.get("to") not in states:
            raise _import_error(f"transition {raw.get('action')!r} names an unknown state")
        if (raw["from"], raw["action"]) in seen:
            raise _import_error(f"transition {raw['action']!r} appears twice on {raw['from']!r}")
        seen.add((raw["from"], raw["action"]))
        Transition.objects.create(
            version=version, action=raw["action"], name_ar=raw["name_ar"],
            name_en=raw["name_en"], from_state=states[raw["from"]], to_state=states[raw["to"]],
            allowed_roles=list(raw.get("allowed_roles", [])),
            comment_required=bool(raw.get("comment_required")),
            document_required=bool(raw.get("document_required")),
            guards=list(raw.get("guards", [])), effects=list(raw.get("effects", [])),
            position=position)


def _import_error(detail: str) -> DomainError:
    return DomainError("workflow.import_invalid", f"ملف التعريف غير صالح: {detail}",
                       f"The definition file is not valid: {detail}")


def definition_export(*, version: DefinitionVersion) -> dict:
    """A version as plain JSON-able data, free of ids, to load into any municipality."""
    definition = version.definition
    return {
        "format": EXPORT_FORMAT,
        "code": definition.code, "name_ar": definition.name_ar, "name_en": definition.name_en,
        "description_ar": definition.description_ar,
        "description_en": definition.description_en,
        "case_prefix": definition.case_prefix,
        "eservice": definition.eservice.code if definition.eservice_id else None,
        "source": {"municipality": definition.municipality.code, "version": version.number},
        **_content_dump(version),
    }


def _import_eservice(data: dict) -> EService | None:
    """The e-service a file names. A file made before procedures named one carries no key: it
    is linked to the e-service of its own code, as the migration linked existing definitions,
    so an old file never turns a public procedure into one that ignores rollout. `null` means
    an internal procedure; a code the catalogue does not have is refused."""
    if "eservice" not in data:
        return EService.objects.filter(code=data["code"]).first()
    code = data["eservice"]
    if code in (None, ""):
        return None
    eservice = EService.objects.filter(code=code).first() if isinstance(code, str) else None
    if eservice is None:
        raise _import_error(f"the e-service {code!r} is not in the catalogue")
    return eservice


@transaction.atomic
def definition_import(*, data: dict, municipality: Municipality, publish: bool = False,
                      actor=None) -> DefinitionVersion:
    """Load exported data as a new draft version of (code, municipality); publish on request.
    The definition's e-service comes from the file when the definition is new, or fills an
    empty one; a file naming a different e-service than the definition's is refused."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise _import_error(f"expected format {EXPORT_FORMAT!r}")
    missing = [k for k in ("code", "name_ar", "name_en", "states", "transitions")
               if k not in data]
    if missing:
        raise _import_error("missing " + ", ".join(missing))
    eservice = _import_eservice(data)
    try:
        definition, _ = WorkflowDefinition.objects.get_or_create(
            code=data["code"], municipality=municipality,
            defaults={"name_ar": data["name_ar"], "name_en": data["name_en"],
                      "description_ar": data.get("description_ar", ""),
                      "description_en": data.get("description_en", ""),
                      "case_prefix": data.get("case_prefix", ""), "eservice": eservice})
        definition = WorkflowDefinition.objects.select_for_update().get(pk=definition.pk)
        if eservice is not None and definition.eservice_id != eservice.pk:
            if definition.eservice_id is not None:
                raise _import_error(f"it names the e-service {eservice.code!r}, but "
                                    f"{definition.code!r} here serves another one")
            definition.eservice = eservice
            definition.save(update_fields=["eservice"])
        number = (definition.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = DefinitionVersion.objects.create(
            definition=definition, number=number, sla_hours=data.get("sla_hours"),
            notes=f"Imported from {data.get('source', {}).get('municipality', '?')}")
        _content_load(version, data)
    except (KeyError, TypeError) as exc:
        raise _import_error(f"missing or malformed field {exc}") from exc
    if publish:
        version = version_publish(version_id=version.pk, actor=actor)
    return version


def definitions_published_for(*, municipality: Municipality) -> list[DefinitionVersion]:
    """The kinds published for `municipality`: its own, else the Amanah's. Which of them a
    person may start there is `selectors.case_kind_list_startable`'s to say (rollout)."""
    chain = _fallback_municipalities(municipality)
    rank = {m.pk: i for i, m in enumerate(chain)}
    best: dict[str, DefinitionVersion] = {}
    for v in (DefinitionVersion.objects.filter(status=VersionStatus.PUBLISHED,
                                               definition__municipality__in=chain)
              .select_related("definition")):
        code = v.definition.code
        if code not in best or (rank[v.definition.municipality_id]
                                < rank[best[code].definition.municipality_id]):
            best[code] = v
    return sorted(best.values(), key=lambda v: v.definition.code)


