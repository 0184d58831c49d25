"""Reconciliation pages: the runs, a run's report (counts and amounts per category and bank),
and the review of its exceptions by the Amanah's finance desk."""

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amanah.dates import RIYADH
from amanah.enums import StaffRole
from payments.enums import PaymentSource
from payments.reconciliation.enums import ReconCategory, ReconRunStatus, ReviewStatus
from payments.reconciliation.models import ReconItem
from payments.sadad.reconfile import BankSection, recon_file_write
from payments.sadad.tasks import recon_file_reconcile
from payments.services import payment_record

from .factories import pmt
from .pages_helpers import client_for, world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 30)


def _at(hour, minute=0, day=DAY):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=RIYADH)


def _file(tmp_path, records, name="day.xml"):
    banks: dict[str, list] = {}
    for record in records:
        banks.setdefault(record.bank_id, []).append(record)
    out = io.StringIO()
    recon_file_write(out, business_date=DAY, fees=Decimal("2.25"), rq_uid=str(uuid.uuid4()),
                     client_dt=_at(2, 0, DAY + dt.timedelta(days=1)), receiver="090",
                     banks=[BankSection(bank_id=bank, amount=sum(r.amount for r in recs),
                                        count=len(recs), records=recs)
                            for bank, recs in banks.items()])
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def run(world, clock, tmp_path):
    """A day with two matched payments (two banks), one never notified, one amount mismatch."""
    clock.set(_at(10, 0))
    bills = [world.bill(amount=a) for a in ("150.00", "200.00", "80.00", "60.00")]
    for sptn, bill, bank in (("SP-A", bills[0], "RJHISARI"), ("SP-B", bills[1], "NCBKSAJE"),
                             ("SP-D", bills[3], "RJHISARI")):
        payment_record(sptn=sptn, amount=bill.amount, billing_account=bill.billing_account,
                       bank_id=bank, channel="INTERNET", method="ACTDEB",
                       processed_at=_at(10, 5), source=PaymentSource.NOTIFICATION)
    clock.set(_at(23, 50, DAY + dt.timedelta(days=1)))
    records = [
        pmt(sptn="SP-A", amount="150.00", billing_account=bills[0].billing_account,
            bank_id="RJHISARI", processed_at=_at(10, 5)),
        pmt(sptn="SP-B", amount="200.00", billing_account=bills[1].billing_account,
            bank_id="NCBKSAJE", processed_at=_at(10, 5)),
        pmt(sptn="SP-C", amount="80.00", billing_account=bills[2].billing_account,
            bank_id="NCBKSAJE", processed_at=_at(11, 0)),
        pmt(sptn="SP-D", amount="61.00", billing_account=bills[3].billing_account,
            bank_id="RJHISARI", processed_at=_at(10, 5)),
    ]
    outcome = recon_file_reconcile(path=_file(tmp_path, records))
    assert outcome.run.status == ReconRunStatus.COMPLETED_WITH_EXCEPTIONS
    return outcome.run


def _report_rows(response):
    return {(row.category, row.count, row.amount, tuple(row.banks))
            for row in response.context["report"] if row.count}


def test_run_report_gives_counts_and_amounts_per_category_and_bank(client, world, run):
    head = world.staff("finance", StaffRole.HEAD, world.amanah)
    response = client_for(client, head).get(
        reverse("payments:finance_reconciliation_run", args=[run.pk]))
    assert response.status_code == 200
    assert _report_rows(response) == {
        (ReconCategory.MATCHED, 2, Decimal("350.00"),
         (("NCBKSAJE", 1, Decimal("200.00")), ("RJHISARI", 1, Decimal("150.00")))),
        (ReconCategory.MISSING_IN_PORTAL, 1, Decimal("80.00"),
         (("NCBKSAJE", 1, Decimal("80.00")),)),
        (ReconCategory.AMOUNT_MISMATCH, 1, Decimal("61.00"),
         (("RJHISARI", 1, Decimal("61.00")),)),
    }
    html = response.content.decode()
    assert "مفقودة في البوابة" in html and "اختلاف في المبلغ" in html
    # exceptions in file order (the file lists RJHISARI's records first)
    assert [i.sptn for i in response.context["items"].object_list] == ["SP-D", "SP-C"]


def test_runs_list_and_exception_queue(client, world, run):
    cashier = world.staff("finance", StaffRole.CASHIER)
    client = client_for(client, cashier)
    runs = client.get(reverse("payments:finance_reconciliation"))
    assert [r.pk for r in runs.context["page"].object_list] == [run.pk]
    assert runs.context["open_items"] == 2
    queue = client.get(reverse("payments:finance_suspense"))
    assert sorted(i.sptn for i in queue.context["recon_open"]) == ["SP-C", "SP-D"]


def test_amanah_finance_marks_an_exception_reviewed(client, world, run):
    head = world.staff("finance", StaffRole.HEAD, world.amanah)
    item = ReconItem.objects.get(run=run, sptn="SP-D")
    url = reverse("payments:finance_reconciliation_run", args=[run.pk])
    response = client_for(client, head).post(url, {"item": item.pk,
                                                   "note": "Bank confirmed 60.00; file typo"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.review_status, item.reviewed_by_id) == (ReviewStatus.RESOLVED, head.pk)


def test_review_refusals_change_nothing(client, world, run):
    item = ReconItem.objects.get(run=run, sptn="SP-D")
    url = reverse("payments:finance_reconciliation_run", args=[run.pk])
    # a too-short note is refused next to the item
    head = world.staff("finance", StaffRole.HEAD, world.amanah)
    short = client_for(client, head).post(url, {"item": item.pk, "note": "ok"})
    assert short.status_code == 400
    assert "note" in short.context["review_form"].errors
    client.logout()
    # a branch desk may read the report but not review the biller-wide file
    cashier = world.staff("finance", StaffRole.CASHIER)
    assert client_for(client, cashier).post(url, {"item": item.pk,
                                                  "note": "Looks fine to me"}).status_code == 404
    item.refresh_from_db()
    assert (item.review_status, item.reviewed_by_id) == (ReviewStatus.OPEN, None)


@pytest.mark.parametrize("who", ["anonymous", "citizen", "other_department_staff"])
def test_reconciliation_pages_are_for_finance_staff(client, world, run, who):
    client = client_for(client, world.who(who))
    for url in (reverse("payments:finance_reconciliation"),
                reverse("payments:finance_reconciliation_run", args=[run.pk])):
        assert client.get(url).status_code == (302 if who == "anonymous" else 403)


def test_report_queries_are_fixed(client, world, run, tmp_path):
    head = world.staff("finance", StaffRole.HEAD, world.amanah)
    client = client_for(client, head)
    url = reverse("payments:finance_reconciliation_run", args=[run.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("payments:finance_reconciliation"))
    assert len(captured) <= 10 and len(again) <= 10
