"""What permits does when the case of an application moves on: the decision's consequences.

The procedure's effects (permits/workflow_hooks.py) schedule a task per move; each task calls
one of the `application_*_handle` services below with the case and the event that moved it.
Each locks the application, looks at its status, and does its work once: run twice, the
second run finds the status already moved and does nothing. `applications_sweep` finds the
cases whose step moved while their application did not (a task lost with the broker or a
killed worker) and runs the same services again.
"""

import datetime as dt
import logging
from enum import StrEnum

from django.db import transaction

from amanah import clock
from amanah.errors import DomainError
from workflow.enums import CaseEventKind, StatusCategory
from workflow.models import CaseEvent, CaseMove
from workflow.services import case_move_request

from ..enums import ApplicationStatus, PartyRole
from ..models import Application
from ..notify import party_sms_schedule
from .applications import application_lock, application_status_change
from .excavation import permit_valid_from_for
from .fees import application_fee_bill
from .lifecycle import permit_issue_for
from .submission import approval_fee_stages, fee_billed_sms

logger = logging.getLogger(__name__)

S = ApplicationStatus
EVERYONE = tuple(PartyRole.values)
# The system action that moves an approved case on once its issuance fee is paid (or at once
# when the type bills none): permits/procedures.py names it.
FEE_PAID_ACTION = "fee_paid"
# A case whose step moved this long ago while its application did not lost its task.
SWEEP_AFTER = dt.timedelta(minutes=2)


class HandleOutcome(StrEnum):
    DONE = "done"
    ALREADY_DONE = "already_done"  # an earlier run did it (or the application moved on)
    MOVE_REQUESTED = "move_requested"
    NO_APPLICATION = "no_application"  # the case is not a permit application's


def _moving_event(case_id: int, event_id: int | None, *, action: str) -> CaseEvent | None:
    """The case's event that moved it by `action` (the task's own, or the latest such)."""
    events = CaseEvent.objects.filter(case_id=case_id, kind=CaseEventKind.TRANSITION,
                                      action=action)
    if event_id is not None:
        events = events.filter(pk=event_id)
    return events.order_by("-seq").first()


def _application_locked(case_id: int) -> Application | None:
    found = Application.objects.filter(case_id=case_id).values_list("pk", flat=True).first()
    return application_lock(found) if found is not None else None


@transaction.atomic
def application_approved_handle(*, case_id: int, event_id: int) -> HandleOutcome:
    """Approved: bill the issuance fee (an amendment's fee for an amendment) and wait for it;
    with nothing to bill, ask for the case to move on at once: the permit is issued when it
    has."""
    application = _application_locked(case_id)
    if application is None:
        return HandleOutcome.NO_APPLICATION
    event = _moving_event(case_id, event_id, action="approve")
    if event is None or application.status != S.IN_REVIEW:
        return HandleOutcome.ALREADY_DONE
    # The issuance fee, or an amendment's own fee (permits/services/lifecycle.py says which);
    # a licence's signage fee with its issuance fee (submission.approval_fee_stages).
    stages = approval_fee_stages(application)
    if stages:
        fees = [application_fee_bill(application=application, stage=stage) for stage in stages]
        application_status_change(application=application, to_status=S.AWAITING_FEE,
                                  reason=event.message,
                                  payload={"case_event": event.pk})
        party_sms_schedule(application_id=application.pk, template="approved",
                           roles=EVERYONE)
        for fee in fees:
            fee_billed_sms(application, fee)
        return HandleOutcome.DONE
    # Nothing to pay: the case takes its "fee paid" step by itself (after this commit, when
    # the case is free), and that step's effect issues the permit. Asked once per approval.
    case_move_request(case_id=case_id, action=FEE_PAID_ACTION,
                      source=f"permits.approved:{event.pk}")
    return HandleOutcome.MOVE_REQUESTED


@transaction.atomic
def application_issue_handle(*, case_id: int, event_id: int | None) -> HandleOutcome:
    """The case reached "issued": issue the permit (numbered, valid for the type's months) or,
    for an amendment, the permit's next version; mark the application issued and tell the
    parties."""
    application = _application_locked(case_id)
    if application is None:
        return HandleOutcome.NO_APPLICATION
    if application.status not in (S.AWAITING_FEE, S.IN_REVIEW):
        return HandleOutcome.ALREADY_DONE
    # Part EXCAVATION: emergency work is covered from the day the digging started.
    permit = permit_issue_for(application=application,
                              valid_from=permit_valid_from_for(application))
    application_status_change(application=application, to_status=S.ISSUED,
                              payload={"permit": permit.number, "case_event": event_id})
    party_sms_schedule(application_id=application.pk, template="issued", roles=EVERYONE,
                       context={"permit": permit.number})
    return HandleOutcome.DONE


@transaction.atomic
def application_rejected_handle(*, case_id: int, event_id: int | None) -> HandleOutcome:
    """The case was rejected: the application is, with the reason staff gave."""
    application = _application_locked(case_id)
    if application is None:
        return HandleOutcome.NO_APPLICATION
    if application.status not in (S.IN_REVIEW, S.AWAITING_CORRECTION):
        return HandleOutcome.ALREADY_DONE
    event = _moving_event(case_id, event_id, action="reject")
    reason = event.message if event is not None else ""
    application_status_change(application=application, to_status=S.REJECTED, reason=reason,
                              payload={"case_event": event.pk if event else None})
    party_sms_schedule(application_id=application.pk, template="rejected", roles=EVERYONE)
    return HandleOutcome.DONE


@transaction.atomic
def application_withdrawn_handle(*, case_id: int, event_id: int | None) -> HandleOutcome:
    """The applicant withdrew the case: the application is withdrawn."""
    application = _application_locked(case_id)
    if application is None:
        return HandleOutcome.NO_APPLICATION
    if application.status not in (S.IN_REVIEW, S.AWAITING_CORRECTION, S.AWAITING_FEE):
        return HandleOutcome.ALREADY_DONE
    event = _moving_event(case_id, event_id, action="withdraw")
    application_status_change(application=application, to_status=S.WITHDRAWN,
                              reason=event.message if event is not None else "",
                              payload={"case_event": event.pk if event else None})
    party_sms_schedule(application_id=application.pk, template="withdrawn", roles=EVERYONE)
    return HandleOutcome.DONE


# (the case's status category, the application statuses that lag behind it, the action that
# moved the case there, the service that catches up)
SWEPT = (
    (StatusCategory.AWAITING_PAYMENT, (S.IN_REVIEW,), "approve", application_approved_handle),
    (StatusCategory.APPROVED, (S.IN_REVIEW, S.AWAITING_FEE), FEE_PAID_ACTION,
     application_issue_handle),
    (StatusCategory.REJECTED, (S.IN_REVIEW, S.AWAITING_CORRECTION), "reject",
     application_rejected_handle),
    (StatusCategory.CANCELLED, (S.IN_REVIEW, S.AWAITING_CORRECTION, S.AWAITING_FEE),
     "withdraw", application_withdrawn_handle),
)


def applications_sweep(*, limit: int = 200) -> dict[str, int]:
    """Periodic: applications whose case moved on (approved, issued, rejected, withdrawn) a
    while ago but which did not follow — their task was lost — are brought along now."""
    due = clock.now() - SWEEP_AFTER
    counts = {outcome.value: 0 for outcome in HandleOutcome}
    counts["failed"] = 0
    for category, statuses, action, handle in SWEPT:
        lagging = Application.objects.filter(case__category=category, status__in=statuses,
                                             case__state_entered_at__lte=due)
        if category == StatusCategory.AWAITING_PAYMENT:
            # Approved with nothing to pay: the move is asked for already, the case follows.
            lagging = lagging.exclude(case_id__in=CaseMove.objects.filter(
                action=FEE_PAID_ACTION, source__startswith="permits.approved:")
                .values("case_id"))
        for case_id in lagging.order_by("pk").values_list("case_id", flat=True)[:limit]:
            event = _moving_event(case_id, None, action=action)
            try:
                outcome = handle(case_id=case_id, event_id=event.pk if event else None)
            except DomainError as refusal:  # busy or refused: the next sweep tries again
                logger.warning("permits sweep: case %s not followed: %s", case_id,
                               refusal.code)
                counts["failed"] += 1
                continue
            counts[outcome] += 1
    return counts
