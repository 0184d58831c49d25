"""Reconciliation (spec §4): every category, control totals, once per file, supersede, a
killed run resumed to the same end as a clean one, one worker per file, and the entry points."""

import datetime as dt
import io
import json
import threading
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from amanah import clock
from amanah.dates import RIYADH
from payments.enums import BillStatus, PaymentSource, PaymentStatus, SuspenseReason
from payments.models import Bill, Payment, ReconEvent, ReconItem, ReconRun
from payments.reconciliation.enums import (
    IN_PROGRESS,
    ReconCategory,
    ReconPhase,
    ReconRunStatus,
    ReconSource,
    ReviewStatus,
)
from payments.reconciliation.pace import Pace
from payments.reconciliation.review import recon_item_review
from payments.reconciliation.runs import recon_file_receive
from payments.reconciliation.services import recon_report
from payments.reconciliation.staging import stage_table
from payments.sadad import tasks as sadad_tasks
from payments.sadad.reconfile import BankSection, recon_file_write
from payments.sadad.signing import signature_header
from payments.sadad.tasks import recon_file_reconcile, recon_inbox_sweep
from payments.services import payment_record

from .factories import UNKNOWN_ACCOUNT, bill_make, pmt, signed

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 30)
RECON_URL = "/sadad/reconciliation-files"
ZERO = {c.value: 0 for c in ReconCategory}


def at(hour, minute=0, day=DAY):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=RIYADH)


@pytest.fixture(autouse=True)
def morning(clock):
    clock.set(at(10, 0))
    return clock


def notified(bill_or_account, *, sptn, amount="150.00", when=None, bank="RJHISARI"):
    """A payment SADAD notified in real time (the §3 path's own service)."""
    account = getattr(bill_or_account, "billing_account", bill_or_account)
    return payment_record(sptn=sptn, amount=Decimal(amount), billing_account=account,
                          bank_id=bank, channel="INTERNET", method="ACTDEB",
                          processed_at=when or clock.now(), source=PaymentSource.NOTIFICATION,
                          source_reference=str(uuid.uuid4())).payment


def rec(bill_or_account, *, sptn, amount="150.00", when=None, bank="RJHISARI"):
    account = getattr(bill_or_account, "billing_account", bill_or_account)
    return pmt(sptn=sptn, amount=amount, billing_account=account, bank_id=bank,
               processed_at=when or at(10, 20))


def write_file(path: Path, records, *, day=DAY, fees="1.50", replace=()) -> Path:
    """A §4 file with the records grouped by bank in order; `replace` corrupts it on purpose."""
    banks: dict[str, list] = {}
    for record in records:
        banks.setdefault(record.bank_id, []).append(record)
    out = io.StringIO()
    recon_file_write(out, business_date=day, fees=Decimal(fees), rq_uid=str(uuid.uuid4()),
                     client_dt=at(2, 0, day + dt.timedelta(days=1)), receiver="090",
                     banks=[BankSection(bank_id=bank, amount=sum(r.amount for r in recs),
                                        count=len(recs), records=recs)
                            for bank, recs in banks.items()])
    text = out.getvalue()
    for old, new in replace:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path


def items_of(run) -> list[tuple]:
    return list(ReconItem.objects.filter(run=run).order_by("position", "sptn").values_list(
        "position", "sptn", "category", "review_status"))


def counts(**nonzero) -> dict:
    return {**ZERO, **nonzero}


def test_matched_record_completes_the_run_without_exceptions(tmp_path):
    # given a bill paid by a notified payment
    bill = bill_make()
    payment = notified(bill, sptn="SP1", when=at(10, 20))
    # when the day's file carries the same SPTN, amount and BillingAcct
    outcome = recon_file_reconcile(path=write_file(tmp_path / "f.xml", [rec(bill, sptn="SP1")]))
    # then it is MATCHED, the run is COMPLETED, and nothing new was recorded
    run = outcome.run
    assert outcome.status == ReconRunStatus.COMPLETED
    assert run.counts == counts(MATCHED=1)
    assert run.amounts == {"MATCHED": {"RJHISARI": {"count": 1, "amount": "150.00"}}}
    assert (run.business_date, run.collected, run.fees, run.record_count) == (
        DAY, Decimal("150.00"), Decimal("1.50"), 1)
    assert items_of(run) == [(1, "SP1", "MATCHED", ReviewStatus.NONE)]
    assert ReconItem.objects.get(run=run).payment_id == payment.pk
    assert Payment.objects.count() == 1
    assert list(ReconEvent.objects.filter(run=run).values_list("kind", "to_status", "payload")) == [
        ("received", "RECEIVED", {"source": "command", "size": run.file_size}),
        ("started", "PROCESSING", {"phase": "staging"}),
        ("started", "PROCESSING", {"phase": "classifying"}),
        ("started", "PROCESSING", {"phase": "portal"}),
        ("started", "PROCESSING", {"phase": "recording"}),
        ("completed", "COMPLETED", {"phase": "done", "counts": counts(MATCHED=1)})]


def test_missing_in_portal_is_recorded_once_even_when_the_file_comes_twice_or_is_superseded(
        tmp_path):
    # given an unpaid bill whose payment SADAD never notified
    bill = bill_make()
    records = [rec(bill, sptn="SP9", when=at(11, 0))]
    # when the day's file arrives
    first = recon_file_reconcile(path=write_file(tmp_path / "a.xml", records)).run
    # then the payment is recorded from the file by the §3 rules: it pays the bill
    payment = Payment.objects.get(sptn="SP9")
    assert (payment.status, payment.source, payment.needs_review, payment.bill_id) == (
        PaymentStatus.APPLIED, PaymentSource.RECONCILIATION, True, bill.pk)
    assert payment.source_reference == f"recon-run-{first.pk}"
    assert payment.processed_at == at(11, 0)
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
    assert first.status == ReconRunStatus.COMPLETED_WITH_EXCEPTIONS
    assert first.counts == counts(MISSING_IN_PORTAL=1)
    assert items_of(first) == [(1, "SP9", "MISSING_IN_PORTAL", ReviewStatus.OPEN)]
    # when the very same file is delivered again
    again = recon_file_reconcile(path=tmp_path / "a.xml")
    # then it is a duplicate file and nothing is recorded twice
    assert again.status == ReconRunStatus.DUPLICATE_FILE
    assert again.run.duplicate_of_id == first.pk
    assert Payment.objects.filter(sptn="SP9").count() == 1
    # when a corrected file for the same day arrives (other fees: another SHA-256)
    second = recon_file_reconcile(path=write_file(tmp_path / "b.xml", records, fees="2.00")).run
    # then the earlier run is superseded, the payment is still MISSING_IN_PORTAL, not doubled
    first.refresh_from_db()
    assert (first.status, first.superseded_by_id) == (ReconRunStatus.SUPERSEDED, second.pk)
    assert second.status == ReconRunStatus.COMPLETED_WITH_EXCEPTIONS
    assert second.counts == counts(MISSING_IN_PORTAL=1)
    assert ReconItem.objects.get(run=second).payment_id == payment.pk
    assert Payment.objects.count() == 1
    payment.refresh_from_db()
    assert payment.source_reference == f"recon-run-{first.pk}"
    bill.refresh_from_db()
    assert bill.amount_paid == Decimal("150.00")


def test_missing_in_portal_for_an_unknown_account_lands_in_suspense(tmp_path):
    # given nothing in the portal for a BillingAcct
    # when the file reports a payment for it
    run = recon_file_reconcile(path=write_file(tmp_path / "f.xml",
                                             [rec(UNKNOWN_ACCOUNT, sptn="SPX")])).run
    # then the money is recorded in suspense, flagged for review
    payment = Payment.objects.get(sptn="SPX")
    assert (payment.status, payment.suspense_reason, payment.needs_review) == (
        PaymentStatus.SUSPENSE, SuspenseReason.UNKNOWN_BILL, True)
    assert run.counts == counts(MISSING_IN_PORTAL=1)


def test_amount_mismatch_is_an_exception_and_changes_nothing(tmp_path):
    # given a notified payment of 150.00
    bill = bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    before = list(Payment.objects.values_list("sptn", "amount", "status", "billing_account"))
    # when the file says 100.00 for the same SPTN
    run = recon_file_reconcile(path=write_file(tmp_path / "f.xml",
                                             [rec(bill, sptn="SP1", amount="100.00")])).run
    # then it is AMOUNT_MISMATCH for staff, and the payment and bill are untouched
    assert run.status == ReconRunStatus.COMPLETED_WITH_EXCEPTIONS
    assert run.counts == counts(AMOUNT_MISMATCH=1)
    item = ReconItem.objects.get(run=run)
    assert (item.amount, item.portal_amount, item.review_status) == (
        Decimal("100.00"), Decimal("150.00"), ReviewStatus.OPEN)
    assert list(Payment.objects.values_list("sptn", "amount", "status", "billing_account")) \
        == before
    bill.refresh_from_db()
    assert (bill.status, bill.amount_paid) == (BillStatus.PAID, Decimal("150.00"))


def test_account_mismatch_is_an_exception_and_changes_nothing(tmp_path):
    # given a notified payment for one bill, and another bill
    bill = bill_make()
    other = bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    # when the file names the other bill's BillingAcct for that SPTN
    run = recon_file_reconcile(path=write_file(tmp_path / "f.xml", [rec(other, sptn="SP1")])).run
    # then it is ACCOUNT_MISMATCH, and the other bill stays unpaid
    assert run.counts == counts(ACCOUNT_MISMATCH=1)
    item = ReconItem.objects.get(run=run)
    assert (item.billing_account, item.portal_billing_account) == (
        other.billing_account, bill.billing_account)
    other.refresh_from_db()
    assert other.status == BillStatus.UNPAID
    assert Payment.objects.count() == 1


def test_duplicate_in_file_the_first_occurrence_counts(tmp_path):
    # given a notified payment
    bill = bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    # when the file lists its SPTN twice
    run = recon_file_reconcile(path=write_file(
        tmp_path / "f.xml", [rec(bill, sptn="SP1"), rec(bill, sptn="SP1")])).run
    # then the first is MATCHED and the second DUPLICATE_IN_FILE
    assert items_of(run) == [(1, "SP1", "MATCHED", ReviewStatus.NONE),
                             (2, "SP1", "DUPLICATE_IN_FILE", ReviewStatus.OPEN)]
    assert run.counts == counts(MATCHED=1, DUPLICATE_IN_FILE=1)
    assert Payment.objects.count() == 1


def test_duplicate_in_file_of_an_unknown_payment_records_it_once(tmp_path):
    # given a payment the portal never heard of, listed twice
    bill = bill_make()
    run = recon_file_reconcile(path=write_file(
        tmp_path / "f.xml", [rec(bill, sptn="SP5"), rec(bill, sptn="SP5")])).run
    # then it is recorded once from the first occurrence
    assert items_of(run) == [(1, "SP5", "MISSING_IN_PORTAL", ReviewStatus.OPEN),
                             (2, "SP5", "DUPLICATE_IN_FILE", ReviewStatus.OPEN)]
    assert Payment.objects.filter(sptn="SP5").count() == 1


def test_missing_in_file_is_reported_and_nothing_is_reversed(tmp_path):
    # given two notified payments of the day, one of them absent from the file
    bill, lost = bill_make(), bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    notified(lost, sptn="SP2", when=at(14, 0))
    # when the file arrives
    run = recon_file_reconcile(path=write_file(tmp_path / "f.xml", [rec(bill, sptn="SP1")])).run
    # then the absent one is MISSING_IN_FILE and its bill stays paid
    assert items_of(run) == [(1, "SP1", "MATCHED", ReviewStatus.NONE),
                             (None, "SP2", "MISSING_IN_FILE", ReviewStatus.OPEN)]
    assert run.status == ReconRunStatus.COMPLETED_WITH_EXCEPTIONS
    lost.refresh_from_db()
    assert lost.status == BillStatus.PAID
    assert Payment.objects.get(sptn="SP2").status == PaymentStatus.APPLIED


def test_payment_of_another_day_is_not_missing_in_this_file(tmp_path):
    # given a payment made the day before
    bill = bill_make()
    notified(bill, sptn="SP0", when=at(12, 0, DAY - dt.timedelta(days=1)))
    # when today's (empty) file arrives
    run = recon_file_reconcile(path=write_file(tmp_path / "f.xml", [], fees="0.00")).run
    # then there is nothing to report
    assert (run.status, run.counts, run.collected) == (ReconRunStatus.COMPLETED, ZERO,
                                                       Decimal("0.00"))


def test_last_hour_payment_is_pending_then_matched_in_the_next_days_file(tmp_path):
    # given a payment at 23:30 Riyadh, which SADAD puts in the next day's file
    bill = bill_make()
    notified(bill, sptn="SPL", when=at(23, 30))
    # when the day's file does not carry it
    day_run = recon_file_reconcile(path=write_file(tmp_path / "d.xml", [], fees="0.00")).run
    # then it is PENDING_NEXT_FILE, not yet an exception
    assert items_of(day_run) == [(None, "SPL", "PENDING_NEXT_FILE", ReviewStatus.NONE)]
    assert day_run.status == ReconRunStatus.COMPLETED
    # when the next day's file carries it
    next_run = recon_file_reconcile(path=write_file(
        tmp_path / "n.xml", [rec(bill, sptn="SPL", when=at(23, 30))],
        day=DAY + dt.timedelta(days=1))).run
    # then it is MATCHED there, and the pending item is settled by that run
    assert items_of(next_run) == [(1, "SPL", "MATCHED", ReviewStatus.NONE)]
    assert next_run.status == ReconRunStatus.COMPLETED
    assert ReconItem.objects.get(run=day_run).resolved_by_run_id == next_run.pk


def test_last_hour_payment_absent_from_the_next_file_too_is_missing_in_file(tmp_path):
    # given a last-hour payment pending after its day's file
    bill = bill_make()
    notified(bill, sptn="SPL", when=at(23, 30))
    day_run = recon_file_reconcile(path=write_file(tmp_path / "d.xml", [], fees="0.00")).run
    # when the next day's file does not carry it either
    next_run = recon_file_reconcile(path=write_file(
        tmp_path / "n.xml", [], day=DAY + dt.timedelta(days=1), fees="0.00")).run
    # then it becomes MISSING_IN_FILE in the next day's run
    assert items_of(next_run) == [(None, "SPL", "MISSING_IN_FILE", ReviewStatus.OPEN)]
    assert next_run.status == ReconRunStatus.COMPLETED_WITH_EXCEPTIONS
    assert ReconItem.objects.get(run=day_run).resolved_by_run_id == next_run.pk


@pytest.mark.parametrize("replace, why", [
    ((("<CollectPmtAmt>300.00</CollectPmtAmt>", "<CollectPmtAmt>300.01</CollectPmtAmt>"),),
     "control totals differ"),
    ((("<TotalTrxCnt>2</TotalTrxCnt>", "<TotalTrxCnt>3</TotalTrxCnt>"),),
     "control totals differ"),
    # Overall totals right, one bank's wrong (and another's wrong the other way).
    ((("<CurAmt>150.00</CurAmt><TrxCnt>1</TrxCnt>", "<CurAmt>140.00</CurAmt><TrxCnt>1</TrxCnt>"),),
     "control totals of bank RJHISARI differ"),
    ((("<TrxCnt>1</TrxCnt>", "<TrxCnt>2</TrxCnt>"),), "control totals of bank RJHISARI differ"),
    ((("<CurAmt>150.00</CurAmt><PrcDt>", "<CurAmt>150.0O</CurAmt><PrcDt>"),),
     "PmtRec 1: bad amount"),
    ((("<Receiver>090</Receiver>", "<Receiver>091</Receiver>"),), "is not this biller"),
    ((("<SADAD>", '<!DOCTYPE SADAD [<!ENTITY x "y">]><SADAD>'),), "not a well-formed"),
])
def test_control_totals_or_format_wrong_fail_validation_and_nothing_else_happens(
        tmp_path, replace, why, queued):
    # given a file with one payment the portal knows and one it does not, then corrupted
    bill, unknown = bill_make(), bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    path = write_file(tmp_path / "f.xml", [rec(bill, sptn="SP1"),
                                           rec(unknown, sptn="SP2", bank="NCBKSAJE")],
                      replace=replace)
    bills_before = list(Bill.objects.order_by("pk").values_list("pk", "status"))
    # when it is reconciled
    with queued() as tasks:
        outcome = recon_file_reconcile(path=path)
    # then the run FAILED_VALIDATION, says why, and nothing else happened
    run = outcome.run
    assert outcome.status == ReconRunStatus.FAILED_VALIDATION
    assert why in run.failure
    assert run.phase == ReconPhase.DONE
    assert ReconItem.objects.count() == 0
    assert list(Payment.objects.values_list("sptn", flat=True)) == ["SP1"]
    assert list(Bill.objects.order_by("pk").values_list("pk", "status")) == bills_before
    assert tasks == []


def test_failed_file_supersedes_nothing(tmp_path):
    # given a completed run of the day
    bill = bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    good = recon_file_reconcile(path=write_file(tmp_path / "a.xml", [rec(bill, sptn="SP1")])).run
    # when a bad file for the same day arrives
    bad = recon_file_reconcile(path=write_file(
        tmp_path / "b.xml", [rec(bill, sptn="SP1")],
        replace=[("<TotalTrxCnt>1</TotalTrxCnt>", "<TotalTrxCnt>7</TotalTrxCnt>")])).run
    # then the good run stands
    good.refresh_from_db()
    assert (bad.status, good.status) == (ReconRunStatus.FAILED_VALIDATION,
                                         ReconRunStatus.COMPLETED)


def test_duplicate_file_is_a_no_op(tmp_path):
    # given a processed file
    bill = bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    path = write_file(tmp_path / "f.xml", [rec(bill, sptn="SP1")])
    first = recon_file_reconcile(path=path).run
    events_before = ReconEvent.objects.filter(run=first).count()
    # when the same bytes arrive again under another name
    copy = tmp_path / "copy.xml"
    copy.write_bytes(path.read_bytes())
    outcome = recon_file_reconcile(path=copy)
    # then a DUPLICATE_FILE delivery points at the first run, which is unchanged
    assert outcome.status == ReconRunStatus.DUPLICATE_FILE
    assert (outcome.run.status, outcome.run.duplicate_of_id) == (
        ReconRunStatus.DUPLICATE_FILE, first.pk)
    assert ReconItem.objects.filter(run=outcome.run).count() == 0
    assert ReconEvent.objects.filter(run=first).count() == events_before
    assert recon_report(outcome) == {
        "business_date": "2026-11-30", "status": "DUPLICATE_FILE", "counts": counts(MATCHED=1),
        "collected": "150.00", "fees": "1.50"}


def _kill_world(tmp_path):
    """Five payments the portal never heard of, two it knows, one it lost, one duplicate."""
    bills = [bill_make(billing_account=None) for _ in range(8)]
    notified(bills[0], sptn="SPA", when=at(9, 0))
    notified(bills[1], sptn="SPB", when=at(9, 30))
    notified(bills[7], sptn="SPZ", when=at(15, 0))
    records = [rec(bills[0], sptn="SPA"), rec(bills[1], sptn="SPB", bank="NCBKSAJE")]
    records += [rec(bills[i], sptn=f"SPM{i}", bank="NCBKSAJE" if i % 2 else "RJHISARI")
                for i in range(2, 7)]
    records.append(rec(bills[0], sptn="SPA"))
    return bills, write_file(tmp_path / "k.xml", records)


def _final_state(run, bills):
    run.refresh_from_db()
    return {
        "status": run.status,
        "counts": run.counts,
        "amounts": run.amounts,
        "items": [(p, s, c) for p, s, c, _ in items_of(run)],
        "payments": sorted(Payment.objects.values_list("sptn", "status", "needs_review",
                                                       "source")),
        "bills": [Bill.objects.get(pk=b.pk).status for b in bills],
    }


EXPECTED_AFTER_KILL_WORLD = {
    "status": "COMPLETED_WITH_EXCEPTIONS",
    "counts": counts(MATCHED=2, MISSING_IN_PORTAL=5, DUPLICATE_IN_FILE=1, MISSING_IN_FILE=1),
    "amounts": {
        "DUPLICATE_IN_FILE": {"RJHISARI": {"count": 1, "amount": "150.00"}},
        "MATCHED": {"NCBKSAJE": {"count": 1, "amount": "150.00"},
                    "RJHISARI": {"count": 1, "amount": "150.00"}},
        "MISSING_IN_FILE": {"RJHISARI": {"count": 1, "amount": "150.00"}},
        "MISSING_IN_PORTAL": {"NCBKSAJE": {"count": 2, "amount": "300.00"},
                              "RJHISARI": {"count": 3, "amount": "450.00"}},
    },
    # The file lists RJHISARI's records first, then NCBKSAJE's.
    "items": [(1, "SPA", "MATCHED"), (2, "SPM2", "MISSING_IN_PORTAL"),
              (3, "SPM4", "MISSING_IN_PORTAL"), (4, "SPM6", "MISSING_IN_PORTAL"),
              (5, "SPA", "DUPLICATE_IN_FILE"), (6, "SPB", "MATCHED"),
              (7, "SPM3", "MISSING_IN_PORTAL"), (8, "SPM5", "MISSING_IN_PORTAL"),
              (None, "SPZ", "MISSING_IN_FILE")],
    "payments": sorted([("SPA", "applied", False, "notification"),
                        ("SPB", "applied", False, "notification"),
                        ("SPZ", "applied", False, "notification")]
                       + [(f"SPM{i}", "applied", True, "reconciliation") for i in range(2, 7)]),
    "bills": [BillStatus.PAID] * 8,
}


class Killed(Exception):
    pass


# Batches of two: the kill world's file then commits in 5 staging batches (the last with the
# move to classifying), 4 classifying ranges, 3 portal ranges (one payment id each) and 3
# recording batches, so every kind of checkpoint is crossed, inside a bank and between banks.
SMALL = Pace(stage_rows=2, classify_rows=2, portal_ids=1, record_rows=2)
KILL_POINTS = ([("stage", n) for n in range(1, 6)] + [("classify", n) for n in range(1, 5)]
               + [("portal", n) for n in range(1, 4)] + [("record", n) for n in range(1, 4)])
PHASE_AFTER = {"stage": (ReconPhase.STAGING, ReconPhase.CLASSIFYING),
               "classify": (ReconPhase.CLASSIFYING, ReconPhase.PORTAL),
               "portal": (ReconPhase.PORTAL, ReconPhase.RECORDING),
               "record": (ReconPhase.RECORDING,)}


def dies_at(point):
    def on_batch(step, batches):
        if (step, batches) == point:
            raise Killed()

    return on_batch


def test_the_kill_world_commits_at_every_kill_point(tmp_path):
    # given the kill world, processed cleanly in batches of two
    bills, path = _kill_world(tmp_path)
    seen = []
    # when it runs
    recon_file_reconcile(path=path, pace=SMALL, on_batch=lambda step, n: seen.append((step, n)))
    # then it committed exactly the batches the kill tests interrupt at
    assert seen == KILL_POINTS


@pytest.mark.parametrize("kill_at", [None, *KILL_POINTS])
def test_a_run_killed_after_any_batch_then_rerun_ends_as_a_clean_run(tmp_path, kill_at):
    # given a run that dies right after `kill_at` committed
    bills, path = _kill_world(tmp_path)
    if kill_at is not None:
        with pytest.raises(Killed):
            recon_file_reconcile(path=path, pace=SMALL, on_batch=dies_at(kill_at))
        run = ReconRun.objects.get()
        assert run.status == ReconRunStatus.PROCESSING
        assert run.phase in PHASE_AFTER[kill_at[0]]
        if kill_at[0] == "record":
            # part of the payments were recorded before the kill, and nothing superseded yet
            assert Payment.objects.filter(source=PaymentSource.RECONCILIATION).count() == \
                min(2 * kill_at[1], 5)
        elif kill_at[0] == "stage" and run.phase == ReconPhase.STAGING:
            assert ReconItem.objects.count() == 0
            assert run.checkpoint["read"]["count"] == 2 * kill_at[1]
    # when the file is run (again)
    outcome = recon_file_reconcile(path=path, pace=SMALL)
    # then the end is exactly that of a clean run, still one run for the file, and the
    # staging table is gone
    assert outcome.status == ReconRunStatus.COMPLETED_WITH_EXCEPTIONS
    assert ReconRun.objects.count() == 1
    assert _final_state(outcome.run, bills) == EXPECTED_AFTER_KILL_WORLD
    assert outcome.run.checkpoint == {}
    assert stage_table(outcome.run.pk) not in connection.introspection.table_names()


def test_a_run_interrupted_after_every_single_batch_ends_as_a_clean_run(tmp_path):
    # given a worker that dies after each batch it commits
    bills, path = _kill_world(tmp_path)

    def dies_after_one(step, batches):
        raise Killed()

    attempts = 0
    # when the run is started again after each death, until it finishes
    while True:
        attempts += 1
        try:
            outcome = recon_file_reconcile(path=path, pace=SMALL, on_batch=dies_after_one)
            break
        except Killed:
            continue
    # then each attempt committed one batch and went on from there, and the end is a clean one
    assert attempts == len(KILL_POINTS) + 1
    assert _final_state(outcome.run, bills) == EXPECTED_AFTER_KILL_WORLD
    resumed = ReconEvent.objects.filter(run=outcome.run, kind="started", payload__resumed=True)
    assert resumed.count() == len(KILL_POINTS)


@pytest.mark.parametrize("kill_at", [("stage", 1), ("stage", 3)])
def test_a_file_whose_bank_totals_are_wrong_fails_the_same_after_a_kill(tmp_path, kill_at):
    # given the kill world's file with the second bank's count wrong, and a clean read of it
    bills, path = _kill_world(tmp_path)
    text = path.read_text().replace("<TrxCnt>3</TrxCnt>", "<TrxCnt>4</TrxCnt>")
    path.write_text(text)
    copy = tmp_path / "clean.xml"
    copy.write_text(text + "\n")  # other bytes: a run of its own
    clean = recon_file_reconcile(path=copy, pace=SMALL).run
    # when the same file is read by a run killed half-way, then run again
    with pytest.raises(Killed):
        recon_file_reconcile(path=path, pace=SMALL, on_batch=dies_at(kill_at))
    run = recon_file_reconcile(path=path, pace=SMALL).run
    # then it fails validation for the same reason as the clean read, with the header kept
    assert (run.status, run.phase) == (ReconRunStatus.FAILED_VALIDATION, ReconPhase.DONE)
    assert run.failure == clean.failure
    assert run.failure.startswith("control totals of bank NCBKSAJE differ: declared 450.00 in 4")
    assert (run.business_date, run.collected, run.fees) == (clean.business_date, clean.collected,
                                                            clean.fees)
    assert ReconItem.objects.count() == 0
    assert Payment.objects.filter(source=PaymentSource.RECONCILIATION).count() == 0
    assert stage_table(run.pk) not in connection.introspection.table_names()


def test_a_lost_staging_table_is_staged_again(tmp_path):
    # given a run killed while classifying, whose (UNLOGGED) staging table a database crash
    # then emptied
    bills, path = _kill_world(tmp_path)
    with pytest.raises(Killed):
        recon_file_reconcile(path=path, pace=SMALL, on_batch=dies_at(("classify", 2)))
    run = ReconRun.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {stage_table(run.pk)}")
    # when it is run again
    outcome = recon_file_reconcile(path=path, pace=SMALL)
    # then it read the file again and ends as a clean run
    assert _final_state(outcome.run, bills) == EXPECTED_AFTER_KILL_WORLD
    assert ReconEvent.objects.filter(run=run, payload__restaged=True).count() == 1


def test_run_status_moves_outside_the_table_are_refused_and_change_nothing(tmp_path):
    # given a completed run
    from amanah.errors import Conflict
    from payments.reconciliation.runs import recon_run_move

    bill = bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    run = recon_file_reconcile(path=write_file(tmp_path / "f.xml", [rec(bill, sptn="SP1")])).run
    events = ReconEvent.objects.filter(run=run).count()
    # when something tries to move it back to processing
    with pytest.raises(Conflict) as refused:
        recon_run_move(run=run, status=ReconRunStatus.PROCESSING, phase=ReconPhase.STAGING,
                       kind="started")
    # then it is refused with a stable code, and neither the run nor its events changed
    assert refused.value.code == "recon_run.transition_not_allowed"
    run.refresh_from_db()
    assert (run.status, run.phase) == (ReconRunStatus.COMPLETED, ReconPhase.DONE)
    assert ReconEvent.objects.filter(run=run).count() == events


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_file_only_one_processes_it(tmp_path):
    # given a file, and a first worker that pauses while holding it
    bills, path = _kill_world(tmp_path)
    holding, release = threading.Event(), threading.Event()

    def pause(step, batches):
        if threading.current_thread().name == "first" and (step, batches) == ("stage", 1):
            holding.set()
            assert release.wait(30)

    outcomes = {}

    def work(name):
        try:
            outcomes[name] = recon_file_reconcile(path=path, pace=SMALL, on_batch=pause)
        finally:
            connection.close()

    first = threading.Thread(target=work, args=("first",), name="first")
    first.start()
    assert holding.wait(30)
    # when a second worker takes the same file meanwhile
    second = threading.Thread(target=work, args=("second",), name="second")
    second.start()
    second.join(30)
    release.set()
    first.join(60)
    # then the second was told IN_PROGRESS and did nothing; the first processed it, once
    assert outcomes["second"].status == IN_PROGRESS
    assert outcomes["first"].status == ReconRunStatus.COMPLETED_WITH_EXCEPTIONS
    assert ReconRun.objects.count() == 1
    assert _final_state(outcomes["first"].run, bills) == EXPECTED_AFTER_KILL_WORLD


# --- entry points -----------------------------------------------------------------------------

def test_sadad_reconcile_json_prints_the_spec_object_and_exits_0(tmp_path):
    # given the spec's example day: one notified payment, one never notified
    bill, other = bill_make(), bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    path = write_file(tmp_path / "f.xml", [rec(bill, sptn="SP1"), rec(other, sptn="SP2")])
    out = io.StringIO()
    # when the operator runs the command
    call_command("sadad_reconcile", str(path), "--json", stdout=out)
    # then it prints exactly the §4 object
    assert json.loads(out.getvalue()) == {
        "business_date": "2026-11-30", "status": "COMPLETED_WITH_EXCEPTIONS",
        "counts": {"MATCHED": 1, "MISSING_IN_PORTAL": 1, "AMOUNT_MISMATCH": 0,
                   "ACCOUNT_MISMATCH": 0, "DUPLICATE_IN_FILE": 0, "MISSING_IN_FILE": 0,
                   "PENDING_NEXT_FILE": 0},
        "collected": "300.00", "fees": "1.50"}
    assert list(json.loads(out.getvalue())) == ["business_date", "status", "counts",
                                                 "collected", "fees"]


def test_sadad_reconcile_exits_2_on_failed_validation_and_0_on_a_duplicate(tmp_path):
    # given a file whose control total is wrong
    bill = bill_make()
    path = write_file(tmp_path / "f.xml", [rec(bill, sptn="SP1")],
                      replace=[("<CollectPmtAmt>150.00", "<CollectPmtAmt>151.00")])
    out = io.StringIO()
    # when the operator runs the command
    with pytest.raises(SystemExit) as exited:
        call_command("sadad_reconcile", str(path), "--json", stdout=out, stderr=io.StringIO())
    # then the exit code is 2, the status FAILED_VALIDATION, and no payment was recorded
    assert exited.value.code == 2
    report = json.loads(out.getvalue())
    assert (report["status"], report["counts"], report["collected"]) == (
        "FAILED_VALIDATION", ZERO, "151.00")
    assert Payment.objects.count() == 0
    # when it is run again on the same file: a duplicate, exit 0
    out = io.StringIO()
    call_command("sadad_reconcile", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["status"] == "DUPLICATE_FILE"


def _post_file(client, body: bytes, *, signature="sign", content_type="application/xml"):
    headers = {}
    if signature == "sign":
        headers["X-Sadad-Signature"] = signed(body)
    elif signature is not None:
        headers["X-Sadad-Signature"] = signature
    return client.post(RECON_URL, data=body, content_type=content_type, headers=headers)


def test_endpoint_answers_202_with_the_run_id_and_a_task_processes_it(
        client, tmp_path, settings, django_capture_on_commit_callbacks):
    # given a signed file for a notified payment
    settings.VAR_DIR = tmp_path
    bill = bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    body = write_file(tmp_path / "f.xml", [rec(bill, sptn="SP1")]).read_bytes()
    # when SADAD posts it
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post_file(client, body)
    # then the answer is 202 with the run id, the file is stored, and the task processed it
    assert response.status_code == 202
    run = ReconRun.objects.get()
    assert response["X-Recon-Run-Id"] == str(run.pk)
    assert response.content == (f"<SADAD><BillerSvcRs><Status><StatusCode>0</StatusCode>"
                                f"</Status><ReconRunId>{run.pk}</ReconRunId>"
                                f"<ReconRunStatus>RECEIVED</ReconRunStatus></BillerSvcRs>"
                                f"</SADAD>").encode()
    assert [c.task_name for c in callbacks] == ["payments.recon_run_process"]
    assert run.source == ReconSource.ENDPOINT
    assert Path(run.file_path).read_bytes() == body
    assert run.status == ReconRunStatus.COMPLETED
    assert run.counts == counts(MATCHED=1)
    # when the same file is posted again: 202, a DUPLICATE_FILE delivery, no task
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = _post_file(client, body)
    assert again.status_code == 202
    assert b"<ReconRunStatus>DUPLICATE_FILE</ReconRunStatus>" in again.content
    assert callbacks == []


@pytest.mark.parametrize("how, status, code", [
    ("missing", 401, "E_SIGNATURE"),
    ("wrong key", 401, "E_SIGNATURE"),
    ("stale", 401, "E_STALE"),
    ("media", 415, "E_MEDIA"),
    ("doctype", 400, "E_SCHEMA"),
])
def test_endpoint_refusals_record_nothing_and_queue_nothing(client, tmp_path, settings, queued,
                                                            security_log, how, status, code):
    # given a file, and a delivery that is wrong in one way
    settings.VAR_DIR = tmp_path
    bill = bill_make()
    body = write_file(tmp_path / "f.xml", [rec(bill, sptn="SP1")]).read_bytes()
    kwargs = {}
    if how == "missing":
        kwargs["signature"] = None
    elif how == "wrong key":
        kwargs["signature"] = signature_header("not-our-key", int(clock.now().timestamp()), body)
    elif how == "stale":
        kwargs["signature"] = signature_header(settings.SADAD_INBOUND_KEYS[0],
                                               int(clock.now().timestamp()) - 301, body)
    elif how == "media":
        kwargs["content_type"] = "text/xml"
    elif how == "doctype":
        body = b'<?xml version="1.0"?>\n<!DOCTYPE SADAD [<!ENTITY a "b">]>' + body
    # when it is posted
    with queued() as tasks:
        response = _post_file(client, body, **kwargs)
    # then it is refused with the code, and no run, no stored file, no task
    assert response.status_code == status
    assert f"<StatusCode>{code}</StatusCode>".encode() in response.content
    assert ReconRun.objects.count() == 0
    stored = tmp_path / "sadad-recon"
    assert not stored.exists() or list(stored.iterdir()) == []
    assert tasks == []
    assert Payment.objects.count() == 0
    # and the one security log line says a reconciliation file was refused, and why
    assert [r.getMessage().split(" rq_uid=")[0] for r in security_log()] == [
        f"refused SADAD reconciliation file: {status} {code}"]


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The periodic inbox sweep, with the run tasks it queues run in-process (eager)."""
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return recon_inbox_sweep()

    return run


def test_inbox_sweep_moves_files_to_processed_and_reconciles_them(tmp_path, settings, sweep):
    # given a file dropped in the inbox
    settings.SADAD_RECON_INBOX = tmp_path / "inbox"
    (tmp_path / "inbox").mkdir()
    bill = bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    write_file(tmp_path / "inbox" / "2026-11-30.xml", [rec(bill, sptn="SP1")])
    # when the periodic task runs (twice: the second finds nothing)
    runs = sweep()
    assert sweep() == []
    # then the file was moved to processed/ and its run queued and reconciled
    run = ReconRun.objects.get()
    assert runs == [run.pk]
    assert (run.source, run.status) == (ReconSource.INBOX, ReconRunStatus.COMPLETED)
    assert not (tmp_path / "inbox" / "2026-11-30.xml").exists()
    assert Path(run.file_path) == tmp_path / "inbox" / "processed" / "2026-11-30.xml"


@pytest.mark.parametrize("crash_at", ["registering the run", "moving the file",
                                      "queuing the run"])
def test_inbox_sweep_killed_at_any_step_then_rerun_ends_with_one_run(tmp_path, settings,
                                                                      monkeypatch, sweep,
                                                                      crash_at):
    # given a file dropped in the inbox, and a sweep that dies at one step (or whose task is
    # lost with the broker, or with the worker that took it)
    settings.SADAD_RECON_INBOX = tmp_path / "inbox"
    (tmp_path / "inbox").mkdir()
    bill = bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    dropped = write_file(tmp_path / "inbox" / "2026-11-30.xml", [rec(bill, sptn="SP1")])

    def dies_once(*args, **kwargs):
        monkeypatch.undo()  # the process is gone: the rerun runs the real code
        raise Killed()

    if crash_at == "queuing the run":
        monkeypatch.setattr(sadad_tasks, "task_on_commit", lambda *args, **kwargs: None)
        sweep()
        monkeypatch.undo()
        assert ReconRun.objects.get().status == ReconRunStatus.RECEIVED
    else:
        monkeypatch.setattr(*{"registering the run": (sadad_tasks, "recon_file_receive"),
                              "moving the file": (Path, "rename")}[crash_at], dies_once)
        with pytest.raises(Killed):
            sweep()
    # when the next sweep runs, and one more
    runs = sweep()
    assert sweep() == []
    # then exactly one run exists for the file, completed, and the file sits in processed/
    run = ReconRun.objects.get()
    assert runs == [run.pk]
    assert (run.source, run.status, run.counts) == (
        ReconSource.INBOX, ReconRunStatus.COMPLETED, counts(MATCHED=1))
    assert not dropped.exists()
    assert Path(run.file_path) == tmp_path / "inbox" / "processed" / "2026-11-30.xml"
    assert Path(run.file_path).is_file()


def test_inbox_redelivery_of_a_reconciled_file_killed_before_the_move_is_one_duplicate(
        tmp_path, settings, monkeypatch, sweep):
    # given a file already reconciled, and the same file dropped in the inbox again
    settings.SADAD_RECON_INBOX = tmp_path / "inbox"
    (tmp_path / "inbox").mkdir()
    bill = bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    first = recon_file_reconcile(path=write_file(tmp_path / "f.xml",
                                                 [rec(bill, sptn="SP1")])).run
    (tmp_path / "inbox" / "again.xml").write_bytes((tmp_path / "f.xml").read_bytes())

    def dies_once(*args, **kwargs):
        monkeypatch.undo()
        raise Killed()

    # when a sweep dies between registering the delivery and moving it, and is rerun
    monkeypatch.setattr(Path, "rename", dies_once)
    with pytest.raises(Killed):
        sweep()
    sweep()
    # then the redelivery is recorded once, as a duplicate of the first run
    assert sorted(ReconRun.objects.values_list("status", "duplicate_of")) == sorted([
        (first.status, None), (ReconRunStatus.DUPLICATE_FILE, first.pk)])
    assert (tmp_path / "inbox" / "processed" / "again.xml").is_file()


def test_staff_review_closes_an_exception_and_clears_the_payment_flag(tmp_path):
    # given a payment recorded from the file, flagged for review
    from tests.factories import UserFactory

    bill = bill_make()
    run = recon_file_reconcile(path=write_file(tmp_path / "f.xml", [rec(bill, sptn="SP9")])).run
    item = ReconItem.objects.get(run=run)
    staff = UserFactory()
    # when staff review it with a note
    recon_item_review(item_id=item.pk, actor=staff, note="Bank confirmed the debit")
    # then the item is closed, the payment no longer needs review, both audited
    item.refresh_from_db()
    assert (item.review_status, item.reviewed_by_id) == (ReviewStatus.RESOLVED, staff.pk)
    assert Payment.objects.get(sptn="SP9").needs_review is False
    assert ReconEvent.objects.filter(run=run, item=item, kind="item_reviewed").count() == 1
    # and reviewing it again is refused, changing nothing
    from amanah.errors import Conflict

    with pytest.raises(Conflict):
        recon_item_review(item_id=item.pk, actor=staff, note="again, again")
    assert ReconEvent.objects.filter(run=run, item=item).count() == 1


def test_inbox_sweep_resumes_a_run_left_unfinished(tmp_path, settings, sweep):
    # given a run killed while recording its payments
    settings.SADAD_RECON_INBOX = tmp_path / "inbox"
    bills, path = _kill_world(tmp_path)
    with pytest.raises(Killed):
        recon_file_reconcile(path=path, pace=SMALL, on_batch=dies_at(("record", 1)))
    # when the periodic sweep runs
    runs = sweep()
    # then it queued that run again, which finished exactly as a clean run ends
    run = ReconRun.objects.get()
    assert runs == [run.pk]
    assert _final_state(run, bills) == EXPECTED_AFTER_KILL_WORLD


def test_sadad_reconcile_exits_75_while_another_worker_holds_the_file(tmp_path):
    # given a file whose run another worker (another database session) is processing
    from django.db import connections

    bill = bill_make()
    path = write_file(tmp_path / "f.xml", [rec(bill, sptn="SP1")])
    run = recon_file_receive(path=path, source=ReconSource.COMMAND)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [0x5ADAD, run.pk])
        out = io.StringIO()
        # when the operator runs the command on it
        with pytest.raises(SystemExit) as exited:
            call_command("sadad_reconcile", str(path), "--json", stdout=out,
                         stderr=io.StringIO())
    finally:
        other.close()
    # then it exits 75 with status IN_PROGRESS, and touched nothing
    assert exited.value.code == 75
    assert json.loads(out.getvalue()) == {"business_date": None, "status": "IN_PROGRESS",
                                          "counts": ZERO, "collected": None, "fees": None}
    run.refresh_from_db()
    assert (run.status, run.phase) == (ReconRunStatus.RECEIVED, ReconPhase.STAGING)
    assert ReconRun.objects.count() == 1
    assert list(ReconEvent.objects.filter(run=run).values_list("kind", flat=True)) == [
        "received"]
    # and once that worker has finished with it, the same command processes it
    out = io.StringIO()
    call_command("sadad_reconcile", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["status"] == "COMPLETED_WITH_EXCEPTIONS"


def test_the_domain_never_imports_the_sadad_adapter():
    # given every module of the reconciliation domain
    import ast

    from tests.conftest import ROOT

    offenders = []
    for module in sorted((ROOT / "payments" / "reconciliation").glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ("payments." if node.level == 2 else
                        "payments.reconciliation." if node.level == 1 else "")
                names = [base + (node.module or "")]
                names += [base + (node.module or "") + "." + a.name for a in node.names]
            offenders += [f"{module.name}: {n}" for n in names
                          if n.startswith("payments.sadad") or n == "payments." + "sadad"]
    # then none of them imports payments.sadad, even inside a function
    assert offenders == []


@pytest.mark.django_db(transaction=True)
def test_endpoint_file_is_processed_by_a_real_worker(client, tmp_path, settings, real_worker):
    # given a signed file for one notified payment and one never notified
    settings.VAR_DIR = tmp_path
    bill, other = bill_make(), bill_make()
    notified(bill, sptn="SP1", when=at(10, 20))
    body = write_file(tmp_path / "f.xml", [rec(bill, sptn="SP1"),
                                           rec(other, sptn="SP2")]).read_bytes()
    # when SADAD posts it
    response = _post_file(client, body)
    assert response.status_code == 202
    run_id = int(response["X-Recon-Run-Id"])
    # then the Celery worker (through Redis) processes the run to its end
    import time

    deadline = time.monotonic() + 60
    run = ReconRun.objects.get(pk=run_id)
    while run.status not in (ReconRunStatus.COMPLETED_WITH_EXCEPTIONS,
                             ReconRunStatus.FAILED_VALIDATION) and time.monotonic() < deadline:
        time.sleep(0.2)
        run.refresh_from_db()
    assert run.status == ReconRunStatus.COMPLETED_WITH_EXCEPTIONS
    assert run.counts == counts(MATCHED=1, MISSING_IN_PORTAL=1)
    other.refresh_from_db()
    assert other.status == BillStatus.PAID


@pytest.mark.django_db(transaction=True)
def test_sadad_reconcile_killed_by_sigkill_then_rerun_ends_as_a_clean_run(tmp_path):
    # given a file of 10000 payments the portal never heard of (for unknown bills): recorded in
    # growing batches from 100, so a kill lands between two commits
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT, _test_database_url

    records = [rec(f"{7000000000 + n}0", sptn=f"SPK{n:05d}") for n in range(10000)]
    path = write_file(tmp_path / "big.xml", records)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "amanah.settings.test",
           "DATABASE_URL": _test_database_url()}
    # when `sadad_reconcile` is killed with SIGKILL while it records them
    child = subprocess.Popen([sys.executable, "manage.py", "sadad_reconcile", str(path),
                              "--json"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not Payment.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    recorded_before_rerun = Payment.objects.count()
    run = ReconRun.objects.get()
    assert 0 < recorded_before_rerun < 10000
    assert (run.status, run.phase) == (ReconRunStatus.PROCESSING, ReconPhase.RECORDING)
    # and run again by the operator
    out = io.StringIO()
    call_command("sadad_reconcile", str(path), "--json", stdout=out)
    # then it ends as a clean run would: every payment recorded once, every item linked
    assert json.loads(out.getvalue())["counts"] == counts(MISSING_IN_PORTAL=10000)
    run.refresh_from_db()
    assert run.status == ReconRunStatus.COMPLETED_WITH_EXCEPTIONS
    assert ReconRun.objects.count() == 1
    assert Payment.objects.count() == 10000
    assert Payment.objects.filter(status=PaymentStatus.SUSPENSE, needs_review=True,
                                  source=PaymentSource.RECONCILIATION).count() == 10000
    assert ReconItem.objects.filter(run=run, payment__isnull=True).count() == 0
    assert set(ReconItem.objects.filter(run=run).values_list("payment__sptn", flat=True)) == {
        f"SPK{n:05d}" for n in range(10000)}
