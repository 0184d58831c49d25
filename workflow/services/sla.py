"""The periodic SLA sweep: mark steps at risk and overdue, escalate overdue cases to the head
of the holding department — once each, even with two sweeps running at the same moment."""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q

from amanah import clock
from amanah.enums import StaffRole
from amanah.models import StaffMembership
from amanah.statuses import row_lock_mark

from ..enums import CaseEventKind, EscalationKind, SlaStatus, StatusCategory
from ..models import Case, Escalation
from ..notify import case_sla_at_risk_notify, escalation_notify
from .steps import case_event_append, case_save, case_sla_status_change

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    at_risk: int = 0
    overdue: int = 0
    escalated: int = 0
    escalation_ids: list[int] = field(default_factory=list)


def _open_cases():
    return Case.objects.exclude(category__in=StatusCategory.terminal())


def _head_of(department) -> object | None:
    if department is None:
        return None
    if department.head_id:
        return department.head
    membership = (StaffMembership.objects.filter(department=department, role=StaffRole.HEAD,
                                                 is_active=True)
                  .select_related("user").order_by("id").first())
    return membership.user if membership else None


def _batch(queryset, batch_size: int) -> list[Case]:
    # skip_locked: a second sweep (or a member of staff acting right now) holds some rows;
    # those are left to whoever holds them instead of waiting or double-marking.
    cases = list(queryset.select_for_update(skip_locked=True, no_key=True, of=("self",))
                 .select_related("department", "state").order_by("id")[:batch_size])
    return [row_lock_mark(case) for case in cases]


def _escalate(case: Case, at: dt.datetime, result: SweepResult) -> None:
    kinds = []
    if case.state_due_at is not None and case.state_due_at <= at:
        kinds.append((EscalationKind.STATE_OVERDUE, case.state_entered_at))
    if case.due_at is not None and case.due_at <= at:
        kinds.append((EscalationKind.CASE_OVERDUE, case.submitted_at))
    head = _head_of(case.department)
    for kind, anchor in kinds:
        try:
            # The unique (case, kind, anchor) row is the last word on "once": even a sweep
            # that somehow saw the case unlocked cannot escalate the same lateness twice.
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    case=case, kind=kind, anchor_at=anchor, state=case.state,
                    department=case.department, escalated_to=head, created_at=at)
        except IntegrityError:
            continue
        case_event_append(case, kind=CaseEventKind.ESCALATED, at=at,
                          to_department=case.department,
                          payload={"escalation": kind, "to": head.pk if head else None})
        result.escalated += 1
        result.escalation_ids.append(escalation.pk)
        escalation_notify(escalation=escalation)


def sla_sweep(*, now: dt.datetime | None = None, batch_size: int = 200) -> SweepResult:
    """Mark and escalate every open case whose step or whole SLA has run out (or is close)."""
    at = now or clock.now()
    result = SweepResult()
    overdue_filter = Q(state_due_at__lte=at) | Q(due_at__lte=at)
    while True:
        with transaction.atomic():
            cases = _batch(_open_cases().exclude(sla_status=SlaStatus.OVERDUE)
                           .filter(overdue_filter), batch_size)
            for case in cases:
                case_sla_status_change(case=case, to_status=SlaStatus.OVERDUE, at=at)
                _escalate(case, at, result)
                case_save(case)
            result.overdue += len(cases)
        if len(cases) < batch_size:
            break
    while True:
        with transaction.atomic():
            cases = _batch(_open_cases().filter(sla_status=SlaStatus.ON_TRACK,
                                                state_at_risk_at__lte=at), batch_size)
            for case in cases:
                case_sla_status_change(case=case, to_status=SlaStatus.AT_RISK, at=at)
                case_save(case)
                case_sla_at_risk_notify(case=case, head=_head_of(case.department))
            result.at_risk += len(cases)
        if len(cases) < batch_size:
            break
    if result.overdue or result.at_risk:
        logger.info("sla_sweep: %s at risk, %s overdue, %s escalated",
                    result.at_risk, result.overdue, result.escalated)
    return result
