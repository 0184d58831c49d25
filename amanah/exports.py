"""Staff lists taken to a spreadsheet: CSV streamed row by row, or XLSX, in the reader's
language, and recorded (who, which list, which filters, how many rows).

Each app builds its rows from its list page's own selector and filters, as `.values()` rows
read through a server-side cursor (`rows_of`), and says how each column is written
(`Column`). This module imports no app.
"""

import csv
import datetime as dt
import functools
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import xlsxwriter
from django.db import transaction
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.cache import add_never_cache_headers
from hijridate import Gregorian

from . import clock
from .dates import RIYADH, business_date
from .models import ExportLog
from .money import sar

ExportFormat = Literal["csv", "xlsx"]
FORMATS: tuple[str, ...] = ("csv", "xlsx")
ColumnKind = Literal["text", "money", "date", "datetime", "int"]

# Rows fetched per round trip of the server-side cursor: a few hundred KB of Python objects.
CHUNK_SIZE = 2000
# CSV is handed to the server in pieces of about this size: one piece per row would cost a
# write (and a WSGI iteration) per row.
CSV_PIECE_BYTES = 64 * 1024
# An XLSX sheet holds 1,048,576 rows; the header takes one, and further rows go on a next sheet.
XLSX_ROWS_PER_SHEET = 1_048_575
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_FILENAME = re.compile(r"[^a-z0-9-]+")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column of an export: its header in both languages, how to read its value from a row,
    and what kind of value it is (how it is written in each format)."""

    key: str
    header_ar: str
    header_en: str
    value: Callable[[Any], object]
    kind: ColumnKind = "text"

    def header(self, language: str) -> str:
        return self.header_en if language.startswith("en") else self.header_ar


def rows_of(queryset) -> Iterator:
    """The rows of a `.values()` / `.values_list()` queryset, fetched CHUNK_SIZE at a time
    (a server-side cursor on PostgreSQL): never the whole list in memory."""
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def choice_labels(choices: Iterable[tuple[str, object]]) -> dict[str, str]:
    """{value: label} with lazy labels made text now, in the active language: a streamed
    response is written after the view has returned."""
    return {value: str(label) for value, label in choices}


@functools.lru_cache(maxsize=4096)
def hijri_iso(day: dt.date | None) -> str:
    """'1448-06-12' (Umm al-Qura): sorts as text, and reads the same in both languages.
    Cached: an export of a million rows holds a few hundred distinct days."""
    if day is None:
        return ""
    hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    return f"{hijri.year:04d}-{hijri.month:02d}-{hijri.day:02d}"


def text_neutralised(value: str) -> str:
    """A text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _csv_text(value) -> str:
    return "" if value is None else text_neutralised(str(value))


def _csv_money(value) -> str:
    # Plain "1234.50": no thousands separator, a dot whatever the reader's locale.
    return "" if value is None else f"{sar(value):f}"


def _csv_date(value) -> str:
    return "" if value is None else value.isoformat()


def _csv_datetime(value) -> str:
    return "" if value is None else value.astimezone(RIYADH).strftime("%Y-%m-%d %H:%M:%S")


def _csv_int(value) -> str:
    return "" if value is None else str(int(value))


# How each kind is written in a CSV cell, chosen once per column rather than once per cell.
_CSV_CELL = {"text": _csv_text, "money": _csv_money, "date": _csv_date,
             "datetime": _csv_datetime, "int": _csv_int}


def safe_filename(stem: str, extension: str) -> str:
    """'bills-2026-12-02.csv': ASCII letters, digits and hyphens only, dated in Riyadh."""
    clean = _UNSAFE_FILENAME.sub("-", stem.lower()).strip("-") or "export"
    return f"{clean}-{business_date(clock.now()).isoformat()}.{extension}"


def _csv_pieces(rows: Iterable, columns: list[Column], language: str,
                on_complete: Callable[[int], None] | None) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The BOM tells Excel the file is UTF-8; without it Arabic opens as mojibake.
    buffer.write("\ufeff")
    writer.writerow([column.header(language) for column in columns])
    readers = [(_CSV_CELL[column.kind], column.value) for column in columns]
    count = 0
    # One read-only transaction for the whole download: PostgreSQL then streams the cursor
    # (outside a transaction Django declares it WITH HOLD, which materialises every row on
    # the server before the first one is sent), and the file is one consistent snapshot.
    with transaction.atomic():
        for row in rows:
            writer.writerow([cell(value(row)) for cell, value in readers])
            count += 1
            if buffer.tell() >= CSV_PIECE_BYTES:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
    if on_complete is not None:
        on_complete(count)


def _xlsx_sheet(workbook, number: int, columns: list[Column], language: str, header_format):
    name = "1" if number == 1 else str(number)
    sheet = workbook.add_worksheet(name)
    if not language.startswith("en"):
        sheet.right_to_left()
    for index, column in enumerate(columns):
        # Widths must be set before any row is written in constant_memory mode.
        sheet.set_column(index, index, 14 if column.kind != "text" else 24)
    sheet.freeze_panes(1, 0)
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.header(language), header_format)
    return sheet


def _xlsx_write(sheet, row_number: int, columns: list[Column], row, formats: dict) -> None:
    for index, column in enumerate(columns):
        value = column.value(row)
        if value is None or value == "":
            continue
        kind = column.kind
        if kind == "money":
            # A spreadsheet's numbers are binary floats: the money is exact to the halala up to
            # far beyond any bill, and shown with two decimals.
            sheet.write_number(row_number, index, float(sar(value)), formats["money"])
        elif kind == "int":
            sheet.write_number(row_number, index, int(value))
        elif kind == "date":
            sheet.write_datetime(row_number, index, value, formats["date"])
        elif kind == "datetime":
            sheet.write_datetime(row_number, index,
                                 value.astimezone(RIYADH).replace(tzinfo=None),
                                 formats["datetime"])
        else:
            # write_string, never write(): a text starting with "=" stays text, not a formula.
            sheet.write_string(row_number, index, str(value))


def _xlsx_file(rows: Iterable, columns: list[Column], language: str):
    """The workbook written to a temporary file (rows flushed to disk as they come, XlsxWriter's
    constant_memory mode); returns the open file at its start and the number of rows."""
    target = tempfile.TemporaryFile(suffix=".xlsx")
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    header_format = workbook.add_format({"bold": True})
    formats = {"money": workbook.add_format({"num_format": "#,##0.00"}),
               "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})}
    sheets = 1
    sheet = _xlsx_sheet(workbook, sheets, columns, language, header_format)
    count = row_number = 0
    try:
        with transaction.atomic():
            for row in rows:
                if row_number == XLSX_ROWS_PER_SHEET:
                    sheets += 1
                    sheet = _xlsx_sheet(workbook, sheets, columns, language, header_format)
                    row_number = 0
                row_number += 1
                count += 1
                _xlsx_write(sheet, row_number, columns, row, formats)
        workbook.close()
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target, count


def export_response(*, rows: Iterable, columns: list[Column], filename_stem: str,
                    format: ExportFormat, language: str,
                    on_complete: Callable[[int], None] | None = None) -> HttpResponse:
    """The rows as a download. CSV is streamed as it is read; `on_complete(row_count)` runs
    once every row is written (for CSV, when the last piece has been handed to the server)."""
    if format == "csv":
        response = StreamingHttpResponse(_csv_pieces(rows, columns, language, on_complete),
                                         content_type=CSV_CONTENT_TYPE)
        filename = safe_filename(filename_stem, "csv")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    elif format == "xlsx":
        # An XLSX file is a zip whose directory comes last and whose sheet's size is written
        # before the sheet: it cannot be sent row by row. It is built on disk first (constant
        # memory), then the file is streamed.
        file, count = _xlsx_file(rows, columns, language)
        if on_complete is not None:
            on_complete(count)
        response = FileResponse(file, as_attachment=True,
                                filename=safe_filename(filename_stem, "xlsx"),
                                content_type=XLSX_CONTENT_TYPE)
    else:
        raise ValueError(f"unknown export format {format!r}")
    add_never_cache_headers(response)
    return response


def export_log_begin(*, user, list_name: str, filters: dict, file_format: str,
                     language: str):
    """Record that `user` is taking `list_name` with `filters` out of the portal, before the
    first row leaves (a download abandoned half way is still recorded)."""
    return ExportLog.objects.create(
        user=user, list_name=list_name, file_format=file_format, language=language[:2],
        filters={key: value for key, value in filters.items() if value not in ("", None)},
        started_at=clock.now())


def export_log_complete(*, export_log_id: int, row_count: int) -> None:
    """The export ended after `row_count` rows. Once: a second call changes nothing."""
    ExportLog.objects.filter(pk=export_log_id, completed_at__isnull=True).update(
        completed_at=clock.now(), row_count=row_count)


def export_list(*, user, list_name: str, filters: dict, rows: Iterable, columns: list[Column],
                filename_stem: str, format: ExportFormat, language: str) -> HttpResponse:
    """What every export view ends with: record the export, then answer the file."""
    log = export_log_begin(user=user, list_name=list_name, filters=filters, file_format=format,
                           language=language)
    return export_response(
        rows=rows, columns=columns, filename_stem=filename_stem, format=format,
        language=language,
        on_complete=lambda count: export_log_complete(export_log_id=log.pk, row_count=count))

