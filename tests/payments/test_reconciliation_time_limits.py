"""A real Celery worker whose time limit keeps interrupting a reconciliation run: each attempt
commits some batches and queues the next, and the run ends as an uninterrupted one would."""

import datetime as dt
import time
import uuid
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import connection

from amanah.dates import RIYADH
from payments.enums import PaymentSource, PaymentStatus, SuspenseReason
from payments.models import Payment, ReconEvent, ReconItem, ReconRun
from payments.reconciliation.enums import ReconCategory, ReconRunStatus, ReconSource
from payments.reconciliation.runs import recon_file_receive
from payments.reconciliation.staging import stage_table
from payments.records import PaymentRecord
from payments.sadad.reconfile import BankSection, recon_file_write
from payments.sadad.tasks import recon_run_process_task

DAY = dt.date(2026, 11, 30)
BANKS = ("RJHISARI", "NCBKSAJE", "RIBLSARI")
NOTIFIED = 40_000  # in the file and in the portal: MATCHED (enough for a run of several seconds)
NEVER_NOTIFIED = 10_000  # in the file only: recorded from it (MISSING_IN_PORTAL), in batches
REPEATED = 60  # notified SPTNs listed a second time (DUPLICATE_IN_FILE)
LOST = 40  # in the portal only (MISSING_IN_FILE)


def _moment(i: int) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(1, 0), tzinfo=RIYADH) + dt.timedelta(seconds=i)


def _amount(i: int) -> Decimal:
    return Decimal(10 + i % 500) + Decimal(i % 100) / 100


def _record(i: int, sptn: str) -> PaymentRecord:
    return PaymentRecord(sptn=sptn, bnkptn="", status_code="PmtNew", effective_at=_moment(i),
                         amount=_amount(i), processed_at=_moment(i),
                         billing_account=f"{7000000000 + i}0", biller_id="090",
                         bank_id=BANKS[i % len(BANKS)], channel="INTERNET", method="ACTDEB")


def _portal_payments(indexes) -> None:
    now = dt.datetime.now(dt.UTC)
    Payment.objects.bulk_create([
        Payment(sptn=f"SPT{i:06d}", amount=_amount(i), billing_account=f"{7000000000 + i}0",
                biller_id="090", status=PaymentStatus.SUSPENSE,
                suspense_reason=SuspenseReason.UNKNOWN_BILL, bank_id=BANKS[i % len(BANKS)],
                channel="INTERNET", method="ACTDEB", processed_at=_moment(i),
                effective_at=_moment(i), business_date=DAY, received_at=now,
                source=PaymentSource.NOTIFICATION, source_reference="notified")
        for i in indexes], batch_size=2000)


@pytest.mark.django_db(transaction=True)
def test_a_run_cut_by_a_short_time_limit_again_and_again_ends_as_an_uninterrupted_run(
        tmp_path, real_worker):
    # given the portal's notified payments of the day, and the day's file: those payments,
    # payments never notified, some SPTNs listed twice, and some portal payments left out
    _portal_payments(range(NOTIFIED + LOST))
    records = [_record(i, f"SPT{i:06d}") for i in range(NOTIFIED)]
    records += [_record(NOTIFIED + LOST + i, f"SPN{i:06d}") for i in range(NEVER_NOTIFIED)]
    records += [_record(i, f"SPT{i:06d}") for i in range(0, REPEATED * 7, 7)]
    by_bank = defaultdict(list)
    for record in records:
        by_bank[record.bank_id].append(record)
    path = tmp_path / "day.xml"
    with open(path, "w", encoding="utf-8") as out:
        recon_file_write(out, business_date=DAY, fees=Decimal("0.00"), rq_uid=str(uuid.uuid4()),
                         client_dt=_moment(0), receiver="090",
                         banks=[BankSection(bank_id=bank, amount=sum(r.amount for r in recs),
                                            count=len(recs), records=recs)
                                for bank, recs in by_bank.items()])
    run = recon_file_receive(path=path, source=ReconSource.COMMAND)
    # when a worker processes it under a soft limit of 1 s (hard 3 s), re-queuing itself
    recon_run_process_task.apply_async(kwargs={"run_id": run.pk}, soft_time_limit=1,
                                       time_limit=3)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status != ReconRunStatus.RECEIVED and run.status != ReconRunStatus.PROCESSING:
            break
        time.sleep(0.5)
    # then it was interrupted several times and still completed
    assert run.status == ReconRunStatus.COMPLETED_WITH_EXCEPTIONS
    resumed = ReconEvent.objects.filter(run=run, kind="started", payload__resumed=True).count()
    assert resumed >= 2
    # with exactly the figures of an uninterrupted run
    expected = Counter()
    amounts = defaultdict(lambda: defaultdict(lambda: [0, Decimal("0.00")]))

    def add(category, record):
        expected[category] += 1
        amounts[category][record.bank_id][0] += 1
        amounts[category][record.bank_id][1] += record.amount

    seen = set()
    for record in records:
        category = (ReconCategory.DUPLICATE_IN_FILE if record.sptn in seen
                    else ReconCategory.MISSING_IN_PORTAL if record.sptn.startswith("SPN")
                    else ReconCategory.MATCHED)
        seen.add(record.sptn)
        add(category, record)
    for i in range(NOTIFIED, NOTIFIED + LOST):
        add(ReconCategory.MISSING_IN_FILE, _record(i, f"SPT{i:06d}"))
    assert run.counts == {c.value: expected[c] for c in ReconCategory}
    assert run.amounts == {
        category: {bank: {"count": n, "amount": f"{total:.2f}"} for bank, (n, total)
                   in banks.items()} for category, banks in amounts.items()}
    assert run.record_count == len(records)
    assert ReconItem.objects.filter(run=run).count() == len(records) + LOST
    assert sorted(ReconItem.objects.filter(run=run, position__isnull=False)
                  .values_list("position", flat=True)) == list(range(1, len(records) + 1))
    # every payment recorded once, from the file, for each record the portal never heard of
    assert Payment.objects.count() == NOTIFIED + LOST + NEVER_NOTIFIED
    assert Payment.objects.filter(source=PaymentSource.RECONCILIATION, needs_review=True,
                                  source_reference=f"recon-run-{run.pk}").count() == NEVER_NOTIFIED
    assert ReconItem.objects.filter(run=run, category=ReconCategory.MISSING_IN_PORTAL,
                                    payment__isnull=True).count() == 0
    # and nothing of the run's working state is left behind
    assert run.checkpoint == {}
    assert stage_table(run.pk) not in connection.introspection.table_names()
    assert ReconRun.objects.count() == 1
