"""The generic export: how each kind of value is written in CSV and XLSX, formula injection,
the file's name and headers, and the export record."""

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.http import FileResponse, StreamingHttpResponse

from amanah import clock
from amanah.exports import (
    Column,
    export_log_begin,
    export_log_complete,
    export_response,
    hijri_iso,
    safe_filename,
    text_neutralised,
)
from tests.factories import StaffUserFactory

COLUMNS = [
    Column("name", "الاسم", "Name", lambda r: r["name"]),
    Column("amount", "المبلغ", "Amount", lambda r: r["amount"], "money"),
    Column("day", "اليوم", "Day", lambda r: r["day"], "date"),
    Column("day_hijri", "اليوم (هجري)", "Day (Hijri)", lambda r: hijri_iso(r["day"])),
    Column("at", "الوقت", "At", lambda r: r["at"], "datetime"),
    Column("count", "العدد", "Count", lambda r: r["count"], "int"),
]
# The CSV is read in one transaction (a streaming server-side cursor): every test has a database.
pytestmark = pytest.mark.django_db

ROW = {"name": "سارة", "amount": Decimal("1234.5"), "day": dt.date(2026, 12, 2),
       "at": dt.datetime(2026, 12, 2, 5, 30, tzinfo=dt.UTC), "count": 7}


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.fixture(autouse=True)
def _frozen_clock():
    clock.freeze(dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC))  # 2 December in Riyadh
    yield
    clock.freeze(None)


def test_csv_writes_each_kind_plainly_and_in_riyadh_time():
    response = export_response(rows=iter([ROW, {**ROW, "amount": None, "count": None}]),
                               columns=COLUMNS, filename_stem="bills", format="csv",
                               language="en")
    assert isinstance(response, StreamingHttpResponse)
    rows = _csv(response)
    assert rows == [
        ["Name", "Amount", "Day", "Day (Hijri)", "At", "Count"],
        ["سارة", "1234.50", "2026-12-02", "1448-06-22", "2026-12-02 08:30:00", "7"],
        ["سارة", "", "2026-12-02", "1448-06-22", "2026-12-02 08:30:00", ""],
    ]
    assert response["Content-Disposition"] == 'attachment; filename="bills-2026-12-02.csv"'
    assert "no-store" in response["Cache-Control"]


def test_a_thousand_riyals_is_never_written_with_a_comma():
    response = export_response(rows=iter([{**ROW, "amount": Decimal("1000")}]), columns=COLUMNS,
                               filename_stem="x", format="csv", language="ar")
    assert _csv(response)[1][1] == "1000.00"


def test_headers_follow_the_language():
    response = export_response(rows=iter([]), columns=COLUMNS, filename_stem="x", format="csv",
                               language="ar")
    assert _csv(response) == [["الاسم", "المبلغ", "اليوم", "اليوم (هجري)", "الوقت", "العدد"]]


@pytest.mark.parametrize("text", ["=1+2", "+966500000000", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_gets_a_leading_apostrophe(text):
    assert text_neutralised(text) == "'" + text
    response = export_response(rows=iter([{**ROW, "name": text}]), columns=COLUMNS,
                               filename_stem="x", format="csv", language="en")
    assert _csv(response)[1][0] == "'" + text


def test_ordinary_text_and_numbers_are_left_alone():
    assert text_neutralised("سارة = مهندسة") == "سارة = مهندسة"
    response = export_response(rows=iter([{**ROW, "amount": Decimal("-5.00")}]),
                               columns=COLUMNS, filename_stem="x", format="csv", language="en")
    assert _csv(response)[1][1] == "-5.00"  # a money column is a number, not text


def _sheet(response) -> str:
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        return workbook.read("xl/worksheets/sheet1.xml").decode()


def test_xlsx_has_numbers_dates_and_text_never_formulas_and_reads_right_to_left_in_arabic():
    response = export_response(rows=iter([{**ROW, "name": "=HYPERLINK(\"x\")"}]),
                               columns=COLUMNS, filename_stem="bills", format="xlsx",
                               language="ar")
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"] == 'attachment; filename="bills-2026-12-02.xlsx"'
    assert "no-store" in response["Cache-Control"]
    sheet = _sheet(response)
    assert 'rightToLeft="1"' in sheet
    assert "<f>" not in sheet  # no formula, whatever the text
    assert 't="inlineStr"' in sheet
    assert "<t>=HYPERLINK(&quot;x&quot;)</t>" in sheet or '<t>=HYPERLINK("x")</t>' in sheet
    assert re.search(r'<c r="B2" s="\d+"><v>1234.5</v></c>', sheet)
    assert re.search(r'<c r="C2" s="\d+"><v>46358</v></c>', sheet)  # 2026-12-02
    assert re.search(r'<c r="E2" s="\d+"><v>46358.354166666\d*</v></c>', sheet)  # 08:30
    assert re.search(r'<c r="F2"><v>7</v></c>', sheet)


def test_xlsx_in_english_reads_left_to_right():
    response = export_response(rows=iter([ROW]), columns=COLUMNS, filename_stem="x",
                               format="xlsx", language="en")
    sheet = _sheet(response)
    assert "rightToLeft" not in sheet
    assert "<t>Name</t>" in sheet


def test_a_sheet_that_would_overflow_continues_on_the_next(monkeypatch):
    monkeypatch.setattr("amanah.exports.XLSX_ROWS_PER_SHEET", 2)
    response = export_response(rows=iter([ROW] * 5), columns=COLUMNS, filename_stem="x",
                               format="xlsx", language="en")
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        sheets = sorted(n for n in workbook.namelist() if n.startswith("xl/worksheets/sheet"))
        assert sheets == ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                          "xl/worksheets/sheet3.xml"]
        assert workbook.read("xl/worksheets/sheet3.xml").count(b"<row ") == 2  # header + 1


def test_unsafe_names_become_safe_filenames():
    assert safe_filename("queue-customer_service", "csv") == "queue-customer-service-2026-12-02.csv"
    assert safe_filename('../"x"\r\n', "xlsx") == "x-2026-12-02.xlsx"
    assert safe_filename("", "csv") == "export-2026-12-02.csv"


def test_hijri_dates_sort_as_text():
    assert hijri_iso(dt.date(2026, 12, 2)) == "1448-06-22"
    assert hijri_iso(None) == ""


def test_an_export_is_recorded_before_its_rows_and_completed_once():
    user = StaffUserFactory()
    log = export_log_begin(user=user, list_name="bills", filters={"status": "paid", "q": ""},
                           file_format="csv", language="ar")
    assert (log.filters, log.row_count, log.completed_at) == ({"status": "paid"}, None, None)
    export_log_complete(export_log_id=log.pk, row_count=3)
    export_log_complete(export_log_id=log.pk, row_count=99)
    log.refresh_from_db()
    assert log.row_count == 3
    assert log.completed_at == clock.now()


def test_the_completion_runs_after_the_last_csv_row():
    seen = []
    response = export_response(rows=iter([ROW, ROW]), columns=COLUMNS, filename_stem="x",
                               format="csv", language="en", on_complete=seen.append)
    pieces = iter(response.streaming_content)
    next(pieces)
    assert seen == []
    list(pieces)
    assert seen == [2]

