"""The one way side effects leave a transaction: a Celery task, queued after the commit.

Every app schedules its tasks through `task_on_commit`. The callback is robust: if the broker
is down at that moment the error is logged and the request still succeeds, because what it
asked for is already committed and a periodic sweeper of the owning app finds the work that no
task was queued for (a case never routed, a receipt never rendered, an upload never sent, a
case move never made). So a task scheduled here must always have a sweeper behind it.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction

logger = logging.getLogger("amanah.dispatch")


@dataclass(frozen=True)
class TaskSend:
    """The on-commit callback; a value object so tests can see which task would be queued."""

    task_name: str
    kwargs: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Django names a robust callback that failed by its __qualname__ when it logs the
        # error; an instance has none of its own, and the logging itself would then raise.
        object.__setattr__(self, "__qualname__", f"TaskSend({self.task_name})")

    def __call__(self) -> None:
        # The project's own app, not celery.current_app: in a thread other than the one that
        # configured Celery, current_app is a fresh default app that knows nothing of our
        # broker or eager mode. The apps import their task modules in AppConfig.ready().
        from .celery import app

        app.tasks[self.task_name].apply_async(kwargs=self.kwargs)


def task_on_commit(task_name: str, **kwargs) -> None:
    """Queue the named task with id arguments once the current transaction commits.

    Outside a transaction (autocommit) Django runs the callback at once, which is what a
    caller that has nothing to wait for wants.
    """
    transaction.on_commit(TaskSend(task_name, kwargs), robust=True)
