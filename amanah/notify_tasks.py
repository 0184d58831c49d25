"""The notification tasks (amanah/notify.py). Apart from amanah/tasks.py, which the dispatcher
imports: these import the notification service, which itself uses the dispatcher."""

from celery import shared_task

# A backend error is retried 30 s, 1, 2, 4 … minutes later (at most an hour apart); the
# service gives up at NOTIFICATION_MAX_ATTEMPTS and marks the message failed.
NOTIFICATION_RETRY_MAX_SECONDS = 3600


@shared_task(bind=True, name="amanah.notification_send", max_retries=None)
def notification_send(self, notification_id: int) -> str:
    """Deliver one recorded message (amanah/notify.py); safe to run twice."""
    from .notify import NotificationNotSent
    from .notify import notification_send as send

    while True:
        try:
            return send(notification_id=notification_id)
        except NotificationNotSent as error:
            # Run eagerly (`make run`, tests) there is no broker to wait on: try again at
            # once; the service stops at the attempts allowed.
            if not self.request.is_eager:
                countdown = min(30 * 2 ** self.request.retries, NOTIFICATION_RETRY_MAX_SECONDS)
                raise self.retry(exc=error, countdown=countdown) from error


@shared_task(name="amanah.notification_sweep")
def notification_sweep() -> int:
    """Periodic: queued messages whose task was lost are sent."""
    from .notify import notification_sweep as sweep

    return sweep()
