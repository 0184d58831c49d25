import socket
import time
import uuid

import pytest

from amanah.celery import app as celery_app


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _forget_broker_pools() -> None:
    """Celery builds its broker pools once; drop them so the next use follows the config."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.control.mailbox.__dict__.pop("producer_pool", None)


@pytest.fixture
def broker_config(monkeypatch):
    """Replace the Celery broker settings for one test, leaving no pool behind that uses them."""

    def replace(**celery_settings):
        for name, value in celery_settings.items():
            # The app reads Django's CELERY_-prefixed names first, so those are the ones to set.
            monkeypatch.setattr(celery_app.conf, f"CELERY_{name.upper()}", value)
        _forget_broker_pools()

    yield replace
    _forget_broker_pools()


@pytest.fixture
def broker_without_workers(broker_config):
    """The real Redis, under a key prefix no worker listens on, so no worker can answer.

    The suite's session worker may already be running on this Redis database; a prefix keeps
    this test's ping away from it whatever order the tests run in.
    """
    broker_config(broker_transport_options={
        **celery_app.conf.broker_transport_options,
        "global_keyprefix": f"readyz-test-{uuid.uuid4().hex}:"})


def test_healthz_says_alive_without_touching_any_service(client):
    # given a running process, and no database access allowed to this test
    # when the liveness probe asks
    response = client.get("/healthz")
    # then it answers without needing the database
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_on_the_real_database_and_redis(client):
    # given PostgreSQL and Redis up, tasks run in-process
    # when the readiness probe asks
    response = client.get("/readyz")
    # then both answer
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"},
                               "failed": []}


@pytest.mark.django_db
def test_readyz_is_503_naming_redis_when_redis_cannot_be_reached(client, settings, broker_config):
    # given Redis (cache and broker) on a port where nothing listens, and real workers expected
    closed = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.REDIS_URL = closed
    settings.CELERY_TASK_ALWAYS_EAGER = False
    broker_config(broker_url=closed)
    # when the readiness probe asks
    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started
    # then it says which checks failed, quickly, with a 503 and not a 500
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["redis", "worker"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error: ")
    assert body["checks"]["worker"].startswith("error: ")
    assert body["checks"]["worker"] != "error: RuntimeError"  # the broker failed, not the ping
    assert elapsed < 10


@pytest.mark.django_db
def test_readyz_is_503_naming_the_worker_when_no_worker_answers(client, settings,
                                                                broker_without_workers):
    # given Redis up but no Celery worker listening, and tasks meant for workers
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # when the readiness probe asks
    response = client.get("/readyz")
    # then the worker check fails on its own
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "ok", "worker": "error: RuntimeError"},
        "failed": ["worker"],
    }


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_readyz_is_ok_with_a_real_worker_answering(client, real_worker):
    # given PostgreSQL, Redis and a real Celery worker
    # when the readiness probe asks
    response = client.get("/readyz")
    # then all three answer
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert (body["checks"]["database"], body["checks"]["redis"]) == ("ok", "ok")
    assert body["checks"]["worker"].startswith("ok (")
