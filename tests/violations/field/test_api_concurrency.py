"""On the real PostgreSQL, with threads: two requests from one device carrying the same
idempotency key at the same moment open one inspection."""

import threading
from unittest import mock

import pytest
from django.db import connection

from violations.models import Inspection

from .helpers import API, field_world, open_body, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sent_tasks():
    """Tasks queued after commit are recorded, not run (eager Celery is not thread-safe)."""
    from amanah.dispatch import TaskSend

    sent = []
    with mock.patch.object(TaskSend, "__call__", lambda self: sent.append(self.task_name)):
        yield sent


def _together(target, n: int = 2) -> list:
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as exc:  # reported to the test in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_two_concurrent_opens_with_one_key_make_one_inspection(clock):
    # given an inspector's device that sends its request twice at once
    world = field_world(clock)
    body = open_body(world)

    def send():
        client = signed_in(world.inspector)
        response = client.post(f"{API}/", body, content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY="device-race-0001")
        return response.status_code, response.json()["number"]

    # when both race
    results = _together(send)
    # then one created (201) and the other found it (200): the same single inspection
    assert sorted(status for status, _ in results) == [200, 201]
    assert len({number for _, number in results}) == 1
    assert Inspection.objects.count() == 1
