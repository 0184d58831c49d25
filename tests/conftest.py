"""Fixtures shared by the whole suite: the clock, a real Celery worker, users and places."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from amanah import clock as amanah_clock

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    """Moves business time by hand. `amanah.clock.now()` answers what this says."""

    def set(self, moment: dt.datetime) -> dt.datetime:
        amanah_clock.freeze(moment)
        return moment

    def advance(self, **delta) -> dt.datetime:
        return self.set(amanah_clock.now() + dt.timedelta(**delta))

    def now(self) -> dt.datetime:
        return amanah_clock.now()


@pytest.fixture
def clock():
    yield Clock()
    amanah_clock.freeze(None)


def _test_database_url() -> str:
    """The URL of the test database pytest-django created, for processes we start."""
    s = connection.settings_dict
    auth = s["USER"] or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the real Redis, working on the test database.

    Tests that use it must be `django_db(transaction=True)` so the worker sees their rows,
    and should take the `real_worker` fixture, which also stops dispatching in-process.
    """
    from amanah.celery import app

    with django_db_blocker.unblock():
        database_url = _test_database_url()
    app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "amanah.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    hostname = f"test-worker-{os.getpid()}@localhost"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "amanah", "worker", "--pool=prefork",
         "--concurrency=2", "-Q", "default,money,bulk", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-n", hostname],
        cwd=ROOT, env=env,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the Celery worker exited at start; is Redis up?")
        if app.control.ping(destination=[hostname], timeout=0.5):
            break
    else:
        process.kill()
        raise RuntimeError("the Celery worker did not answer within 120 s")
    yield hostname
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def real_worker(celery_worker_process, settings):
    """Dispatch tasks to the real worker (through Redis) for the length of one test."""
    from celery._state import _set_task_join_will_block

    from amanah.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    # Eager tasks run from several threads at once (the concurrency tests) can leave Celery's
    # process-wide "inside a task" flag set: its save-and-restore is not thread-safe. This
    # process is the test, never a task, so it may wait for results.
    _set_task_join_will_block(False)
    yield celery_worker_process
    app.conf.task_always_eager = True
    _worker_idle_wait(app, celery_worker_process)


def _worker_idle_wait(app, hostname: str, seconds: float = 30.0) -> None:
    """Wait until the worker has nothing queued, reserved or running. The test's teardown
    empties the tables next; a task still at work would deadlock with that (or write into the
    next test). Tasks that keep rescheduling themselves are given up on after `seconds`."""
    import redis
    from django.conf import settings as django_settings

    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    queues = ("default", "money", "bulk")
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            inspect = app.control.inspect(destination=[hostname], timeout=1.0)
            busy = [task for answer in (inspect.active(), inspect.reserved(), inspect.scheduled())
                    for tasks in (answer or {}).values() for task in tasks]
            if not busy and not any(broker.llen(queue) for queue in queues):
                return
            time.sleep(0.2)
    finally:
        broker.close()


@pytest.fixture
def queued(django_capture_on_commit_callbacks):
    """Collects tasks queued on commit (not run): `with queued() as tasks:` → [(name, kwargs)]."""
    from contextlib import contextmanager

    @contextmanager
    def capture(*, notifications: bool = False):
        found = []
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            yield found
        # A process cache's token moves after the commit of a configuration write (a factory
        # making a department inside the block): bookkeeping of this process, not a task.
        callbacks = [c for c in callbacks
                     if getattr(c, "__module__", "") != "amanah.process_cache"]
        # Most business actions now also tell someone (amanah/notify.py); the messages are
        # recorded rows that tests about them read. Asked for with notifications=True.
        if not notifications:
            callbacks = [c for c in callbacks
                         if getattr(c, "task_name", "") != "amanah.notification_send"]
        found.extend((c.task_name, c.kwargs) for c in callbacks if hasattr(c, "task_name"))
        found.extend(("<other>", {}) for c in callbacks if not hasattr(c, "task_name"))

    return capture


@pytest.fixture(autouse=True)
def language_reset():
    """A test that switched the language (a request in English, translation.activate) leaves
    the next test in the default language, whatever order the shards run the files in."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def workflow_caches_forget():
    """Each test starts with no copy of the holiday calendar, the departments or frozen
    versions kept from another test (their rows are rolled back or flushed without going
    through a writer)."""
    from amanah.models import ACTIVE_DEPARTMENTS, ACTIVE_NOTIFICATION_TEMPLATES
    from workflow.models import HOLIDAY_CALENDAR
    from workflow.services.definitions import frozen_versions_forget

    frozen_versions_forget()
    HOLIDAY_CALENDAR.forget()
    ACTIVE_DEPARTMENTS.forget()
    ACTIVE_NOTIFICATION_TEMPLATES.forget()


@pytest.fixture(autouse=True)
def rate_limit_namespace(settings):
    """Each test counts its rate limits under keys of its own in the shared Redis, so counters
    never leak from one test (or one run, or one engineer's run) into another, and nothing
    else in Redis is ever cleared."""
    import uuid

    settings.RATE_LIMIT_NAMESPACE = f"t{uuid.uuid4().hex[:12]}"
    return settings.RATE_LIMIT_NAMESPACE


def otp_session_verify(client, user) -> None:
    """Mark the client's session as having passed the staff second factor, as
    `django_otp.login` does after a right code (for staff; citizens have no such factor)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from amanah.auth.second_factor import needs_second_factor

    if not needs_second_factor(user):
        return
    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


class PortalClient:
    """Mixin: `force_login` means "signed in" the way the portal means it — for staff that
    includes the second factor. Tests of the second factor itself use a plain client."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        otp_session_verify(self, user)


@pytest.fixture
def client():
    from django.test import Client

    class _Client(PortalClient, Client):
        pass

    return _Client()


@pytest.fixture
def plain_client():
    """A Django test client whose force_login gives the password factor only."""
    from django.test import Client

    return Client()


def device_known(client, person) -> None:
    """Make the client's browser one `person` has confirmed by SMS code (a known device)."""
    from django.core import signing

    from amanah.auth.devices import _SALT, COOKIE_NAME, known_device_add

    device_id = known_device_add(person=person, device_id=None)
    client.cookies[COOKIE_NAME] = signing.dumps(device_id, salt=_SALT)
