import logging

from celery import shared_task

logger = logging.getLogger("amanah.dispatch")


@shared_task(name="amanah.noop", ignore_result=False)
def noop(value: int = 0) -> int:
    """Does nothing: the queue's own floor in benchmarks and the worker check in tests."""
    return value


@shared_task(name="amanah.tasks_run_batch")
def tasks_run_batch(task_name: str, calls: list[dict]) -> int:
    """Runs `task_name` once per kwargs in `calls`, here and in order (amanah.dispatch sends
    after-response tasks this way). A call that fails is logged and left to its sweeper; the
    others still run. Returns how many succeeded."""
    from .celery import app

    task = app.tasks[task_name]
    done = 0
    for kwargs in calls:
        try:
            task(**kwargs)
        except Exception:
            logger.exception("batched %s(%s) failed; its sweeper will find the work",
                             task_name, kwargs)
        else:
            done += 1
    return done


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
