"""Celery tasks of a permit's life after issue: ids in, a service call inside, safe to run
twice. (permits/tasks.py holds the tasks of the application's case.)"""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="permits.application_lifecycle_paid")
def application_lifecycle_paid(application_id: int) -> None:
    """Scheduled by the permit fee's on_paid for a renewal or replacement stage."""
    from .services.lifecycle import application_lifecycle_settle

    application_lifecycle_settle(application_id=application_id)


@shared_task(name="permits.application_lifecycle_sweep")
def application_lifecycle_sweep() -> int:
    """Periodic: paid renewals and replacements whose task was lost are settled now."""
    from .services.lifecycle import applications_lifecycle_settle_due

    return applications_lifecycle_settle_due()


@shared_task(name="permits.permits_expire_due")
def permits_expire_due() -> int:
    """Nightly: permits whose validity ended yesterday or before become expired."""
    from .services.lifecycle import permits_expire_due as expire

    return expire()


# Best effort, like the workflow's and payments' SMS: nothing records a message yet for a
# sweeper to find (the notification outbox, issue 12); the permit page shows the same facts.
@shared_task(name="permits.permit_notify_holder")
def permit_notify_holder(event_id: int) -> int:
    """The holder's SMS about one event of their permit, in Arabic (a person has no language
    of their own yet; the session's language is not known to a task)."""
    from amanah.notifications import sms_send

    from .notices import permit_event_sms

    mobiles, body = permit_event_sms(event_id=event_id)
    for mobile in mobiles:
        sms_send(to=mobile, body=body)
    return len(mobiles)
