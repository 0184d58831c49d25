"""Production settings, run the way a server runs them: in a fresh process, from the environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

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
