"""Production refuses what only training may do (issue 8, point 5): demo mode, the simulated
SADAD and its key, and SADAD keys that are weak, shipped with the source, shared between roles
or from the other kind of deployment — each in a fresh process started the way a server starts
it, from the environment. A training deployment with keys of its own starts, with its banner.
"""

import os
import secrets
import subprocess
import sys

import pytest

from amanah.settings.deployment import (
    TRAINING,
    entropy_bits,
    key_problems,
    sadad_key_problems,
)
from tests.conftest import _test_database_url
from tests.test_deploy import ROOT, _production_env

SHOW = ("import django; django.setup()\n"
        "from django.apps import apps\nfrom django.conf import settings\n"
        "print(settings.DEMO_MODE, settings.PAYMENTS_GATEWAY, "
        "apps.is_installed('payments.sadad.simulator'))")


def _training_env(**overrides) -> dict[str, str]:
    """A training portal with SADAD keys of its own, each marked `training-`."""
    return _production_env(**{
        "AMANAH_DEPLOYMENT": "training",
        "SADAD_INBOUND_KEYS": "training-" + secrets.token_hex(32),
        "SADAD_OUTBOUND_KEY": "training-" + secrets.token_hex(32),
        "SADAD_SIMULATOR_KEY": "training-" + secrets.token_hex(32),
        **overrides})


def _start(env: dict[str, str], *command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *(command or ("-c", SHOW))], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _refusal(result: subprocess.CompletedProcess) -> str:
    """The ImproperlyConfigured message a refused start-up ended with."""
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines()
             if "django.core.exceptions.ImproperlyConfigured: " in line]
    assert lines, result.stderr
    return lines[-1].split("ImproperlyConfigured: ", 1)[1]


# --- production refuses demo mode, the simulator and its key ------------------------------------

def test_production_with_demo_mode_refuses_to_start():
    # given production settings with AMANAH_DEMO_MODE=true (the simulated bank would pay bills)
    env = _production_env(AMANAH_DEMO_MODE="true")
    # when the process starts
    result = _start(env)
    # then it stops at settings import, naming the setting and the way to a training portal
    assert _refusal(result) == (
        "AMANAH_DEMO_MODE=true is refused in a production deployment: demo mode plays the bank. "
        "For a training portal set AMANAH_DEPLOYMENT=training, with SADAD keys of its own")
    assert result.stdout == ""


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PAYMENTS_GATEWAY", "simulator",
     "PAYMENTS_GATEWAY=simulator is refused in a production deployment: the simulated SADAD "
     "takes no money. Use PAYMENTS_GATEWAY=sadad and SADAD_BASE_URL, or "
     "AMANAH_DEPLOYMENT=training for a training portal"),
    ("SADAD_SIMULATOR_KEY", secrets.token_hex(32),
     "SADAD_SIMULATOR_KEY is set in a production deployment, which has no simulated SADAD: "
     "remove it"),
    ("AMANAH_DEPLOYMENT", "staging",
     "AMANAH_DEPLOYMENT must be production or training, not 'staging'"),
], ids=["simulator-gateway", "simulator-key", "unknown-deployment"])
def test_production_refuses_the_simulator_and_unknown_deployments(name, value, message):
    # given production settings with the simulated SADAD asked for in some way
    # when the process starts
    result = _start(_production_env(**{name: value}))
    # then it stops at settings import, saying why
    assert _refusal(result) == message


def test_gunicorn_and_celery_do_not_start_with_demo_mode_in_production():
    # given production settings with demo mode on
    env = _production_env(AMANAH_DEMO_MODE="true", REDIS_URL="redis://127.0.0.1:1/0")
    # when gunicorn and a Celery worker start the way docker-compose starts them
    web = _start(env, "-m", "gunicorn", "amanah.wsgi:application", "--bind", "127.0.0.1:0",
                 "--workers", "1")
    worker = _start(env, "-m", "celery", "-A", "amanah", "worker", "--loglevel=WARNING")
    # then neither serves: gunicorn's worker fails to boot, Celery exits, both saying why
    assert web.returncode == 3
    assert "AMANAH_DEMO_MODE=true is refused in a production deployment" in web.stderr
    assert "Worker failed to boot" in web.stderr
    assert worker.returncode == 1
    assert "AMANAH_DEMO_MODE=true is refused in a production deployment" in worker.stderr


# --- a training deployment with keys of its own starts -----------------------------------------

def test_a_training_deployment_with_its_own_keys_starts_with_the_simulator():
    # given production settings for a training portal, with training keys of its own
    # when the process starts
    result = _start(_training_env())
    # then demo mode and the simulated SADAD are on
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "simulator", "True"]


@pytest.mark.django_db(transaction=True)
def test_a_training_deployment_shows_the_training_banner():
    # given a training portal on the real database
    env = _training_env(DATABASE_URL=_test_database_url(), REDIS_URL=os.environ["REDIS_URL"],
                        DJANGO_ALLOWED_HOSTS="training.amanah.example.sa")
    # when its home page is asked for over HTTPS
    # (static files plain, not from collectstatic's manifest, which this checkout has not made)
    result = _start(env, "-c", "import django; django.setup()\n"
                    "from django.conf import settings\n"
                    "from django.test import Client, override_settings\n"
                    "plain = {**settings.STORAGES, 'staticfiles': {'BACKEND': "
                    "'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
                    "with override_settings(STORAGES=plain):\n"
                    "    page = Client().get('/ar/', secure=True, "
                    "HTTP_HOST='training.amanah.example.sa')\n"
                    "print(page.status_code, 'training-banner' in page.content.decode())")
    # then every page carries the training banner
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["200", "True"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"SADAD_INBOUND_KEYS": secrets.token_hex(32)},
     "SADAD keys refused: SADAD_INBOUND_KEYS is not marked for training: with "
     "AMANAH_DEPLOYMENT=training every "
     "SADAD key starts with 'training-' followed by its random part, so that no production key "
     "can be used there"),
    ({"SADAD_SIMULATOR_KEY": None},
     "SADAD_SIMULATOR_KEY is required with AMANAH_DEPLOYMENT=training: the simulated SADAD "
     "signs with a key of its own, never with SADAD_INBOUND_KEYS"),
    ({"AMANAH_DEMO_MODE": "false"},
     "AMANAH_DEPLOYMENT=training always runs in demo mode, with its banner: remove "
     "AMANAH_DEMO_MODE=false"),
])
def test_a_training_deployment_refuses_production_keys_and_missing_training_parts(overrides,
                                                                                  message):
    # given a training portal missing one thing of its own (a production key in its place)
    # when the process starts
    result = _start(_training_env(**overrides))
    # then it stops at settings import, saying what is missing, never the key
    refusal = _refusal(result)
    assert refusal == message
    for value in overrides.values():
        assert value is None or value == "false" or value not in result.stderr


# --- weak, shipped and reused keys ---------------------------------------------------------------

@pytest.mark.parametrize(("overrides", "message"), [
    ({"SADAD_INBOUND_KEYS": "in-" + "1" * 40},
     "SADAD_INBOUND_KEYS is too predictable (repeated or few distinct characters); use 32 "
     "random bytes, e.g. python -c 'import secrets; print(secrets.token_hex(32))'"),
    ({"SADAD_OUTBOUND_KEY": "x7!Qp2#z"},
     "SADAD_OUTBOUND_KEY is too short (8 characters, at least 32); use 32 random bytes, e.g. "
     "python -c 'import secrets; print(secrets.token_hex(32))'"),
    ({"SADAD_INBOUND_KEYS": f"{secrets.token_hex(32)},test-inbound-key"},
     "SADAD_INBOUND_KEYS (key 2 of 2) is a demo key shipped with the portal's source; use 32 "
     "random bytes, e.g. python -c 'import secrets; print(secrets.token_hex(32))'"),
    ({"SADAD_OUTBOUND_KEY": "training-" + secrets.token_hex(32)},
     "SADAD_OUTBOUND_KEY is marked for training ('training-…'), which a production deployment "
     "refuses"),
])
def test_production_refuses_weak_shipped_and_training_keys(overrides, message):
    # given production settings with one SADAD key that must not sign money
    # when the process starts
    result = _start(_production_env(**overrides))
    # then it stops, naming the setting and never printing the key
    assert _refusal(result) == "SADAD keys refused: " + message
    for value in overrides.values():
        for key in value.split(","):
            assert key not in result.stderr


def test_production_refuses_one_key_used_for_two_roles():
    # given production settings whose outbound key is also an inbound key
    shared = secrets.token_hex(32)
    result = _start(_production_env(SADAD_INBOUND_KEYS=f"{secrets.token_hex(32)},{shared}",
                                    SADAD_OUTBOUND_KEY=shared))
    # when the process starts, then it stops naming both roles and not the key
    assert _refusal(result) == (
        "SADAD keys refused: SADAD_INBOUND_KEYS and SADAD_OUTBOUND_KEY hold the same key: each "
        "role needs its own")
    assert shared not in result.stderr


# --- the rules themselves, without a process ----------------------------------------------------

def test_keys_made_as_the_message_advises_always_pass():
    # given keys made the way the refusals advise (and the other common way)
    for _ in range(200):
        for key in (secrets.token_hex(32), secrets.token_urlsafe(32)):
            # then no rule refuses them, in production or (marked) in training
            assert key_problems("K", key, deployment="production") == []
            assert key_problems("K", "training-" + key, deployment=TRAINING) == []


def test_a_key_repeating_a_block_is_refused_however_many_characters_it_uses():
    key = "0123456789abcdef" * 4
    assert entropy_bits(key) == 256  # every hex digit equally often: the estimate alone is fooled
    assert key_problems("K", key, deployment="production") == [
        "K is too predictable (repeated or few distinct characters); use 32 random bytes, e.g. "
        "python -c 'import secrets; print(secrets.token_hex(32))'"]


def test_the_simulator_key_and_the_secret_key_are_roles_of_their_own():
    inbound, simulator = (secrets.token_hex(32) for _ in range(2))
    assert sadad_key_problems(
        roles={"SADAD_INBOUND_KEYS": [inbound], "SADAD_OUTBOUND_KEY": [secrets.token_hex(32)],
               "SADAD_SIMULATOR_KEY": [inbound]},
        deployment="production", secret_key=simulator) == [
        "SADAD_INBOUND_KEYS and SADAD_SIMULATOR_KEY hold the same key: each role needs its own"]
    assert sadad_key_problems(
        roles={"SADAD_INBOUND_KEYS": [inbound], "SADAD_OUTBOUND_KEY": [simulator]},
        deployment="production", secret_key=simulator) == [
        "SADAD_OUTBOUND_KEY holds the same value as DJANGO_SECRET_KEY: each role needs its own"]
