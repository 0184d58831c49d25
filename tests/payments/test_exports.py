"""Finance lists as files: every row the page lists (all pages, same order, same filters), in
the reader's language, within the reader's municipalities, and each export recorded."""

import csv
import datetime as dt
import io
import re
import tracemalloc
import uuid
import zipfile
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import translation

from amanah.enums import StaffRole
from amanah.models import ExportLog
from bench.exports import bills_copy
from payments.reconciliation.models import ReconItem, ReconRun
from payments.services import payment_record

from .factories import UNKNOWN_ACCOUNT
from .pages_helpers import client_for, underpaid_fixture, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def _page_numbers(client, url: str, params: dict) -> list[str]:
    numbers, page = [], 1
    while True:
        context = client.get(url, {**params, "page": page}).context
        numbers += [bill.billing_account for bill in context["page"].object_list]
        if not context["page"].has_next():
            return numbers
        page += 1


def test_the_bill_export_streams_every_page_of_the_list_in_its_order_with_its_filters(
        client, world):
    # given one paid bill and 27 pending ones in the branch, and the branch's cashier
    world.paid_bill(amount="150.00")
    pending = [world.bill(amount="1234.50", registered=False) for _ in range(27)]
    cashier = world.staff("finance", StaffRole.CASHIER)
    client = client_for(client, cashier)
    filters = {"status": "pending_registration", "q": ""}
    # when the cashier downloads the filtered list as CSV
    response = client.get(reverse("payments:export_bills", args=["csv"]), filters)
    # then the file is streamed, holds the page's rows across both pages, in the same order
    assert isinstance(response, StreamingHttpResponse)
    rows = _csv_rows(response)
    listed = _page_numbers(client, reverse("payments:finance_bills"), filters)
    assert len(listed) == 27
    assert [row[0] for row in rows[1:]] == listed
    assert set(listed) == {bill.billing_account for bill in pending}
    # with Arabic headers, money as plain numbers, ISO dates and a Hijri column
    assert rows[0][:6] == ["رقم الفاتورة", "الوصف", "الخدمة", "البلدية", "هوية الدافع",
                           "المبلغ (ر.س)"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["المبلغ (ر.س)"] == "1234.50"
    assert first["البلدية"] == "بلدية الخبر"
    assert first["هوية الدافع"] == world.citizen.national_id
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", first["تاريخ الاستحقاق"])
    assert re.fullmatch(r"14\d\d-\d{2}-\d{2}", first["تاريخ الاستحقاق (هجري)"])
    # and it is a dated attachment nobody caches
    assert re.fullmatch(r'attachment; filename="bills-\d{4}-\d{2}-\d{2}\.csv"',
                        response["Content-Disposition"])
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_headers_and_labels_are_english_on_the_english_site(client, world):
    world.bill(amount="20.00", registered=False)
    client = client_for(client, world.staff("finance", StaffRole.CASHIER))
    with translation.override("en"):
        url = reverse("payments:export_bills", args=["csv"])
    assert url.startswith("/en/")
    rows = _csv_rows(client.get(url))
    assert rows[0] == ["Bill number", "Description", "Service", "Municipality", "Payer ID",
                       "Amount (SAR)", "Paid (SAR)", "Due date", "Due date (Hijri)", "Status",
                       "SADAD rejection", "Created at"]
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Municipality"] == "Khobar Municipality"
    assert record["Status"] == "Awaiting SADAD registration"
    assert record["Amount (SAR)"] == "20.00"


def test_a_branch_cashier_exports_no_bill_of_another_branch(client, world):
    # given a bill in each branch
    own = world.bill(amount="10.00", registered=False)
    other = world.bill(amount="11.00", registered=False, municipality=world.other_branch)
    client = client_for(client, world.staff("finance", StaffRole.CASHIER))
    # when the Khobar cashier exports every bill
    for file_format in ("csv", "xlsx"):
        response = client.get(reverse("payments:export_bills", args=[file_format]))
        content = (b"".join(response.streaming_content) if file_format == "csv"
                   else _xlsx_sheet(response))
        # then only Khobar's bill is in it
        assert own.billing_account.encode() in content
        assert other.billing_account.encode() not in content


@pytest.mark.parametrize("who", ["citizen", "other_department_staff"])
@pytest.mark.parametrize("name", ["export_bills", "export_payments", "export_suspense"])
def test_people_without_a_finance_role_are_refused_and_nothing_is_recorded(client, world, who,
                                                                           name):
    world.bill(amount="10.00", registered=False)
    client = client_for(client, world.who(who))
    response = client.get(reverse(f"payments:{name}", args=["csv"]))
    assert response.status_code == 403
    assert ExportLog.objects.count() == 0


def test_anonymous_is_sent_to_sign_in_and_nothing_is_recorded(client, world):
    response = client.get(reverse("payments:export_bills", args=["csv"]))
    assert response.status_code == 302
    assert ExportLog.objects.count() == 0


def test_each_export_is_recorded_with_its_user_list_filters_and_row_count(client, world):
    for _ in range(3):
        world.bill(amount="10.00", registered=False)
    cashier = world.staff("finance", StaffRole.CASHIER)
    client = client_for(client, cashier)
    response = client.get(reverse("payments:export_bills", args=["csv"]),
                          {"status": "pending_registration", "q": ""})
    # recorded before the first row leaves, completed when the last has
    log = ExportLog.objects.get()
    assert (log.user_id, log.list_name, log.filters, log.file_format, log.language,
            log.row_count, log.completed_at) == (
        cashier.pk, "bills", {"status": "pending_registration"}, "csv", "ar", None, None)
    _csv_rows(response)
    log.refresh_from_db()
    assert log.row_count == 3
    assert log.completed_at is not None


def _xlsx_sheet(response, name: str = "sheet1") -> bytes:
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        return workbook.read(f"xl/worksheets/{name}.xml")


def test_the_xlsx_export_opens_with_numbers_dates_and_a_right_to_left_sheet_in_arabic(
        client, world):
    bill = world.bill(amount="1234.50", registered=False)
    client = client_for(client, world.staff("finance", StaffRole.CASHIER))
    response = client.get(reverse("payments:export_bills", args=["xlsx"]))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert re.fullmatch(r'attachment; filename="bills-\d{4}-\d{2}-\d{2}\.xlsx"',
                        response["Content-Disposition"])
    sheet = _xlsx_sheet(response).decode()
    assert 'rightToLeft="1"' in sheet
    assert f"<t>{bill.billing_account}</t>" in sheet
    assert "<t>رقم الفاتورة</t>" in sheet
    # the amount is a number cell (no type attribute: numeric), not text
    assert re.search(r'<c r="F2" s="\d+"><v>1234.5</v></c>', sheet)
    # the due date is a date serial with a date format
    serial = (bill.due_date - dt.date(1899, 12, 30)).days
    assert re.search(rf'<c r="H2" s="\d+"><v>{serial}</v></c>', sheet)
    # in English the sheet reads left to right
    with translation.override("en"):
        url = reverse("payments:export_bills", args=["xlsx"])
    english = _xlsx_sheet(client.get(url)).decode()
    assert "rightToLeft" not in english
    assert "<t>Bill number</t>" in english


def test_the_payment_export_lists_the_pages_payments_with_its_filter(client, world):
    paid, receipt = world.paid_bill(amount="150.00")
    stray = payment_record(sptn=f"SP{uuid.uuid4().int % 10**16:016d}", amount=Decimal("5.00"),
                           billing_account=UNKNOWN_ACCOUNT, bank_id="RJHISARI", channel="ATM",
                           method="CASH", processed_at=world.citizen.mobile_confirmed_at).payment
    client = client_for(client, world.staff("finance", StaffRole.CASHIER))
    with translation.override("en"):
        url = reverse("payments:export_payments", args=["csv"])
    every = _csv_rows(client.get(url))
    assert every[0][:4] == ["SPTN", "Bank reference", "Bill number", "Amount (SAR)"]
    assert {row[0] for row in every[1:]} == {receipt.payment.sptn, stray.sptn}
    only_stray = _csv_rows(client.get(url, {"q": stray.sptn}))
    assert [row[0] for row in only_stray[1:]] == [stray.sptn]
    record = dict(zip(every[0], only_stray[1], strict=True))
    assert (record["Amount (SAR)"], record["Status"], record["Needs review"]) == (
        "5.00", "In suspense", "No")


def test_the_suspense_export_lists_the_queue(client, world, underpaid):
    client = client_for(client, world.staff("finance", StaffRole.CASHIER))
    with translation.override("en"):
        rows = _csv_rows(client.get(reverse("payments:export_suspense", args=["csv"])))
    assert rows[0] == ["SPTN", "Bill number", "Amount (SAR)", "Reason", "Received",
                       "Received (Hijri)", "Open request"]
    assert [(r[0], r[2], r[3], r[6]) for r in rows[1:]] == [
        (underpaid.sptn, "100.00", "Underpaid", "")]


def test_the_reconciliation_export_lists_the_runs_exceptions(client, world):
    run = ReconRun.objects.create(file_sha256="f" * 64, file_path="/x.xml", file_size=1,
                                  source="command", received_at=dt.datetime.now(dt.UTC))
    ReconItem.objects.create(run=run, position=1, sptn="SP1", category="MATCHED",
                             amount=Decimal("10.00"), billing_account="1", bank_id="RJHI")
    ReconItem.objects.create(run=run, position=2, sptn="SP2", category="MISSING_IN_PORTAL",
                             amount=Decimal("20.00"), billing_account="2", bank_id="RJHI",
                             review_status="open")
    client = client_for(client, world.staff("finance", StaffRole.CASHIER))
    rows = _csv_rows(client.get(reverse("payments:export_recon_items", args=[run.pk, "csv"])))
    # the page's list: exceptions only, in file order
    assert [(r[0], r[1], r[5]) for r in rows[1:]] == [("2", "SP2", "20.00")]
    assert client.get(reverse("payments:export_recon_items",
                              args=[run.pk + 1, "csv"])).status_code == 404


def test_the_list_pages_link_to_their_exports_with_their_filters(client, world):
    client = client_for(client, world.staff("finance", StaffRole.CASHIER))
    page = client.get(reverse("payments:finance_bills"), {"status": "paid", "q": "7"})
    html = page.content.decode()
    assert f'href="{reverse("payments:export_bills", args=["csv"])}?status=paid&amp;q=7"' in html
    assert f'href="{reverse("payments:export_bills", args=["xlsx"])}?status=paid&amp;q=7"' in html


def _export_peak_bytes(client) -> tuple[int, int]:
    """(peak bytes traced while the CSV export is requested and read to its end, rows)."""
    url = reverse("payments:export_bills", args=["csv"])
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        lines = sum(piece.count(b"\n") for piece in client.get(url).streaming_content)
        return tracemalloc.get_traced_memory()[1] - before, lines - 1
    finally:
        tracemalloc.stop()


def test_the_exports_memory_does_not_grow_with_its_rows(client, world):
    # given 5,000 bills in Khobar and 25,000 in Qatif, and a cashier of each branch
    # (rows are read 2,000 at a time: both sizes span several fetches, so both hold the
    # same at most — one fetched chunk being written while the next arrives, one CSV piece)
    small = world.bill(amount="10.00", registered=False)
    big = world.bill(amount="10.00", registered=False, municipality=world.other_branch)
    bills_copy(template_id=small.pk, rows=4_999, first_number=5 * 10**11)
    bills_copy(template_id=big.pk, rows=24_999, first_number=6 * 10**11)
    khobar = client_for(client, world.staff("finance", StaffRole.CASHIER))
    qatif = client.__class__()
    qatif.force_login(world.staff("finance", StaffRole.CASHIER,
                                  municipality=world.other_branch))
    _export_peak_bytes(khobar)  # warm: imports, caches and the connection are not the rows'
    # when each exports their bills, memory traced
    small_peak, small_rows = _export_peak_bytes(khobar)
    big_peak, big_rows = _export_peak_bytes(qatif)
    # then five times the rows cost at most a fifth more memory at the peak (measured: ~3%;
    # a list held in memory would cost five times as much)
    assert (small_rows, big_rows) == (5_000, 25_000)
    assert big_peak <= 1.2 * small_peak, (small_peak, big_peak)
