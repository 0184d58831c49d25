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

