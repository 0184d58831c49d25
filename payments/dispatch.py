"""Side effects leave only after the commit: a task is queued by `transaction.on_commit`."""

from dataclasses import dataclass, field

from django.db import transaction


@dataclass(frozen=True)
class TaskSend:
    """The on-commit callback; a value object so tests can see which task would be queued."""

    task_name: str
    kwargs: dict = field(default_factory=dict)

    def __call__(self) -> None:
        from celery import current_app

        from . import tasks  # noqa: F401 - registers the tasks in this process

        current_app.tasks[self.task_name].apply_async(kwargs=self.kwargs)


def task_on_commit(task_name: str, **kwargs) -> None:
    """Queue the named Celery task with id arguments once the current transaction commits.

    robust=True: a broker hiccup must not turn an already-committed payment into a 500;
    the periodic sweepers pick up whatever was not sent.
    """
    transaction.on_commit(TaskSend(task_name, kwargs), robust=True)
