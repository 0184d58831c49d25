"""Side effects leave only after the commit: a task is queued by `transaction.on_commit`."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def task_on_commit(task_name: str, **kwargs) -> None:
    """Queue the named Celery task with id arguments once the current transaction commits.

    robust=True: a broker hiccup must not turn an already-committed payment into a 500;
    the periodic sweepers pick up whatever was not sent.
    """

    def send() -> None:
        from celery import current_app

        from . import tasks  # noqa: F401 - registers the tasks in this process

        current_app.tasks[task_name].apply_async(kwargs=kwargs)

    transaction.on_commit(send, robust=True)
