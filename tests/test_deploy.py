"""Production settings, run the way a server runs them: in a fresh process, from the environment."""

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import _test_database_url

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**overrides) -> dict[str, str]:
    # Start from nothing but the basics, so no developer variable makes the check pass by luck.
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update({
        "DJANGO_SETTINGS_MODULE": "amanah.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "eservices.amanah.example.sa",
        "DATABASE_URL": "postgres://amanah:secret@db.internal:5432/amanah",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "SADAD_INBOUND_KEYS": secrets.token_hex(32),
        "SADAD_OUTBOUND_KEY": secrets.token_hex(32),
        "NAFATH_BASE_URL": "https://nafath.example.sa",
        "NAFATH_APP_ID": "amanah-portal",
        "NAFATH_APP_KEY": secrets.token_hex(32),
    })
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _manage(*args, **overrides) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=_production_env(**overrides))


def test_check_deploy_is_clean_under_production_settings():
    # given production settings with a long random key and the portal's host name
    # when Django's deployment checklist runs
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    # then it finds nothing to warn about
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNINGS" not in result.stderr


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL",
                                     "REDIS_URL", "SADAD_INBOUND_KEYS", "SADAD_OUTBOUND_KEY"])
def test_production_refuses_to_start_without_a_required_setting(missing):
    # given production settings with one required variable absent
    # when the process starts
    result = _manage("check", **{missing: None})
    # then it stops, naming the variable
    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set the {missing} environment variable" in result.stderr


@pytest.mark.parametrize(("name", "value"), [
    ("DJANGO_SECRET_KEY", ""),
    ("DJANGO_SECRET_KEY", "short-key"),
    ("DJANGO_SECRET_KEY", "insecure-embedded-default-change-me" + "x" * 40),
    ("DATABASE_URL", "sqlite:////tmp/amanah.sqlite3"),
    ("SADAD_INBOUND_KEYS", "demo-inbound-key"),
    ("SADAD_OUTBOUND_KEY", "demo-outbound-key"),
])
def test_production_refuses_to_start_with_a_weak_or_demo_value(name, value):
    # given production settings with a value fit only for a laptop
    # when the process starts
    result = _manage("check", **{name: value})
    # then it stops and says what is wrong
    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr or "PostgreSQL" in result.stderr


def test_the_wsgi_application_loads_production_settings_by_default():
    # given a server environment that names no settings module
    env = _production_env(DJANGO_SETTINGS_MODULE=None)
    # when gunicorn's entry point is imported
    result = subprocess.run(
        [sys.executable, "-c", "from amanah.wsgi import application; from django.conf import "
         "settings; print(type(application).__name__, settings.DEBUG, settings.SETTINGS_MODULE,"
         " settings.CELERY_TASK_ALWAYS_EAGER)"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    # then it is a WSGI handler running production settings, not debug, with real workers
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["WSGIHandler", "False", "amanah.settings.production",
                                     "False"]


def test_production_keeps_database_connections_between_requests():
    # given a server environment that says nothing about connection reuse
    env = _production_env()
    # when production settings load
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
         " d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    # then a connection lives a minute, and is checked before it is reused after an error
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "True"]


def test_a_broker_key_prefix_keeps_a_portals_tasks_under_keys_of_its_own():
    # given a portal told to prefix its broker keys (two portals sharing one Redis database)
    env = _production_env(CELERY_BROKER_KEY_PREFIX="bench.notify.1a2b:")
    # when production settings load
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from amanah.celery import app;"
         " print(app.conf.broker_transport_options)"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    # then Celery's broker writes every key under it
    assert result.returncode == 0, result.stderr
    assert "'global_keyprefix': 'bench.notify.1a2b:'" in result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, dict[str, str], bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=15) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextlib.contextmanager
def _gunicorn(env: dict[str, str]):
    """gunicorn on a free port with the given environment, as the compose web service runs it."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "amanah.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
        cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, "gunicorn exited at start"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_gunicorn_answers_health_probes_over_http_and_sends_pages_to_https():
    # given gunicorn serving production settings on the real PostgreSQL and Redis, as the
    # compose web service does (its probes come over plain HTTP from inside the container)
    env = _production_env(DATABASE_URL=_test_database_url(), REDIS_URL=os.environ["REDIS_URL"],
                          DJANGO_ALLOWED_HOSTS="eservices.amanah.example.sa,localhost,127.0.0.1")
    with _gunicorn(env) as base:
        # when the probes and a browser ask over plain HTTP
        alive = _get(f"{base}/healthz")
        ready = _get(f"{base}/readyz")
        page = _get(f"{base}/ar/", Host="eservices.amanah.example.sa")
    # then the probes answer JSON over HTTP, and pages go to HTTPS
    assert alive[0] == 200 and json.loads(alive[2]) == {"status": "ok"}
    readiness = json.loads(ready[2])
    assert (readiness["checks"]["database"], readiness["checks"]["redis"]) == ("ok", "ok")
    assert "worker" in readiness["checks"]  # production always expects workers
    assert ready[0] == (200 if readiness["failed"] == [] else 503)
    assert page[0] == 301
    assert page[1]["Location"] == "https://eservices.amanah.example.sa/ar/"


def test_gunicorn_stays_alive_and_not_ready_when_database_and_redis_are_gone():
    # given gunicorn whose database and Redis are on ports where nothing listens
    env = _production_env(DATABASE_URL=f"postgres://amanah@127.0.0.1:{_free_port()}/amanah",
                          REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0",
                          DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1")
    with _gunicorn(env) as base:
        # when the probes ask
        started = time.monotonic()
        alive = _get(f"{base}/healthz")
        ready = _get(f"{base}/readyz")
        elapsed = time.monotonic() - started
    # then it is alive but not ready, naming every failed check, quickly and without a 500
    assert alive[0] == 200
    assert ready[0] == 503
    assert ready[1]["Content-Type"] == "application/json"
    readiness = json.loads(ready[2])
    assert readiness["status"] == "unavailable"
    assert readiness["failed"] == ["database", "redis", "worker"]
    assert readiness["checks"]["database"] == "error: OperationalError"
    assert elapsed < 15
