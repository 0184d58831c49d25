"""Cross-app moves never block money (issue: a payable's on_paid that moved its case inline
met the clerk's case lock, and SADAD would have got a 500 with the payment rolled back).

`on_paid` only asks for the move (a row, no case lock); a task makes it after the commit,
retrying while the case is busy; a sweeper makes any whose task was lost. Exactly once."""

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal

import pytest

from amanah.events import audit_verify
from payments.enums import BillStatus, PaymentOutcome, PaymentStatus
from payments.models import Payment
from payments.registry import payable_register
from payments.services import payment_record
from tests.locking import ClerkHoldsCase
from tests.payments.factories import notification, pmt, post
from workflow.enums import CaseEventKind
from workflow.models import Case, CaseEvent, CaseMove
from workflow.services import MoveOutcome, case_move_apply, case_move_sweep, case_transition

from .fee_case import FEE_CASE_KIND, fee_case_awaiting_payment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _pay(bill, sptn: str = "SP1") -> str:
    return payment_record(sptn=sptn, amount=bill.amount, billing_account=bill.billing_account,
                          bank_id="RJHISARI", channel="INTERNET", method="ACTDEB",
                          processed_at=bill.created_at).outcome


def _paid_moves(case) -> list:
    return list(CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION,
                                         action="paid").values_list("seq", flat=True))


def _wait_for(predicate, *, seconds: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_paying_asks_for_the_move_and_leaves_the_case_alone(fee_world, queued):
    world, eservice = fee_world
    case, bill = fee_case_awaiting_payment(world, eservice)
    before = (case.state_id, case.row_version, case.last_event_seq)
    # when SADAD's payment for the fee is recorded
    with queued() as tasks:
        assert _pay(bill) == PaymentOutcome.ACCEPTED
    # then the money is recorded, and the move is only asked for, to be made after the commit
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
    move = CaseMove.objects.get(case=case)
    assert (move.action, move.source, move.moved_at, move.attempts) == (
        "paid", f"bill:{bill.pk}", None, 0)
    assert ("workflow.case_move_apply", {"move_id": move.pk}) in tasks
    case.refresh_from_db()
    assert (case.state_id, case.row_version, case.last_event_seq) == before


def test_asking_twice_for_the_same_move_is_one_request(fee_world):
    world, eservice = fee_world
    case, bill = fee_case_awaiting_payment(world, eservice)
    from workflow.services import case_move_request

    first = case_move_request(case_id=case.pk, action="paid", source=f"bill:{bill.pk}")
    again = case_move_request(case_id=case.pk, action="paid", source=f"bill:{bill.pk}")
    assert first.pk == again.pk
    assert CaseMove.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_payment_while_a_clerk_holds_the_case_is_accepted_and_the_case_moves_when_freed(
        fee_world, real_worker, client, settings):
    world, eservice = fee_world
    case, bill = fee_case_awaiting_payment(world, eservice)
    body = notification([pmt(sptn="SP-BUSY-1", amount="300.00",
                             billing_account=bill.billing_account)])
    with ClerkHoldsCase(case.pk):
        # when SADAD's notification arrives while a clerk has the case open
        response = post(client, body)
        # then SADAD gets its answer at once: the payment is accepted and the bill paid
        assert response.status_code == 200
        assert b"<Result>ACCEPTED</Result>" in response.content
        bill.refresh_from_db()
        assert bill.status == BillStatus.PAID
        # and the worker finds the case busy and leaves it as it is, for now
        _wait_for(lambda: CaseMove.objects.get(case=case).attempts >= 1,
                  what="the worker's first try")
        assert Case.objects.get(pk=case.pk).state.code == "awaiting_payment"
    # when the clerk is done, the retry moves the case on, once
    _wait_for(lambda: Case.objects.get(pk=case.pk).state.code == "in_review",
              what="the case to move after the lock was released")
    move = CaseMove.objects.get(case=case)
    assert move.moved_at is not None and move.attempts >= 2
    assert len(_paid_moves(case)) == 1
    assert move.event.action == "paid"
    assert all(result.ok for result in audit_verify())


def _worker_start(queue: str, database_url: str) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "amanah.settings.test",
           "DATABASE_URL": database_url, "CELERY_TASK_ALWAYS_EAGER": "false"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "amanah", "worker", "--pool=prefork",
         "--concurrency=1", "-Q", queue, "--loglevel=WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-n", f"{queue}@localhost"],
        cwd=ROOT, env=env, start_new_session=True)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_between_payment_and_move_still_ends_with_the_case_moved_once(
        fee_world, celery_worker_process, settings, django_capture_on_commit_callbacks):
    from amanah.celery import app
    from tests.conftest import _test_database_url
    from workflow.tasks import case_move_apply as move_task

    world, eservice = fee_world
    case, bill = fee_case_awaiting_payment(world, eservice)
    queue = f"test-moves-{uuid.uuid4().hex[:8]}"
    worker = _worker_start(queue, _test_database_url())
    try:
        _wait_for(lambda: bool(app.control.ping(destination=[f"{queue}@localhost"],
                                                timeout=1)), seconds=90, what="the worker")
        with ClerkHoldsCase(case.pk):
            # given a payment recorded while the case is busy, its move handed to a worker
            with django_capture_on_commit_callbacks(execute=False):
                assert _pay(bill, "SP-KILL-1") == PaymentOutcome.ACCEPTED
            move = CaseMove.objects.get(case=case)
            settings.CELERY_TASK_ALWAYS_EAGER = False
            app.conf.task_always_eager = False
            move_task.apply_async(kwargs={"move_id": move.pk}, queue=queue)
            _wait_for(lambda: CaseMove.objects.get(pk=move.pk).attempts >= 1,
                      what="the worker to try once and wait to retry")
            # when the worker is killed while it waits to try again
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        # then nothing moved the case: the task died with the worker
        assert Case.objects.get(pk=case.pk).state.code == "awaiting_payment"
        # when the sweeper runs a couple of minutes later
        from amanah import clock
        clock.freeze(clock.now() + dt.timedelta(minutes=2))
        try:
            counts = case_move_sweep()
        finally:
            clock.freeze(None)
        # then the case moved, exactly once, and a late redelivery of the task changes nothing
        assert counts["moved"] == 1
        assert Case.objects.get(pk=case.pk).state.code == "in_review"
        assert case_move_apply(move_id=move.pk) == MoveOutcome.ALREADY_DONE
        assert case_move_sweep()["moved"] == 0
        assert len(_paid_moves(case)) == 1
        assert Payment.objects.get(sptn="SP-KILL-1").status == PaymentStatus.APPLIED
    finally:
        app.conf.task_always_eager = True
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)


def test_a_move_whose_task_was_lost_is_made_by_the_sweep_exactly_once(fee_world, clock,
                                                                    queued):
    world, eservice = fee_world
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    case, bill = fee_case_awaiting_payment(world, eservice)
    # given a payment whose move task never reached a worker (the broker lost it)
    with queued():
        _pay(bill)
    # then a sweep within the first minute leaves it to its task
    assert case_move_sweep()["moved"] == 0
    # and a sweep after it makes the move, once
    clock.advance(minutes=2)
    assert case_move_sweep() == {"moved": 1, "already_done": 0, "case_busy": 0, "given_up": 0}
    assert Case.objects.get(pk=case.pk).state.code == "in_review"
    assert case_move_sweep()["moved"] == 0
    move = CaseMove.objects.get(case=case)
    assert case_move_apply(move_id=move.pk) == MoveOutcome.ALREADY_DONE
    assert len(_paid_moves(case)) == 1


def test_a_move_made_impossible_meanwhile_is_given_up_and_the_money_stays(fee_world, caplog,
                                                                         queued):
    world, eservice = fee_world
    case, bill = fee_case_awaiting_payment(world, eservice)
    with queued():
        _pay(bill)
    # given the case cancelled by staff before its move was made
    clerk = world.staff("finance", "clerk")
    case_transition(case_id=case.pk, action="cancel", actor=clerk, comment="طلب المواطن")
    caplog.set_level(logging.ERROR, logger="workflow.alerts")
    # when the move is tried
    move = CaseMove.objects.get(case=case)
    assert case_move_apply(move_id=move.pk) == MoveOutcome.GIVEN_UP
    # then it is given up with the reason, staff are alerted, and the payment is untouched
    move.refresh_from_db()
    assert move.given_up_at is not None
    assert move.last_error.startswith("workflow.action_not_available")
    assert any("given up" in r.getMessage() for r in caplog.records)
    assert Case.objects.get(pk=case.pk).state.code == "cancelled"
    assert Payment.objects.get(sptn="SP1").status == PaymentStatus.APPLIED
    assert case_move_sweep()["given_up"] == 0


def test_an_on_paid_that_fails_never_costs_the_payment(fee_world, caplog):
    world, eservice = fee_world
    case, bill = fee_case_awaiting_payment(world, eservice)

    def broken_on_paid(*, bill, payment):
        CaseMove.objects.create(case_id=case.pk, action="paid", source="half-written",
                                requested_at=bill.created_at)
        raise RuntimeError("the paid thing's own bug")

    payable_register(FEE_CASE_KIND, describe=lambda ref: ("x", "x"), on_paid=broken_on_paid)
    # when SADAD's payment arrives and the paid thing fails to record it
    assert _pay(bill) == PaymentOutcome.ACCEPTED
    # then the money is recorded and the bill paid, flagged for staff, and the paid thing's
    # half-written row is gone with its savepoint
    payment = Payment.objects.get(sptn="SP1")
    assert (payment.status, payment.needs_review) == (PaymentStatus.APPLIED, True)
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
    assert not CaseMove.objects.filter(case=case).exists()
    assert bill.amount == Decimal("300.00")
