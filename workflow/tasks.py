"""Celery tasks of the workflow engine. Each takes ids and calls a service; running one twice
does no harm (routing happens once, a notification is about one recorded event)."""

import logging

from celery import shared_task
from django.db import OperationalError

from amanah.errors import Conflict

logger = logging.getLogger(__name__)


# A case locked by someone else for longer than the lock timeout is retried, not lost.
@shared_task(name="workflow.case_route", autoretry_for=(OperationalError, Conflict),
             retry_backoff=True, max_retries=5, ignore_result=False)
def case_route(case_id: int) -> str:
    from .services import case_route as case_route_service

    case = case_route_service(case_id=case_id)
    return case.state.code


@shared_task(name="workflow.case_route_sweep")
def case_route_sweep() -> int:
    """Periodic: cases whose routing task was lost (broker down at submission) are routed."""
    from .services import case_route_sweep as sweep

    return sweep()


# While a clerk holds the case the move waits: 2, 4, 8 … seconds, at most a minute apart; the
# sweeper takes over from any request still waiting after the last retry.
MOVE_RETRY_MAX_SECONDS = 60


@shared_task(bind=True, name="workflow.case_move_apply", max_retries=20, ignore_result=False)
def case_move_apply(self, move_id: int) -> str:
    """Make a move another app asked for (see services/moves.py); retried while the case is
    busy, so a payment never waits for a clerk and the case still moves once freed."""
    from .services import MoveOutcome
    from .services import case_move_apply as apply

    outcome = apply(move_id=move_id)
    if outcome == MoveOutcome.CASE_BUSY and self.request.retries < self.max_retries:
        raise self.retry(countdown=min(2 ** (self.request.retries + 1),
                                       MOVE_RETRY_MAX_SECONDS))
    return str(outcome)


@shared_task(name="workflow.case_move_sweep")
def case_move_sweep() -> dict:
    """Periodic: requested moves whose task was lost, or gave up retrying, are made now."""
    from .services import case_move_sweep as sweep

    return sweep()


@shared_task(name="workflow.sla_sweep")
def sla_sweep() -> dict:
    from .services import sla_sweep as sla_sweep_service

    result = sla_sweep_service()
    return {"at_risk": result.at_risk, "overdue": result.overdue,
            "escalated": result.escalated}
