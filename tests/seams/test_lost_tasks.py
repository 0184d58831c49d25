"""Every task a commit schedules has a sweeper behind it, so nothing is lost when the broker
is down or a worker dies (issue: a case submitted while the broker was down gave the citizen a
500 for a case that was saved, and nothing ever routed it)."""

import ast
import contextlib
import datetime as dt
import logging
import time
from pathlib import Path

import pytest
from django.db import connection

from amanah.celery import app
from payments.enums import OutboxStatus
from payments.models import Receipt, SadadOutbox
from tests.payments.factories import bill_make
from workflow.models import Case

ROOT = Path(__file__).resolve().parent.parent.parent

# Each task that code queues with task_on_commit, and the periodic sweeper that finds its work
# if the task is lost. Notifications are best effort until the notification outbox exists
# (they are recorded nowhere yet, so there is nothing for a sweeper to find).
SWEEPERS = {
    "workflow.case_route": "workflow.case_route_sweep",
    "workflow.case_move_apply": "workflow.case_move_sweep",
    "payments.outbox_send": "payments.outbox_sweep",
    "payments.receipt_ensure": "payments.receipt_sweep",
    "payments.recon_run_process": "payments.recon_inbox_sweep",
    "permits.certificate_ensure": "permits.certificate_sweep",
    # A renewal, late renewal or replacement paid (part APPLY's on_paid schedules it; the task
    # and its sweeper are part LIFECYCLE's).
    "permits.application_lifecycle_paid": "permits.application_lifecycle_sweep",
    # An instantly issued licence chosen for a sample inspection, offered to the handlers.
    "permits.sample_inspection_offer": "permits.sample_inspections_sweep",
    # Violations (issue 11): a fine's approval case, its decision, its notice; a warning's SMS;
    # what a payment lifts (its receipt SMS is best effort, like the payer's other SMS).
    "violations.fine_submitted": "violations.approval_case_sweep",
    "violations.approval_decided": "violations.approval_decided_sweep",
    "violations.notice_send": "violations.notice_sweep",
    "violations.warning_send": "violations.warning_sweep",
    "violations.fine_paid_effects": "violations.penalty_lift_due",
    # An objection whose case took its decide step: settled (lines, bills, DECIDED).
    "violations.objection_settle": "violations.objections_settle_sweep",
    # Notifications (issue 12): each message is a recorded row; queued ones are swept.
    "amanah.notification_send": "amanah.notification_sweep",
}
BEST_EFFORT = {"payments.payment_notify_payer", "permits.party_sms_send",
               "permits.consent_declined_notify", "permits.permit_notify_holder",
               "violations.objection_outcome_sms"}


def _tasks_queued_on_commit() -> set[str]:
    names = set()
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "task_on_commit"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                names.add(node.args[0].value)
    return names


def test_every_task_queued_after_a_commit_has_a_periodic_sweeper():
    queued = _tasks_queued_on_commit()
    # then each is either swept, or known to be best effort; nothing new slips in unswept
    assert queued == set(SWEEPERS) | BEST_EFFORT
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    for task, sweeper in SWEEPERS.items():
        assert sweeper in scheduled, f"{task}: its sweeper {sweeper} is not on the schedule"
        assert sweeper in app.tasks


@contextlib.contextmanager
def broker_down():
    """The portal's connection to Redis refused, as when the broker is down."""
    original = (app.conf.broker_url, app.conf.broker_write_url)
    dead = "redis://127.0.0.1:1/0"
    app.conf.broker_url = app.conf.broker_write_url = dead
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_write_url = original
        app._pool = None
        app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_a_case_submitted_while_the_broker_is_down_is_saved_and_routed_by_the_sweep(
        world, real_worker, client, caplog):
    client.force_login(world.applicant.user)
    caplog.set_level(logging.ERROR)
    # when a citizen submits a request while the broker cannot be reached
    with broker_down():
        response = client.post("/ar/transactions/mine/new/", {
            "kind": "general_correspondence", "subject": "طلب إفادة عن رخصة",
            "description": "تفاصيل"})
    # then the citizen is told it was submitted (no 500), and the case is saved, unrouted
    case = Case.objects.get(subject="طلب إفادة عن رخصة")
    assert response.status_code == 302
    assert response.url == f"/ar/transactions/mine/{case.pk}/"
    assert (case.routed_at, case.state.code) == (None, "submitted")
    assert any("TaskSend(workflow.case_route)" in r.getMessage() for r in caplog.records)
    # when the broker is back and a sweep runs a couple of minutes later
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workflow_case SET submitted_at = submitted_at - interval "
                       "'2 minutes' WHERE id = %s", [case.pk])
    app.tasks["workflow.case_route_sweep"].apply_async()
    # then the worker's sweep routes it to its first queue
    deadline = time.monotonic() + 30
    while Case.objects.get(pk=case.pk).routed_at is None and time.monotonic() < deadline:
        time.sleep(0.2)
    case.refresh_from_db()
    assert case.routed_at is not None
    assert case.state.code == "in_review"


def test_the_route_sweep_leaves_fresh_and_routed_cases_alone(world, clock, queued):
    from tests.workflow.factories import case_new
    from workflow.services import case_route_sweep

    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    routed = case_new(world)
    with queued():
        lost = case_new(world, route=False, subject="ضاع توجيهها")
    # a sweep inside the first minute leaves the lost one to its task
    assert case_route_sweep() == 0
    clock.advance(minutes=2)
    assert case_route_sweep() == 1
    lost.refresh_from_db()
    assert lost.routed_at is not None
    assert Case.objects.get(pk=routed.pk).row_version == routed.row_version
    assert case_route_sweep() == 0


def test_a_receipt_whose_pdf_task_was_lost_is_made_by_the_sweep(db, clock, queued, settings,
                                                                tmp_path):
    from decimal import Decimal

    from payments.services import payment_record
    from payments.tasks import receipt_sweep

    settings.MEDIA_ROOT = str(tmp_path)
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    bill = bill_make(amount="150.00")
    with queued() as tasks:
        payment_record(sptn="SP-R1", amount=Decimal("150.00"),
                       billing_account=bill.billing_account, bank_id="RJHISARI",
                       channel="INTERNET", method="ACTDEB", processed_at=clock.now())
    receipt = Receipt.objects.get(payment__sptn="SP-R1")
    assert ("payments.receipt_ensure", {"receipt_id": receipt.pk}) in tasks
    assert not receipt.pdf
    clock.advance(minutes=10)
    assert receipt_sweep() == 1
    receipt.refresh_from_db()
    assert receipt.pdf and receipt.pdf_made_at is not None
    assert receipt_sweep() == 0


def test_an_upload_whose_task_was_lost_is_sent_by_the_sweep(db, queued):
    from payments.tasks import outbox_sweep

    with queued() as tasks:
        bill = bill_make(registered=False)
    row = SadadOutbox.objects.get(bill=bill)
    assert ("payments.outbox_send", {"outbox_id": row.pk}) in tasks
    counts = outbox_sweep()
    row.refresh_from_db()
    assert counts["accepted"] == 1
    assert (row.status, row.attempts) == (OutboxStatus.ACCEPTED, 1)
    assert outbox_sweep()["accepted"] == 0


def test_the_worker_fixture_consumes_every_queue(real_worker):
    # the session's worker takes all three queues, as make worker does on a laptop
    replies = app.control.inspect(destination=[real_worker], timeout=5).active_queues() or {}
    deadline = time.monotonic() + 20
    while not replies and time.monotonic() < deadline:
        replies = app.control.inspect(destination=[real_worker], timeout=5).active_queues() or {}
    queues = {q["name"] for q in replies.get(real_worker, [])}
    assert queues == {"default", "money", "bulk"}
