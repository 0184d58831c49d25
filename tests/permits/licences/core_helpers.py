"""Helpers of helper A's licence tests (test_core_*): a licence world on a fixed day, SMS kept
in memory, and a licence draft submitted through the services."""

import datetime as dt

from amanah.dates import RIYADH
from amanah.notifications import LocmemSmsBackend
from permits.services.submission import application_submit

from .factories import licence_draft_make, licence_world

TODAY = dt.date(2026, 12, 1)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=RIYADH)


# The bodies of the modules' fixtures (each module declares its own `world`, `sms` and
# `private_files` fixture calling these: a fixture imported by name would shadow its uses).


def world_on_today(clock):
    clock.set(at(TODAY))
    return licence_world()


def sms_kept(settings) -> list:
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return LocmemSmsBackend.outbox


def files_kept_apart(settings, tmp_path):
    """Certificates, documents and payment receipts are written under the test's own folder."""
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "private"


def instant_submitted(world, **draft):
    """A licence draft (GROCERY by default) submitted by the delegate with the declaration."""
    application = licence_draft_make(world, **draft)
    return application_submit(application_id=application.pk, user=world.delegate.user,
                              declaration_accepted=True)
