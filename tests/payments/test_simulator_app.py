"""The simulated SADAD is an app of its own, installed only where demo mode is allowed: a demo
database keeps its simulated bills when the tables move to it, a portal without it says so
instead of failing half-way, and choosing it where it is not installed stops the start-up.

Each case runs the portal the way a developer or a server does, in a fresh process on an
SQLite database of its own (the embedded `make run` database), with the environment it names.
"""

import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SIMULATED_BILL = ("INSERT INTO {table} (biller_id, billing_account, version, status, official_id,"
                  " official_id_type, category, service_type, amount_due, due_date, expiry_date,"
                  " reference, last_rq_uid, updated_at) VALUES ('090', '10000000009', 1, 'open',"
                  " '1000000008', 'NAT', 'FEE', 'misc_fee', '150.00', '2026-12-30', '2027-03-30',"
                  " 'misc_fee:DEMO-1', 'r-1', '2026-11-30 07:00:00')")


def _portal(database: Path, *args: str, demo: bool, settings: str = "amanah.settings.dev",
            **environment: str) -> subprocess.CompletedProcess:
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update({"DJANGO_SETTINGS_MODULE": settings, "DATABASE_URL": f"sqlite:///{database}",
                "AMANAH_DEMO_MODE": "true" if demo else "false", **environment})
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=env)


def _tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master "
                                               "WHERE type = 'table' AND name LIKE '%simulated%'")}


@pytest.fixture(scope="module")
def without_demo(tmp_path_factory) -> Path:
    """A portal database migrated where demo mode is off: no simulator app."""
    database = tmp_path_factory.mktemp("no-demo") / "portal.sqlite3"
    migrated = _portal(database, "manage.py", "migrate", "--noinput", demo=False)
    assert migrated.returncode == 0, migrated.stderr
    return database


def test_a_demo_database_keeps_its_simulated_bills_when_they_move_to_the_simulator(tmp_path):
    # given a developer's demo database from before the move, with a simulated bill and payment
    database = tmp_path / "portal.sqlite3"
    before = _portal(database, "manage.py", "migrate", "payments", "0007", "--noinput",
                     demo=True)
    assert before.returncode == 0, before.stderr
    with sqlite3.connect(database) as db:
        db.execute(SIMULATED_BILL.format(table="payments_simulatedsadadbill"))
        db.execute("INSERT INTO payments_simulatedsadadpayment (sptn, bnkptn, biller_id, "
                   "billing_account, amount, bank_id, channel, method, processed_at, "
                   "business_date, notified_rq_uid, notified_status, notified_result) VALUES "
                   "('SP1', 'BK1', '090', '10000000009', '150.00', 'RJHISARI', 'INTERNET', "
                   "'ACTDEB', '2026-11-30 07:20:00', '2026-11-30', 'rq-1', 200, 'ACCEPTED')")
    # when it is migrated to this version
    after = _portal(database, "manage.py", "migrate", "--noinput", demo=True)
    # then the simulator's app has the same rows, and the payments app has no such tables
    assert after.returncode == 0, after.stderr
    assert _tables(database) == {"sadad_simulator_simulatedsadadbill",
                                 "sadad_simulator_simulatedsadadpayment"}
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT id, billing_account, status FROM "
                          "sadad_simulator_simulatedsadadbill").fetchall() == [
            (1, "10000000009", "open")]
        assert db.execute("SELECT id, sptn, notified_result FROM "
                          "sadad_simulator_simulatedsadadpayment").fetchall() == [
            (1, "SP1", "ACCEPTED")]
    # and the simulator's own code reads them
    read = _portal(database, "manage.py", "shell", "-c",
                   "from payments.sadad.simulator.models import SimulatedSadadBill as B; "
                   "print([(b.billing_account, str(b.amount_due)) for b in B.objects.all()])",
                   demo=True)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip().splitlines()[-1] == "[('10000000009', '150.00')]"


def test_turning_demo_mode_on_later_installs_the_simulator(without_demo):
    # given a database migrated without the simulator
    assert "sadad_simulator" not in _portal(without_demo, "manage.py", "showmigrations",
                                            demo=False).stdout
    # when demo mode is turned on and the portal migrates again
    migrated = _portal(without_demo, "manage.py", "migrate", "--noinput", demo=True)
    # then the simulator's migration applies on that history, and its tables are there
    assert migrated.returncode == 0, migrated.stderr
    assert "Applying sadad_simulator.0001_initial... OK" in migrated.stdout
    assert _tables(without_demo) == {"sadad_simulator_simulatedsadadbill",
                                     "sadad_simulator_simulatedsadadpayment"}


def test_without_the_simulator_the_pay_button_is_not_found(without_demo):
    # given a portal without demo mode
    # when the simulated bank's pay action is posted anyway
    posted = _portal(without_demo, "-c", (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "print(Client().post('/ar/payments/bills/10000000009/pay-simulated/').status_code)"),
        demo=False)
    # then there is no such page
    assert posted.returncode == 0, posted.stderr
    assert posted.stdout.strip() == "404"


def test_without_the_simulator_its_command_says_it_is_not_installed(without_demo):
    # when an operator runs the simulator's command on a portal without demo mode
    result = _portal(without_demo, "manage.py", "sadad_simulator", "pay", "10000000009",
                     demo=False)
    # then it stops and says why, having done nothing
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "CommandError: the simulated SADAD is not installed here: it is installed only where "
        "demo mode is allowed (AMANAH_DEMO_MODE=true)")


@pytest.mark.parametrize(("gateway", "message"), [
    ("simulator", "PAYMENTS_GATEWAY=simulator is not available here: the simulated SADAD "
                  "(payments.sadad.simulator) is installed only where demo mode is allowed: set "
                  "AMANAH_DEMO_MODE=true for a training portal, or PAYMENTS_GATEWAY=sadad and "
                  "SADAD_BASE_URL for the real SADAD"),
    ("pigeon", "PAYMENTS_GATEWAY='pigeon' is not a biller gateway (known here: sadad)"),
])
def test_a_gateway_that_is_not_installed_stops_the_start_up(tmp_path, gateway, message):
    # given a portal without demo mode, configured with a gateway it does not have
    # when it starts
    result = _portal(tmp_path / "portal.sqlite3", "manage.py", "check", demo=False,
                     PAYMENTS_GATEWAY=gateway)
    # then it stops at once, saying what to set
    assert result.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr


@pytest.mark.parametrize(("deployment", "installed", "gateway"), [
    ("production", False, "sadad"),
    ("training", True, "simulator"),
])
def test_production_installs_the_simulator_only_in_a_training_deployment(tmp_path, deployment,
                                                                         installed, gateway):
    # given production settings for a production and a training deployment, each with keys of
    # its own (production refuses demo mode outright: tests/test_deploy_refusals.py)
    mark = "training-" if deployment == "training" else ""
    keys = {"SADAD_INBOUND_KEYS": mark + secrets.token_hex(32),
            "SADAD_OUTBOUND_KEY": mark + secrets.token_hex(32)}
    if deployment == "training":
        keys["SADAD_SIMULATOR_KEY"] = mark + secrets.token_hex(32)
    # when they load
    result = _portal(
        tmp_path / "unused.sqlite3", "-c",
        "import django; django.setup()\n"
        "from django.apps import apps\nfrom django.conf import settings\n"
        "print(apps.is_installed('payments.sadad.simulator'), settings.PAYMENTS_GATEWAY)",
        demo=deployment == "training", settings="amanah.settings.production",
        AMANAH_DEPLOYMENT=deployment,
        DATABASE_URL="postgres://amanah:secret@db.internal:5432/amanah",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="eservices.amanah.example.sa",
        REDIS_URL="redis://redis.internal:6379/0", NAFATH_BASE_URL="https://nafath.example.sa",
        NAFATH_APP_ID="amanah-portal", NAFATH_APP_KEY="nafath-" + "3" * 40, **keys)
    # then the simulated SADAD and its gateway are there only in the training deployment
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(installed), gateway]
