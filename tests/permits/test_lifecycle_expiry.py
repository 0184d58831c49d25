"""The nightly expiry: valid or suspended permits past their last day become expired, once."""

import datetime as dt

import pytest

from amanah.celery import app
from amanah.events import audit_verify
from permits.models import Permit, PermitEvent
from permits.services.lifecycle import permit_cancel, permit_suspend, permits_expire_due
from tests.permits.factories import permits_world

from .lifecycle_helpers import day, permit_make

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    return permits_world()


def _statuses(*permits) -> list[str]:
    return [Permit.objects.get(pk=p.pk).status for p in permits]


def test_expiry_runs_the_night_after_the_last_day_and_only_once(world, clock):
    # given permits issued on 1 December 2026, valid until 30 November 2029: one valid, one
    # suspended, one cancelled, and one of a type that never expires
    clock.set(day(2026, 12, 1))
    valid, suspended, cancelled, lasting = (permit_make(world) for _ in range(4))
    Permit.objects.filter(pk=lasting.pk).update(valid_until=None)
    permit_suspend(permit_id=suspended.pk, actor=world.head, reason="مخالفة")
    permit_cancel(permit_id=cancelled.pk, actor=world.head, reason="طلب المالك")
    assert valid.valid_until == dt.date(2029, 11, 30)
    # when the job runs on the last day itself, nothing expires
    clock.set(day(2029, 11, 30, hour=23))
    assert permits_expire_due() == 0
    # when it runs the next night
    clock.set(day(2029, 12, 1, hour=0))
    assert permits_expire_due() == 2
    # then the valid and the suspended permits are expired, with one event each
    assert _statuses(valid, suspended, cancelled, lasting) == [
        "expired", "expired", "cancelled", "valid"]
    event = PermitEvent.objects.get(permit=valid, kind="expired")
    assert (event.from_status, event.to_status, event.payload, event.actor) == (
        "valid", "expired", {"valid_until": "2029-11-30"}, None)
    # and running it again changes nothing
    assert permits_expire_due() == 0
    assert PermitEvent.objects.filter(kind="expired").count() == 2
    assert all(r.ok for r in audit_verify(chain="permit"))


def test_expiry_works_in_batches_up_to_its_limit(world, clock):
    clock.set(day(2026, 12, 1))
    permits = [permit_make(world) for _ in range(3)]
    clock.set(day(2029, 12, 2))
    # a limit stops the night's work; the next run finishes it
    assert permits_expire_due(limit=2) == 2
    assert sorted(_statuses(*permits)) == ["expired", "expired", "valid"]
    assert permits_expire_due(today=dt.date(2029, 12, 2)) == 1
    assert _statuses(*permits) == ["expired"] * 3


def test_the_nightly_task_is_scheduled_after_midnight():
    entry = app.conf.beat_schedule["permits-expire-due"]
    assert entry["task"] == "permits.permits_expire_due"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {15})
    assert "permits.permits_expire_due" in app.tasks
