"""Moving a case from step to step: the row lock, the hash-chained event, and the two writers
of a case's status fields — `case_step_take` (its step: `state` and `category`) and
`case_sla_status_change` (`sla_status`). Nothing else assigns those fields."""

import datetime as dt
import logging

from django.db import OperationalError, connection

from amanah import clock
from amanah.db import insert_and_update
from amanah.errors import DomainError
from amanah.events import AppendOnlyError
from amanah.models import Department, StaffMembership
from amanah.statuses import StatusTransitions, row_lock_ensure, row_lock_mark

from .. import registry
from ..enums import ACTOR_SYSTEM, ActorKind, CaseEventKind, SlaStatus, StatusCategory
from ..models import Case, CaseEvent, State, Transition
from ..working_time import sla_window
from . import errors
from .acting import ActingAs
from .definitions import step_department_resolve
from .documents import attachment_store, document_check

logger = logging.getLogger(__name__)

_CASE_RELATED = ("state", "version", "department", "municipality__parent")


def case_qs_for_update(*, nowait: bool = False):
    """The one way a case row is locked. FOR NO KEY UPDATE: it keeps other writers of the case
    out, but does not block rows that merely point at the case (a payment's request to move it,
    a comment) from being inserted by other transactions while a clerk holds it."""
    return Case.objects.select_for_update(nowait=nowait, no_key=True, of=("self",))


def case_lock(case_id: int, *, expected_version: int | None = None,
              nowait: bool = True, related: tuple[str, ...] | None = _CASE_RELATED) -> Case:
    """Lock the case row. Staff actions fail fast (nowait): the second of two people acting at
    once gets a clear conflict instead of waiting and then acting on a stale screen. `related`
    narrows what is read with it, for a caller that has the rest at hand; None reads the case
    row alone (`_case_row_lock`)."""
    try:
        if related is None:
            case = _case_row_lock(case_id, nowait=nowait)
        else:
            case = case_qs_for_update(nowait=nowait).select_related(*related).get(pk=case_id)
    except Case.DoesNotExist:
        raise errors.case_not_found() from None
    except OperationalError as exc:
        raise errors.case_busy() from exc
    if expected_version is not None and case.row_version != expected_version:
        raise errors.case_changed()
    _columns_remember(case)
    return row_lock_mark(case)


# The statement of `case_qs_for_update` for one case id, by `nowait`, with the converters of its
# columns: compiled once per process, since compiling it was most of a lock's Python time.
_ROW_LOCK_COMPILED: dict[bool, tuple[str, list, list[str]]] = {}


def _case_row_lock(case_id: int, *, nowait: bool) -> Case:
    """The case row alone, locked by `case_qs_for_update`'s own statement."""
    compiled = _ROW_LOCK_COMPILED.get(nowait)
    if compiled is None:
        compiler = case_qs_for_update(nowait=nowait).filter(pk=0).query.get_compiler(
            connection=connection)
        sql, params = compiler.as_sql()
        if tuple(params) != (0,):  # the id must be its only parameter
            raise RuntimeError(f"unexpected parameters of the case lock: {params!r}")
        columns = [column for column, _, _ in compiler.select]
        names = [column.target.attname for column in columns]
        if names != [f.attname for f in Case._meta.concrete_fields]:
            raise RuntimeError("the case lock does not read the case's columns in order")
        converters = compiler.get_converters(columns)
        compiled = _ROW_LOCK_COMPILED[nowait] = (sql, converters, names)
    sql, converters, names = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id])
        row = cursor.fetchone()
    if row is None:
        raise Case.DoesNotExist
    if converters:
        (row,) = _rows_convert([row], converters)
    return Case.from_db(connection.alias, names, row)


def _rows_convert(rows: list, converters: dict) -> list:
    from django.db.models.sql.compiler import SQLCompiler

    # apply_converters uses no state of the compiler but the connection it is given.
    converter = SQLCompiler(None, connection, connection.alias)
    return list(converter.apply_converters(rows, converters))


def _columns_remember(case: Case) -> None:
    # What the row held when locked: `case_save` then writes only the columns that changed.
    case._columns_locked = {f.attname: getattr(case, f.attname)
                            for f in Case._meta.concrete_fields}


def _case_relock(case: Case) -> None:
    row_lock_ensure(case, case_qs_for_update())


def case_event_append(case: Case, *, kind: str, at: dt.datetime, actor=None,
                      acting: ActingAs | None = None, action: str = "",
                      from_state: State | None = None, to_state: State | None = None,
                      from_department: Department | None = None,
                      to_department: Department | None = None, from_status: str = "",
                      to_status: str = "", reason: str = "",
                      payload: dict | None = None, message: str = "",
                      internal_note: str = "", save: bool = True) -> CaseEvent:
    """Add the next link of the case's hash chain (the case row is locked by the caller, who
    saves the case — with its new head — in the same transaction). `save=False` leaves the
    event for `case_save(case, event=…)` to write together with the case.

    `message` (for the applicant) and `internal_note` (staff only) are kept where
    `CaseEvent` says for the kind; `reason` is for the kinds that carry a single text."""
    acting = acting or ActingAs(ActorKind.SYSTEM, ACTOR_SYSTEM, None)
    if message or internal_note:
        reason, texts = CaseEvent.texts_stored(kind, message=message,
                                               internal_note=internal_note)
        payload = {**(payload or {}), **texts}
    event = CaseEvent(
        kind=kind, action=action, actor=actor, actor_kind=acting.kind, actor_role=acting.role,
        department_id=acting.department_id, from_state=from_state, to_state=to_state,
        from_department=from_department, to_department=to_department,
        from_status=from_status, to_status=to_status, reason=reason, payload=payload or {},
        at=at)
    event.link(case)
    if case.pk is not None and save:
        event.save()
    return event


def staff_texts_check(acting: ActingAs, *, internal_note: str) -> str:
    """An internal note is written by staff only; the applicant's side has no such thing."""
    internal_note = (internal_note or "").strip()
    if internal_note and acting.kind != ActorKind.STAFF:
        raise DomainError("workflow.internal_note_staff_only",
                          "الملاحظة الداخلية لموظفي البلدية فقط.",
                          "Only municipal staff can write an internal note.",
                          field="internal_note")
    return internal_note


def applicant_message_send(event: CaseEvent) -> None:
    """Send the applicant, after the commit, the message a member of staff wrote them (the
    notification the `notify_applicant` effect makes), recorded in this transaction."""
    if event.actor_kind == ActorKind.STAFF and event.message:
        from ..notify import case_applicant_notify

        case_applicant_notify(case=event.case, event=event)


def case_open_check(case: Case) -> None:
    if not case.is_open:
        raise errors.case_closed()


def case_save(case: Case, *, event: CaseEvent | None = None) -> None:
    """Save a locked case: a full row when it was not read by `case_lock`, else only the
    columns that changed (an UPDATE of ~28 columns is most of a routing's SQL work). `event`,
    its newest link still unsaved, is inserted with it — in the same statement when the case
    was read by `case_lock` (a round trip fewer per move)."""
    if event is not None and (event.pk is not None or not event._state.adding):
        raise AppendOnlyError("CaseEvent rows are append-only")
    case.row_version += 1
    locked = getattr(case, "_columns_locked", None)
    if locked is None:
        if event is not None:
            event.save()
        case.save()
        return
    changed = [name for name, value in locked.items() if getattr(case, name) != value]
    # `updated_at` is auto_now: written only when named.
    if event is None:
        case.save(update_fields={*changed, "updated_at"})
    else:
        insert_and_update(event, case, update_fields={*changed, "updated_at"})
    _columns_remember(case)


def _effects_schedule(case: Case, transition: Transition, event: CaseEvent) -> None:
    """Effects run now, inside the transaction, and only schedule work (through
    amanah.dispatch.task_on_commit or an outbox row), so nothing leaves before the commit."""
    for name in transition.effects:
        effect = registry.effect_get(name)
        if effect is None:
            logger.error("workflow: effect %r of %s is not registered", name, transition.action)
            continue
        effect(case_id=case.pk, event_id=event.pk)


def guard_refusal(case: Case, transition: Transition, user) -> DomainError | None:
    """Why the transition's guards refuse it for `user` now, or None when they all pass.

    Used both when the action is taken (with the case locked) and when the case page lists
    the actions, so a button is never offered that its guard would then refuse.
    """
    for name in transition.guards:
        guard = registry.guard_get(name)
        if guard is None:
            return DomainError("workflow.guard_missing", "شرط الإجراء غير معرف في النظام.",
                               f"The action's guard {name!r} is not registered.")
        try:
            if guard(case=case, transition=transition, actor=user) is False:
                return DomainError("workflow.guard_refused",
                                   "لا تتحقق شروط هذا الإجراء بعد.",
                                   "The conditions for this action are not met yet.",
                                   field="action")
        except DomainError as refusal:
            return refusal
    return None


def guards_check(case: Case, transition: Transition, user) -> None:
    refusal = guard_refusal(case, transition, user)
    if refusal is not None:
        raise refusal


def _resume_holder(case: Case, transition: Transition) -> tuple[Department | None, object]:
    """Who takes a case the applicant sends back after a return for correction:
    (department, assignee), or (None, None) for the target step's own department.

    The department that returned it, not the step's owner. A step may have been referred
    (إحالة) to another department — legal, engineering — and it is that department that asked
    the applicant for the correction: it knows what it asked for and is waiting for it. In a
    municipality the corrected papers go back to the desk that sent them out, not to the start
    of the step's queue, where they would have to be referred again and lose the time the
    referral took. The events say who had it: the return event's `from_department`. The same
    member of staff gets it back if they still work there, so it does not sit unclaimed.

    Only when the case resumes into the step it was returned from. A definition that sends a
    resumed case elsewhere (e.g. back to intake) says so explicitly, and that step's own
    department takes it. One or two queries, only on a resume.
    """
    if case.category != StatusCategory.AWAITING_APPLICANT or transition.to_state.is_terminal \
            or transition.to_state.category == StatusCategory.AWAITING_APPLICANT:
        return None, None
    returned = (CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION,
                                         to_state__category=StatusCategory.AWAITING_APPLICANT)
                .select_related("from_department", "actor").order_by("-seq").first())
    if (returned is None or returned.from_department is None
            or returned.from_state_id != transition.to_state_id):
        return None, None
    assignee = returned.actor
    if assignee is not None and not StaffMembership.objects.filter(
            user_id=assignee.pk, department_id=returned.from_department_id,
            is_active=True).exists():
        assignee = None
    return returned.from_department, assignee


def step_department(case: Case, state: State, *,
                    department: Department | None = None) -> Department | None:
    """Who holds a case in `state`: `department` when the caller knows better (a resumed case
    goes back to the desk that returned it), else the state's owning department in the case's
    municipality (or the Amanah's). Refuses a step no department of the municipality handles."""
    if department is None:
        department = step_department_resolve(code=state.department_code,
                                             municipality=case.municipality)
    if state.department_code and department is None:
        raise DomainError("workflow.department_missing",
                          "لا توجد إدارة مسؤولة عن هذه المرحلة في البلدية.",
                          "No department in this municipality handles this step.")
    return department


def step_clock(state: State, at: dt.datetime) -> dict:
    """The step clock of a case entering `state` at `at` (closed when the state is final)."""
    if state.is_terminal:
        return {"closed_at": at, "state_at_risk_at": None, "state_due_at": None}
    at_risk, due = sla_window(at, state.sla_hours)
    return {"closed_at": None, "state_at_risk_at": at_risk, "state_due_at": due}


def sla_status_on_entry(case: Case, at: dt.datetime) -> str:
    """A new step starts on track, unless the whole case is already past its deadline."""
    return SlaStatus.OVERDUE if case.due_at is not None and case.due_at <= at \
        else SlaStatus.ON_TRACK


# Where a case's SLA status may go. Back to on track only when a new step starts.
SLA_TRANSITIONS = StatusTransitions("workflow.sla", SlaStatus, {
    SlaStatus.ON_TRACK: {SlaStatus.AT_RISK, SlaStatus.OVERDUE},
    SlaStatus.AT_RISK: {SlaStatus.OVERDUE, SlaStatus.ON_TRACK},
    SlaStatus.OVERDUE: {SlaStatus.ON_TRACK},
})
_SLA_EVENT = {SlaStatus.AT_RISK: CaseEventKind.SLA_AT_RISK,
              SlaStatus.OVERDUE: CaseEventKind.SLA_OVERDUE,
              SlaStatus.ON_TRACK: CaseEventKind.SLA_RESTARTED}


def case_sla_status_change(*, case: Case, to_status: str, at: dt.datetime) -> CaseEvent:
    """The one writer of `Case.sla_status`: the case locked, the move checked against
    SLA_TRANSITIONS, one event. The caller saves the case (`case_save`) in the same
    transaction."""
    _case_relock(case)
    SLA_TRANSITIONS.check(case.sla_status, to_status)
    from_status = case.sla_status
    case.sla_status = to_status
    return case_event_append(case, kind=_SLA_EVENT[to_status], at=at,
                             to_department=case.department, from_status=from_status,
                             to_status=to_status)


def case_step_take(case: Case, transition: Transition, *, user, acting: ActingAs,
                   comment: str, document, kind: str = CaseEventKind.TRANSITION,
                   internal_note: str = "") -> CaseEvent:
    """The one writer of a case's step (`state`, `category`): only along a transition that
    leaves the step the case is in (the definition's transitions are the table of allowed
    moves), by an actor the caller has checked, when the guards pass. Checks first, writes
    after: a refusal leaves the case, its events and its documents exactly as they were.

    `comment` is what the applicant is told (a required comment is this one: the definition
    asks that the applicant be told why); staff may add an `internal_note` for colleagues."""
    _case_relock(case)
    if transition.from_state_id != case.state_id or not case.is_open:
        raise errors.action_not_available(transition.action)
    internal_note = staff_texts_check(acting, internal_note=internal_note)
    comment = (comment or "").strip()
    if transition.comment_required and not comment:
        raise errors.required("workflow.comment_required", "comment", "التعليق", "A comment")
    if transition.document_required and document is None:
        raise errors.required("workflow.document_required", "document", "المرفق", "A document")
    checked = document_check(document)
    guards_check(case, transition, user)

    at = clock.now()
    from_state, department_before, target = case.state, case.department, transition.to_state
    holder, assignee = _resume_holder(case, transition)
    department = step_department(case, target, department=holder)
    case.state = target
    case.category = target.category
    case.state_entered_at = at
    for name, value in step_clock(target, at).items():
        setattr(case, name, value)
    if department is not None and department.pk != case.department_id:
        case.department = department
        case.assignee = None
    if assignee is not None:
        case.assignee = assignee
    event = case_event_append(
        case, kind=kind, at=at, actor=user, acting=acting, action=transition.action,
        from_state=from_state, to_state=target, from_department=department_before,
        to_department=case.department, from_status=from_state.category,
        to_status=target.category, message=comment, internal_note=internal_note,
        payload={"document": True} if document is not None else None, save=False)
    if checked is not None:
        attachment_store(case, checked, user=user, at=at, event_seq=event.seq)
    entry_sla = sla_status_on_entry(case, at)
    if case.sla_status != entry_sla:
        event.save()  # before the SLA event, its next link
        case_sla_status_change(case=case, to_status=entry_sla, at=at)
        case_save(case)
    else:
        case_save(case, event=event)
    _effects_schedule(case, transition, event)
    if "notify_applicant" not in transition.effects:  # else the effect sends it already
        applicant_message_send(event)
    return event


def transition_find(case: Case, action: str) -> Transition:
    transition = (Transition.objects.filter(from_state_id=case.state_id, action=action)
                  .select_related("to_state").first())
    if transition is None:
        raise errors.action_not_available(action)
    return transition

