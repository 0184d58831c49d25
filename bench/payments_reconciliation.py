"""Reconciliation of a day's file of N records (default 1,000,000) against N payments, against
a plain SQL baseline measured in the same run.

    python -m bench payments_reconciliation [--records 1000000]

The reconciliation is `manage.py sadad_reconcile FILE --json` in a child process, so its own
peak memory (ru_maxrss) is measured. The baseline reads the same file with the leanest
streaming parse (no validation), COPYs its records into a table and runs one join against the
payments. Targets: within 3x of the baseline, peak memory under 300 MB.
"""

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

from bench._payments_common import (
    ROOT,
    database_url,
    django_setup,
    psycopg2_connect,
    scratch_database_create,
    scratch_database_drop,
)

BANKS = ("RJHISARI", "NCBKSAJE", "RIBLSARI", "SABBSARI")
DAY = dt.date(2026, 11, 30)


def _amount(i: int) -> Decimal:
    return Decimal(10 + i % 990) + Decimal(i % 100) / 100


def _sptn(i: int) -> str:
    return f"SP{DAY:%Y%m%d}{i:010d}"


def _account(i: int) -> str:
    return f"{1000000000 + i:010d}0"


def _moment(i: int, records: int) -> dt.datetime:
    from amanah.dates import RIYADH

    # Spread over the day up to 22:59, so none is a last-hour payment.
    return dt.datetime.combine(DAY, dt.time(0, 0), tzinfo=RIYADH) + dt.timedelta(
        seconds=(i * 82_000) // max(records, 1))


def file_write(path: Path, records: int) -> None:
    """Stream the day's file: each bank's totals first (arithmetic), then its records."""
    from payments.sadad import wire
    from payments.sadad.reconfile import BankSection, recon_file_write

    def bank_records(b: int):
        for i in range(b, records, len(BANKS)):
            at = _moment(i, records)
            yield wire.PaymentRecord(
                sptn=_sptn(i), bnkptn="", status_code="PmtNew", effective_at=at,
                amount=_amount(i), processed_at=at, billing_account=_account(i),
                biller_id="090", bank_id=BANKS[b], channel="INTERNET", method="ACTDEB")

    sections = []
    for b, bank in enumerate(BANKS):
        indexes = range(b, records, len(BANKS))
        sections.append(BankSection(bank_id=bank, amount=sum((_amount(i) for i in indexes),
                                                             Decimal("0.00")),
                                    count=len(indexes), records=bank_records(b)))
    with open(path, "w", encoding="utf-8", buffering=1024 * 1024) as out:
        recon_file_write(out, business_date=DAY, banks=sections, fees=Decimal("0.00"),
                         rq_uid=str(uuid.uuid4()), client_dt=dt.datetime.now(dt.UTC),
                         receiver="090")


def payments_copy(conn, records: int) -> None:
    """N payments the portal already holds for that day, by COPY in batches."""
    now = dt.datetime.now(dt.UTC).isoformat()
    columns = ("sptn, bnkptn, amount, billing_account, biller_id, status, suspense_reason, "
               "bank_id, channel, method, processed_at, effective_at, business_date, "
               "received_at, source, source_reference, needs_review, last_event_seq, "
               "last_event_hash")
    with conn.cursor() as cursor:
        for start in range(0, records, 100_000):
            buffer = io.StringIO()
            for i in range(start, min(start + 100_000, records)):
                at = _moment(i, records).isoformat()
                buffer.write(f"{_sptn(i)}\t\t{_amount(i)}\t{_account(i)}\t090\tsuspense\t"
                             f"unknown_bill\t{BANKS[i % len(BANKS)]}\tINTERNET\tACTDEB\t{at}\t"
                             f"{at}\t{DAY}\t{now}\tnotification\tbench\tf\t0\t\n")
            buffer.seek(0)
            cursor.copy_expert(f"COPY payments_payment ({columns}) FROM STDIN", buffer)
        cursor.execute("ANALYZE payments_payment")
    conn.commit()


def baseline(conn, path: Path) -> tuple[float, float, int]:
    """The floor: leanest streaming parse + COPY into a table + one join. (total s, SQL s, n)"""
    from defusedxml import ElementTree as SafeET

    started = time.perf_counter()
    sql_seconds = 0.0
    with conn.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE baseline_file (sptn varchar(40), "
                       "amount numeric(14,2), billing_account varchar(32))")
        rows = io.StringIO()
        pending = 0

        def flush():
            nonlocal rows, pending, sql_seconds
            rows.seek(0)
            at = time.perf_counter()
            cursor.copy_expert("COPY baseline_file FROM STDIN", rows)
            sql_seconds += time.perf_counter() - at
            rows, pending = io.StringIO(), 0

        bank = None
        for event, element in SafeET.iterparse(str(path), events=("start", "end"),
                                               forbid_dtd=True):
            if event == "start":
                if element.tag == "PmtBankRec":
                    bank = element
                continue
            if element.tag == "PmtRec":
                rows.write(f"{element.findtext('PmtTransId/PmtId')}\t"
                           f"{element.findtext('PmtInfo/CurAmt')}\t"
                           f"{element.findtext('PmtInfo/AccountId/BillingAcct')}\n")
                pending += 1
                bank.remove(element)
                if pending >= 20_000:
                    flush()
        flush()
        at = time.perf_counter()
        cursor.execute("SELECT count(*) FROM baseline_file f JOIN payments_payment p "
                       "ON p.sptn = f.sptn AND p.amount = f.amount "
                       "AND p.billing_account = f.billing_account")
        matched = cursor.fetchone()[0]
        sql_seconds += time.perf_counter() - at
        cursor.execute("DROP TABLE baseline_file")
    conn.commit()
    return time.perf_counter() - started, sql_seconds, matched


# The child reports its own peak: VmHWM belongs to the process image after exec, whereas
# ru_maxrss would also count the pages it shared with this (large) parent right after fork.
_CHILD = """
import sys
from django.core.management import execute_from_command_line
try:
    execute_from_command_line(["manage.py", "sadad_reconcile", sys.argv[1], "--json"])
finally:
    with open("/proc/self/status") as status:
        peak = [line.split()[1] for line in status if line.startswith("VmHWM:")][0]
    print(f"VmHWM-kB {peak}", file=sys.stderr)
"""


def reconcile(database: str, path: Path) -> tuple[float, float, dict]:
    """`sadad_reconcile FILE --json` in a child: (seconds, its peak RSS in MB, its JSON)."""
    env = {**os.environ, "DATABASE_URL": database_url(database),
           "DJANGO_SETTINGS_MODULE": "amanah.settings.dev", "LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"sadad_reconcile failed ({done.returncode}): {done.stderr[-2000:]}")
    peak_kb = int(done.stderr.rsplit("VmHWM-kB ", 1)[1].split()[0])
    return seconds, peak_kb / 1024, json.loads(done.stdout)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench payments_reconciliation")
    parser.add_argument("--records", type=int, default=1_000_000)
    options, _ = parser.parse_known_args(argv)
    records = options.records
    django_setup()
    database, original = scratch_database_create("recon")
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"recon-{records}-{uuid.uuid4().hex[:8]}.xml"
    conn = None
    try:
        print(f"payments_reconciliation: {records} records against {records} payments, "
              f"scratch database {database}")
        started = time.perf_counter()
        file_write(path, records)
        print(f"  wrote the file: {path.stat().st_size / 1e6:.1f} MB in "
              f"{time.perf_counter() - started:.1f} s (setup, not measured)")
        conn = psycopg2_connect(database)
        started = time.perf_counter()
        payments_copy(conn, records)
        print(f"  copied {records} payments in {time.perf_counter() - started:.1f} s "
              f"(setup, not measured)")
        base_total, base_sql, base_matched = baseline(conn, path)
        conn.close()
        conn = None
        seconds, peak_mb, report = reconcile(database, path)
        matched = report["counts"]["MATCHED"]
        ratio = seconds / base_total
        print(f"  baseline      : {base_total:8.2f} s  (parse + COPY + one join; SQL part "
              f"{base_sql:.2f} s), {base_matched} matched")
        print(f"  reconciliation: {seconds:8.2f} s  status {report['status']}, "
              f"{matched} MATCHED, counts {report['counts']}")
        print(f"  ratio         : {ratio:.2f}x the baseline (target <= 3x); "
              f"{seconds / max(base_sql, 1e-9):.1f}x its SQL part alone")
        print(f"  peak memory   : {peak_mb:.1f} MB (the child's own VmHWM; target < 300 MB)")
        ok = (matched == records and base_matched == records
              and report["status"] == "COMPLETED")
        print(f"  check         : {'OK' if ok else 'WRONG RESULT'}; "
              f"targets {'met' if ratio <= 3 and peak_mb < 300 else 'NOT met'}")
        return 0 if ok else 1
    finally:
        if conn is not None:
            conn.close()
        path.unlink(missing_ok=True)
        scratch_database_drop(original)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
