"""Celery tasks of the parties and consent part (registered in PermitsConfig.ready()).

SMS are best effort, like the rest of the portal's: nothing records a message yet for a
sweeper to find (the notification outbox, issue 12), and what they say is also on the pages
(the office workspace shows a declined application and why)."""

from celery import shared_task


@shared_task(name="permits.consent_declined_notify")
def consent_declined_notify(application_id: int, event_id: int) -> int:
    from .services.parties import consent_declined_notify as notify

    return notify(application_id=application_id, event_id=event_id)
