"""Celery tasks of the permits app. Each takes ids and calls a service; running one twice does
no harm (the services find the work done and stop), and `applications_sweep` finds the work
of any task that was lost."""

import logging

from celery import shared_task
from django.db import OperationalError

from amanah.errors import Conflict

logger = logging.getLogger(__name__)

# A row held by someone else (the application or the permit counter) is retried, not lost.
RETRY = {"autoretry_for": (OperationalError, Conflict), "retry_backoff": True,
         "max_retries": 5}


@shared_task(name="permits.application_approved", **RETRY)
def application_approved(case_id: int, event_id: int) -> str:
    from .services.review import application_approved_handle

    return str(application_approved_handle(case_id=case_id, event_id=event_id))


@shared_task(name="permits.application_issue", **RETRY)
def application_issue(case_id: int, event_id: int) -> str:
    from .services.review import application_issue_handle

    return str(application_issue_handle(case_id=case_id, event_id=event_id))


@shared_task(name="permits.application_rejected", **RETRY)
def application_rejected(case_id: int, event_id: int) -> str:
    from .services.review import application_rejected_handle

    return str(application_rejected_handle(case_id=case_id, event_id=event_id))


@shared_task(name="permits.application_withdrawn", **RETRY)
def application_withdrawn(case_id: int, event_id: int) -> str:
    from .services.review import application_withdrawn_handle

    return str(application_withdrawn_handle(case_id=case_id, event_id=event_id))


@shared_task(name="permits.applications_sweep")
def applications_sweep() -> dict:
    """Periodic: applications left behind by their case (a lost task) catch up."""
    from .services.review import applications_sweep as sweep

    return sweep()
