"""Moving a case from step to step: the row lock, the hash-chained event, the one place a
case's step changes (`case_step_take`), guards before and effects after the commit."""

import datetime as dt
import logging
from functools import partial

from django.db import OperationalError, transaction

from amanah import clock
from amanah.errors import DomainError
from amanah.models import Department, StaffMembership

from .. import registry
from ..enums import ACTOR_SYSTEM, ActorKind, CaseEventKind, SlaStatus, StatusCategory
from ..models import Case, CaseEvent, State, Transition
from ..working_time import sla_window
from . import errors
from .acting import ActingAs
from .definitions import department_resolve
from .documents import attachment_store, document_check

logger = logging.getLogger(__name__)


# --- Internals shared by every change ----------------------------------------------------


def case_lock(case_id: int, *, expected_version: int | None = None,
               nowait: bool = True) -> Case:
    """Lock the case row. Staff actions fail fast (nowait): the second of two people acting at
    once gets a clear conflict instead of waiting and then acting on a stale screen."""
    queryset = Case.objects.select_for_update(nowait=nowait, of=("self",)).select_related(
        "state", "version", "department", "municipality__parent")
    try:
        case = queryset.get(pk=case_id)
    except Case.DoesNotExist:
        raise errors.case_not_found() from None
    except OperationalError as exc:
        raise errors.case_busy() from exc
    if expected_version is not None and case.row_version != expected_version:
        raise errors.case_changed()
    return case


def case_event_append(case: Case, *, kind: str, at: dt.datetime, actor=None,
                  acting: ActingAs | None = None, action: str = "",
                  from_state: State | None = None, to_state: State | None = None,
                  from_department: Department | None = None,
                  to_department: Department | None = None,
                  comment: str = "", data: dict | None = None) -> CaseEvent:
    """Add the next link of the case's hash chain. The case row is locked by the caller."""
    acting = acting or ActingAs(ActorKind.SYSTEM, ACTOR_SYSTEM, None)
    event = CaseEvent(
        case=case, seq=case.last_event_seq + 1, kind=kind, action=action, actor=actor,
        actor_kind=acting.kind, actor_role=acting.role, department_id=acting.department_id,
        from_state=from_state, to_state=to_state, from_department=from_department,
        to_department=to_department, comment=comment, data=data or {}, created_at=at,
        prev_hash=case.last_event_hash)
    event.hash = event.compute_hash()
    event.save()
    case.last_event_seq = event.seq
    case.last_event_hash = event.hash
    return event


def _state_enter(case: Case, state: State, at: dt.datetime, *,
                 department: Department | None = None) -> Department | None:
    """Put the case in `state`: its owning department (or `department`, when the caller knows
    better who must hold it), a fresh step clock. Returns the department the case left, if it
    changed."""
    previous = case.department
    if department is None:
        department = department_resolve(code=state.department_code,
                                        municipality=case.municipality)
    if state.department_code and department is None:
        raise DomainError("workflow.department_missing",
                          "لا توجد إدارة مسؤولة عن هذه المرحلة في البلدية.",
                          "No department in this municipality handles this step.")
    case.state = state
    case.category = state.category
    case.state_entered_at = at
    if department is not None and department.pk != case.department_id:
        case.department = department
        case.assignee = None
    if state.is_terminal:
        case.closed_at = at
        case.state_due_at = case.state_at_risk_at = None
    else:
        case.closed_at = None
        case.state_at_risk_at, case.state_due_at = sla_window(at, state.sla_hours)
    # A new step starts on track; the sweep marks it again if the whole case is late.
    case.sla_status = SlaStatus.ON_TRACK
    return previous if previous is not None and previous.pk != case.department_id else None



def case_open_check(case: Case) -> None:
    if not case.is_open:
        raise errors.case_closed()


def case_save(case: Case) -> None:
    case.row_version += 1
    case.save()


def _effects_schedule(case: Case, transition: Transition, event: CaseEvent) -> None:
    for name in transition.effects:
        effect = registry.effect_get(name)
        if effect is None:
            logger.error("workflow: effect %r of %s is not registered", name, transition.action)
            continue
        # robust: one failing effect is logged and does not stop the next one.
        transaction.on_commit(partial(effect, case_id=case.pk, event_id=event.pk), robust=True)


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


def case_step_take(case: Case, transition: Transition, *, user, acting: ActingAs,
                      comment: str, document, kind: str = CaseEventKind.TRANSITION) -> CaseEvent:
    """The single place a case changes state. Checks first, writes after: a refusal leaves
    the case, its events and its documents exactly as they were."""
    comment = (comment or "").strip()
    if transition.comment_required and not comment:
        raise errors.required("workflow.comment_required", "comment", "التعليق", "A comment")
    if transition.document_required and document is None:
        raise errors.required("workflow.document_required", "document", "المرفق", "A document")
    checked = document_check(document)
    guards_check(case, transition, user)

    at = clock.now()
    from_state = case.state
    department_before = case.department
    department, assignee = _resume_holder(case, transition)
    _state_enter(case, transition.to_state, at, department=department)
    if assignee is not None:
        case.assignee = assignee
    event = case_event_append(
        case, kind=kind, at=at, actor=user, acting=acting, action=transition.action,
        from_state=from_state, to_state=transition.to_state,
        from_department=department_before, to_department=case.department,
        comment=comment, data={"document": True} if document is not None else None)
    if checked is not None:
        attachment_store(case, checked, user=user, at=at, event_seq=event.seq)
    case_save(case)
    _effects_schedule(case, transition, event)
    return event


def transition_find(case: Case, action: str) -> Transition:
    transition = (Transition.objects.filter(from_state_id=case.state_id, action=action)
                  .select_related("to_state").first())
    if transition is None:
        raise errors.action_not_available(action)
    return transition

