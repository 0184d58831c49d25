"""The one way side effects leave a transaction: a Celery task, queued after the commit.

Every app schedules its tasks through `task_on_commit`. The callback is robust: if the broker
is down at that moment the error is logged and the request still succeeds, because what it
asked for is already committed and a periodic sweeper of the owning app finds the work that no
task was queued for (a case never routed, a receipt never rendered, an upload never sent, a
case move never made). So a task scheduled here must always have a sweeper behind it.

`after_response=True` takes the send off the request's path: the commit only hands the task to
a thread of this process (`publisher`), which sends whatever has gathered meanwhile as one
message per task name (`amanah.tasks_run_batch`), lingering 0.1 s after the first one so that
others can join. Publishing to Redis cost about a tenth of a payment notification's CPU and
all of its wait on the broker; under load a batch carries many tasks for the price of one.
A message lost with the process (killed before it sent) is found by the task's sweeper, as
when the broker is down.
"""

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

logger = logging.getLogger("amanah.dispatch")

# At most this many tasks in one batch message: a batch runs its calls one after the other in
# one worker, and should stay well inside one task's time limit.
BATCH_MAX = 20
# How long the sender waits after the first task of a round for others to join it.
LINGER_SECONDS = 0.1


@dataclass(frozen=True)
class TaskSend:
    """The on-commit callback; a value object so tests can see which task would be queued."""

    task_name: str
    kwargs: dict = field(default_factory=dict)
    after_response: bool = False

    def __post_init__(self) -> None:
        # Django names a robust callback that failed by its __qualname__ when it logs the
        # error; an instance has none of its own, and the logging itself would then raise.
        object.__setattr__(self, "__qualname__", f"TaskSend({self.task_name})")

    def __call__(self) -> None:
        # The project's own app, not celery.current_app: in a thread other than the one that
        # configured Celery, current_app is a fresh default app that knows nothing of our
        # broker or eager mode. The apps import their task modules in AppConfig.ready().
        from .celery import app

        if self.after_response and not app.conf.task_always_eager:
            publisher.put(self)
            return
        app.tasks[self.task_name].apply_async(kwargs=self.kwargs)


def task_on_commit(task_name: str, /, *, after_response: bool = False, **kwargs) -> None:
    """Queue the named task with id arguments once the current transaction commits.

    Outside a transaction (autocommit) Django runs the callback at once, which is what a
    caller that has nothing to wait for wants. `after_response`: sent by the process's
    publisher thread, batched, not by the committing request (see the module's note).
    """
    transaction.on_commit(TaskSend(task_name, kwargs, after_response=after_response),
                          robust=True)


class Publisher:
    """One thread per process sends the after-response tasks, in batches.

    Started on first use in each process (a gunicorn worker is forked after the app loads, and
    a thread does not survive a fork); sends what is left when the process exits normally."""

    def __init__(self) -> None:
        self._queue: queue.Queue[TaskSend] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._hold = threading.Event()
        self._hold.set()  # set: may send

    def put(self, send: TaskSend) -> None:
        self._thread_ensure()
        self._queue.put(send)

    def _thread_ensure(self) -> None:
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                if self._pid != os.getpid():
                    self._queue = queue.Queue()  # the parent's unsent tasks are the parent's
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="amanah-publisher",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            # Linger a moment so that the tasks of the next requests join this round: one
            # message for many is what saves the CPU. A receipt is made that much later.
            time.sleep(LINGER_SECONDS)
            self._hold.wait()
            # Whatever else is already waiting goes in the same round of messages.
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._send(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    @staticmethod
    def _send(batch: list[TaskSend]) -> None:
        from .celery import app

        # Imported, not looked up by name: the web process never imports amanah.tasks
        # otherwise, so the batch task would not be registered there.
        from .tasks import tasks_run_batch

        by_name: dict[str, list[dict]] = {}
        for send in batch:
            by_name.setdefault(send.task_name, []).append(send.kwargs)
        for name, calls in by_name.items():
            for start in range(0, len(calls), BATCH_MAX):
                chunk = calls[start:start + BATCH_MAX]
                try:
                    if len(chunk) == 1:
                        app.tasks[name].apply_async(kwargs=chunk[0])
                    else:
                        # To the queue the task itself is routed to (a PDF stays in bulk).
                        route = settings.CELERY_TASK_ROUTES.get(name, {})
                        tasks_run_batch.apply_async(
                            kwargs={"task_name": name, "calls": chunk},
                            queue=route.get("queue"))
                except Exception:
                    # As for a robust on-commit callback: the task's sweeper finds the work.
                    logger.exception("could not send %s task(s) %s; its sweeper will find the "
                                     "work", len(chunk), name)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything handed over so far was sent (or failed); False on timeout."""
        if self._thread is None or self._pid != os.getpid():
            return True
        # Polled rather than joined: it also runs at interpreter exit, where no new thread
        # may be started and a join could wait for ever on a sender that died.
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline or not self._thread.is_alive():
                return False
            time.sleep(0.01)
        return True

    @contextmanager
    def held(self) -> Iterator[None]:
        """Tests: nothing is sent inside the block; what gathered goes when it ends."""
        self._hold.clear()
        try:
            yield
        finally:
            self._hold.set()


publisher = Publisher()
atexit.register(publisher.flush)
