"""An upload's attempt is counted, and committed, before SADAD is called (issue: an attempt
killed mid-send was rolled back, so `attempts` under-counted the sends SADAD really got)."""

import datetime as dt

import pytest

from payments.enums import BillStatus, OutboxEventKind, OutboxStatus
from payments.models import OutboxEvent, SadadOutbox
from payments.records import UploadStatus
from payments.services import outbox_flush, outbox_send
from payments.services.outbox import CLAIM_SECONDS

from .factories import bill_make

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What the worker's death looks like from inside the send: nothing after it runs."""


class Gateway:
    def __init__(self, *, dies: bool = False):
        self.dies = dies
        self.rq_uids: list[str] = []

    def upload(self, *, rq_uid, records, client_dt):
        self.rq_uids.append(rq_uid)
        if self.dies:
            raise WorkerKilled
        return [UploadStatus(billing_account=r.billing_account, version=r.version,
                             status_code="0") for r in records]


def test_a_send_killed_half_way_is_counted_and_sent_again_under_the_same_rquid(clock, queued):
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    with queued():
        bill = bill_make(registered=False)
    row = SadadOutbox.objects.get(bill=bill)
    # when the worker sending it dies while SADAD is being asked
    dying = Gateway(dies=True)
    with pytest.raises(WorkerKilled):
        outbox_send(outbox_id=row.pk, gateway=dying)
    # then the attempt was already counted, with its event, and the row is claimed a while
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.claimed_until == clock.now() + dt.timedelta(seconds=CLAIM_SECONDS)
    assert list(OutboxEvent.objects.filter(outbox=row).values_list("kind", flat=True)) == [
        OutboxEventKind.ATTEMPT]
    # and nobody sends it again while the claim holds
    working = Gateway()
    assert outbox_flush(gateway=working)["skipped"] + outbox_flush(gateway=working)[
        "accepted"] == 0
    assert working.rq_uids == []
    # when the claim has lapsed, the sweeper sends it again, under the same RqUID
    clock.advance(seconds=CLAIM_SECONDS + 1)
    counts = outbox_flush(gateway=working)
    row.refresh_from_db()
    bill.refresh_from_db()
    assert counts["accepted"] == 1
    assert working.rq_uids == dying.rq_uids == [str(row.rq_uid)]
    assert (row.status, row.attempts, row.claimed_until) == (OutboxStatus.ACCEPTED, 2, None)
    assert bill.status == BillStatus.UNPAID
    assert list(OutboxEvent.objects.filter(outbox=row).order_by("pk")
                .values_list("kind", "to_status")) == [
        (OutboxEventKind.ATTEMPT, OutboxStatus.PENDING),
        (OutboxEventKind.ATTEMPT, OutboxStatus.PENDING),
        (OutboxEventKind.ACCEPTED, OutboxStatus.ACCEPTED)]


def test_a_failed_send_is_counted_and_retried_after_its_backoff(clock, queued):
    from payments.gateway import GatewayUnavailable

    class Down(Gateway):
        def upload(self, **kwargs):
            self.rq_uids.append(kwargs["rq_uid"])
            raise GatewayUnavailable("SADAD answered HTTP 503")

    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    with queued():
        bill = bill_make(registered=False)
    row = SadadOutbox.objects.get(bill=bill)
    outbox_send(outbox_id=row.pk, gateway=Down())
    row.refresh_from_db()
    assert (row.attempts, row.claimed_until, row.last_error) == (
        1, None, "SADAD answered HTTP 503")
    assert list(OutboxEvent.objects.filter(outbox=row).order_by("pk")
                .values_list("kind", flat=True)) == [OutboxEventKind.ATTEMPT,
                                                     OutboxEventKind.FAILED]
    assert row.next_attempt_at > clock.now()
