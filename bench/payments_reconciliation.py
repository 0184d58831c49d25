"""Reconciliation of a day's SADAD file (spec §4) against a hand-written floor doing the same work.

    python -m bench payments_reconciliation                         # 20k, 40k records (quick)
    python -m bench payments_reconciliation --sizes 250000,500000,1000000 --rounds 3

The file. N records in four PmtBankRec (one per bank), control totals exact. Record i:
- i % 4 == 3: never notified — no payment in the portal (MISSING_IN_PORTAL: it is recorded);
- i % 100 == 1: notified with another amount (AMOUNT_MISMATCH; about 1% of the file);
- otherwise notified with the same content (MATCHED).
Before each side's round the payment tables are emptied and the 3N/4 notified payments COPYed
in again (untimed), so every round starts from the same state and rounds are independent.

Portal side. `manage.py sadad_reconcile FILE --json` in a child process — the real run: the
file is registered (SHA-256), read by the adapter's streaming reader with every check, staged
by COPY into the run's UNLOGGED table in committed batches with checkpoints, classified by
ranges, the portal's side looked at, every MISSING_IN_PORTAL record recorded as a payment with
its first hash-chained event (the §3 rules), the report stored. Timed inside the child from
receiving the file to the finished run (interpreter start-up, Django set-up and imports
are not counted, on either side).
It writes: 1 ReconRun (+ its ReconEvents), N ReconItems, N/4 Payments with N/4 PaymentEvents,
and the N/4 items' payment ids. All committed.

Floor side. The same, by hand, in a child process on one connection (the portal works on one
connection too): the file read by a bare expat push parser (no validation, no totals), the
records COPYed into an UNLOGGED staging table, indexed like the portal's; one INSERT … SELECT
classifies every record with one join against the payments (duplicates in the file by a
window) and writes the N ReconItems; one anti-join looks for the day's payments absent from
the file (none here, as in the portal's run); the N/4 missing payments are COPYed in with their
first event's hash computed exactly as the portal does (the same `link()`), their N/4
PaymentEvents by one INSERT … SELECT, the items' payment ids by one UPDATE; the report's
GROUP BY and the run's row written; one COMMIT. Same rows, same durability.

The ratio is portal time / floor time per round (target ≤ 1.5 at every size); ratios of all
sizes are printed side by side at the end to show whether they stay flat. Peak memory is each
child's own VmHWM (peak resident set of the process image after exec, read from
/proc/self/status as it ends) — ru_maxrss of RUSAGE_CHILDREN would be the maximum over all
children ever, not per size. Target < 200 MB and flat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

from bench._harness import (
    ROOT,
    database_url,
    django_setup,
    interleaved,
    load_average,
    psycopg2_connect,
    scratch_database,
)

BANKS = ("RJHISARI", "NCBKSAJE", "RIBLSARI", "SABBSARI")
DAY = dt.date(2026, 11, 30)
TIME_TARGET = 1.5
MEMORY_TARGET_MB = 200


def _amount(i: int) -> Decimal:
    return Decimal(10 + i % 990) + Decimal(i % 100) / 100


def _sptn(i: int) -> str:
    return f"SP{DAY:%Y%m%d}{i:010d}"


def _account(i: int) -> str:
    return f"{1000000000 + i:010d}0"


def _missing(i: int) -> bool:
    return i % 4 == 3


def _mismatch(i: int) -> bool:
    return i % 100 == 1


def _moment(i: int, records: int) -> dt.datetime:
    from amanah.dates import RIYADH

    # Spread over the day up to 22:47, so none is a last-hour payment.
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
                sptn=_sptn(i), bnkptn=f"B{i}", status_code="PmtNew", effective_at=at,
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


_PAYMENT_COLUMNS = ("sptn, bnkptn, amount, billing_account, biller_id, status, suspense_reason, "
                    "bank_id, channel, method, processed_at, effective_at, business_date, "
                    "received_at, source, source_reference, needs_review, last_event_seq, "
                    "last_event_hash")


def portal_state_reset(database: str, records: int) -> None:
    """Untimed: empty what a run writes, then the 3N/4 notified payments by COPY."""
    conn = psycopg2_connect(database)
    try:
        now = dt.datetime.now(dt.UTC).isoformat()
        with conn.cursor() as cursor:
            cursor.execute("TRUNCATE payments_reconevent, payments_reconitem, payments_reconrun, "
                           "payments_paymentevent, payments_payment CASCADE")
            for start in range(0, records, 100_000):
                buffer = io.StringIO()
                for i in range(start, min(start + 100_000, records)):
                    if _missing(i):
                        continue
                    at = _moment(i, records).isoformat()
                    amount = _amount(i) + (1 if _mismatch(i) else 0)
                    buffer.write(f"{_sptn(i)}\tB{i}\t{amount}\t{_account(i)}\t090\tsuspense\t"
                                 f"unknown_bill\t{BANKS[i % len(BANKS)]}\tINTERNET\tACTDEB\t"
                                 f"{at}\t{at}\t{DAY}\t{now}\tnotification\tbench\tf\t0\t\n")
                buffer.seek(0)
                cursor.copy_expert(f"COPY payments_payment ({_PAYMENT_COLUMNS}) FROM STDIN",
                                   buffer)
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE payments_payment")
            cursor.execute("CHECKPOINT")
    finally:
        conn.close()


# --- the floor, run in its own child process -----------------------------------------------------

_FIELDS = {"CurAmt": 2, "BillingAcct": 3, "BankId": 4,
           "AccessChannel": 5, "PmtMethod": 6, "PrcDt": 7, "EffDt": 8}


def _floor_parse(path: Path, on_row) -> None:
    """The leanest streaming read: expat pushed 256 KB at a time, the text of the PmtRec's
    leaves kept by name; no checks."""
    from xml.parsers import expat

    row: list | None = None
    text: list[str] = []
    last_id = ""

    def start(name, attributes):
        nonlocal row
        if name == "PmtRec":
            row = [""] * 9
        text.clear()

    def data(chunk):
        text.append(chunk)

    def end(name):
        nonlocal row, last_id
        if row is None:
            return
        if name == "PmtId":
            last_id = "".join(text)
            return
        if name == "PmtIdType":  # which of the record's ids the PmtId just read was
            row[0 if "".join(text) == "SPTN" else 1] = last_id
            return
        if name == "PmtRec":
            on_row(row)
            row = None
            return
        slot = _FIELDS.get(name)
        if slot is not None:
            row[slot] = "".join(text)

    parser = expat.ParserCreate(encoding="utf-8")
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    with open(path, "rb") as stream:
        while chunk := stream.read(256 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


_FLOOR_CLASSIFY = """
INSERT INTO payments_reconitem (run_id, position, sptn, category, amount, billing_account,
    bank_id, processed_at, bnkptn, channel, method, effective_at, payment_id, portal_amount,
    portal_billing_account, review_status, review_note)
SELECT %(run)s, c.position, c.sptn, c.category, c.amount, c.billing_account, c.bank_id,
    c.processed_at,
    CASE WHEN c.category = 'MISSING_IN_PORTAL' THEN c.bnkptn END,
    CASE WHEN c.category = 'MISSING_IN_PORTAL' THEN c.channel END,
    CASE WHEN c.category = 'MISSING_IN_PORTAL' THEN c.method END,
    CASE WHEN c.category = 'MISSING_IN_PORTAL' THEN c.effective_at END,
    CASE WHEN c.category <> 'DUPLICATE_IN_FILE' THEN c.payment_id END,
    CASE WHEN c.category IN ('AMOUNT_MISMATCH', 'ACCOUNT_MISMATCH') THEN c.portal_amount END,
    CASE WHEN c.category IN ('AMOUNT_MISMATCH', 'ACCOUNT_MISMATCH')
         THEN c.portal_billing_account ELSE '' END,
    CASE WHEN c.category = 'MATCHED' THEN 'none' ELSE 'open' END, ''
FROM (
    SELECT s.*, p.id AS payment_id, p.amount AS portal_amount,
        p.billing_account AS portal_billing_account,
        CASE WHEN s.first_position <> s.position THEN 'DUPLICATE_IN_FILE'
             WHEN p.id IS NULL OR p.source = 'reconciliation' THEN 'MISSING_IN_PORTAL'
             WHEN p.amount <> s.amount THEN 'AMOUNT_MISMATCH'
             WHEN p.billing_account <> s.billing_account THEN 'ACCOUNT_MISMATCH'
             ELSE 'MATCHED' END AS category
    FROM (SELECT f.*, MIN(f.position) OVER (PARTITION BY f.sptn) AS first_position
          FROM floor_stage f) s
    LEFT JOIN payments_payment p ON p.sptn = s.sptn
) c
"""

_FLOOR_PORTAL_SIDE = """
INSERT INTO payments_reconitem (run_id, position, sptn, category, amount, billing_account,
    bank_id, processed_at, payment_id, portal_amount, portal_billing_account, review_status,
    review_note)
SELECT %(run)s, NULL, p.sptn,
    CASE WHEN p.processed_at >= %(last_hour)s THEN 'PENDING_NEXT_FILE' ELSE 'MISSING_IN_FILE' END,
    p.amount, p.billing_account, p.bank_id, p.processed_at, p.id, p.amount, p.billing_account,
    CASE WHEN p.processed_at >= %(last_hour)s THEN 'none' ELSE 'open' END, ''
FROM payments_payment p
WHERE p.business_date = %(day)s AND NOT EXISTS (SELECT 1 FROM floor_stage s WHERE s.sptn = p.sptn)
"""


def floor_run(database: str, path: Path) -> dict:
    """The floor's whole work (see the module docstring); returns its category counts."""
    from amanah.dates import RIYADH, business_date
    from payments.models import Payment, PaymentEvent

    conn = psycopg2_connect(database)
    now = dt.datetime.now(dt.UTC)
    with conn.cursor() as cursor:
        cursor.execute("SET jit = off")
        cursor.execute(
            "INSERT INTO payments_reconrun (file_sha256, file_path, file_size, source, status, "
            "phase, checkpoint, rq_uid, failure, counts, amounts, received_at, started_at) "
            "VALUES (%s, %s, %s, 'command', 'PROCESSING', 'staging', '{}', '', '', '{}', '{}', "
            "%s, %s) RETURNING id", [uuid.uuid4().hex, str(path), path.stat().st_size, now, now])
        run = cursor.fetchone()[0]
        cursor.execute(
            "CREATE UNLOGGED TABLE floor_stage (position integer NOT NULL,"
            " sptn varchar(40) NOT NULL, bnkptn varchar(40) NOT NULL,"
            " amount numeric(14, 2) NOT NULL, billing_account varchar(32) NOT NULL,"
            " bank_id varchar(16) NOT NULL, channel varchar(8) NOT NULL,"
            " method varchar(8) NOT NULL, processed_at timestamp with time zone NOT NULL,"
            " effective_at timestamp with time zone)")
        buffer = io.StringIO()
        count = 0

        def flush():
            nonlocal buffer
            buffer.seek(0)
            cursor.copy_expert("COPY floor_stage FROM STDIN", buffer)
            buffer = io.StringIO()

        def on_row(row):
            nonlocal count
            count += 1
            buffer.write(f"{count}\t{row[0]}\t{row[1]}\t{row[2]}\t{row[3]}\t{row[4]}\t{row[5]}\t"
                         f"{row[6]}\t{row[7]}\t{row[8] or row[7]}\n")
            if count % 20_000 == 0:
                flush()

        _floor_parse(path, on_row)
        flush()
        cursor.execute("CREATE INDEX floor_stage_sptn ON floor_stage (sptn, position)")
        cursor.execute("ANALYZE floor_stage")
        cursor.execute(_FLOOR_CLASSIFY, {"run": run})
        last_hour = dt.datetime.combine(DAY, dt.time(23, 0), tzinfo=RIYADH)
        cursor.execute(_FLOOR_PORTAL_SIDE, {"run": run, "last_hour": last_hour, "day": DAY})
        # MISSING_IN_PORTAL: each becomes a payment whose first event is hashed as the portal
        # hashes it (the same link()), all by COPY and set-based statements.
        cursor.execute("CREATE TEMPORARY TABLE floor_events (sptn varchar(40), at timestamptz,"
                       " payload jsonb, hash varchar(64))")
        reference = f"recon-run-{run}"
        payload = {"source": "reconciliation", "reference": reference, "reason": "unknown_bill"}
        payload_json = json.dumps(payload)
        with conn.cursor(name="missing") as missing:
            missing.itersize = 20_000
            missing.execute("SELECT sptn, bnkptn, amount, billing_account, bank_id, channel, "
                            "method, processed_at, effective_at FROM payments_reconitem "
                            "WHERE run_id = %s AND category = 'MISSING_IN_PORTAL' "
                            "ORDER BY position", [run])
            payments, events = io.StringIO(), io.StringIO()
            written = 0

            def flush_missing():
                nonlocal payments, events
                payments.seek(0)
                events.seek(0)
                cursor.copy_expert(
                    f"COPY payments_payment ({_PAYMENT_COLUMNS}) FROM STDIN", payments)
                cursor.copy_expert("COPY floor_events FROM STDIN", events)
                payments, events = io.StringIO(), io.StringIO()

            for (sptn, bnkptn, amount, account, bank, channel, method, processed,
                 effective) in missing:
                at = dt.datetime.now(dt.UTC)
                head = Payment(sptn=sptn)
                event = PaymentEvent(kind="recorded", to_status="suspense", payload=payload,
                                     at=at)
                event.link(head)
                payments.write(
                    f"{sptn}\t{bnkptn}\t{amount}\t{account}\t090\tsuspense\tunknown_bill\t"
                    f"{bank}\t{channel}\t{method}\t{processed.isoformat()}\t"
                    f"{effective.isoformat()}\t{business_date(processed)}\t{at.isoformat()}\t"
                    f"reconciliation\t{reference}\tt\t1\t{event.hash}\n")
                events.write(f"{sptn}\t{at.isoformat()}\t{payload_json}\t{event.hash}\n")
                written += 1
                if written % 20_000 == 0:
                    flush_missing()
            flush_missing()
        cursor.execute(
            "INSERT INTO payments_paymentevent (payment_id, kind, actor_id, at, from_status, "
            "to_status, reason, payload, seq, prev_hash, hash) "
            "SELECT p.id, 'recorded', NULL, e.at, '', 'suspense', '', e.payload, 1, '', e.hash "
            "FROM floor_events e JOIN payments_payment p ON p.sptn = e.sptn")
        cursor.execute(
            "UPDATE payments_reconitem i SET payment_id = p.id FROM payments_payment p "
            "WHERE i.run_id = %s AND i.category = 'MISSING_IN_PORTAL' AND p.sptn = i.sptn",
            [run])
        cursor.execute("SELECT category, bank_id, COUNT(*), SUM(amount) FROM payments_reconitem "
                       "WHERE run_id = %s GROUP BY category, bank_id", [run])
        counts: dict[str, int] = {}
        for category, _bank, n, _total in cursor.fetchall():
            counts[category] = counts.get(category, 0) + n
        cursor.execute("UPDATE payments_reconrun SET status = 'COMPLETED_WITH_EXCEPTIONS', "
                       "phase = 'done', counts = %s, record_count = %s, finished_at = now() "
                       "WHERE id = %s", [json.dumps(counts), count, run])
        cursor.execute("DROP TABLE floor_stage")
    conn.commit()
    conn.close()
    return counts


# --- the two children ---------------------------------------------------------------------------

# Each child reports its own timing and peak: VmHWM belongs to the process image after exec,
# whereas ru_maxrss would also count the pages it shared with this parent right after fork.
_CHILD = """
import json, sys, time
side, path = sys.argv[1], sys.argv[2]
import django
django.setup()
from pathlib import Path
# Imports before the clock starts: the time is the work's, not the interpreter's.
from django.db import connection
from payments.reconciliation.enums import ReconSource
from payments.reconciliation.services import recon_report
from payments.sadad.tasks import recon_file_reconcile
from bench.payments_reconciliation import floor_run
started = time.perf_counter()
if side == "portal":
    outcome = recon_file_reconcile(path=Path(path).resolve(), source=ReconSource.COMMAND)
    report = recon_report(outcome)
    counts = {k: v for k, v in report["counts"].items() if v}
    status = report["status"]
else:
    counts = floor_run(connection.settings_dict["NAME"], Path(path))
    status = "COMPLETED_WITH_EXCEPTIONS"
seconds = time.perf_counter() - started
with open("/proc/self/status") as f:
    peak = [line.split()[1] for line in f if line.startswith("VmHWM:")][0]
print(json.dumps({"seconds": seconds, "peak_kb": int(peak), "counts": counts, "status": status}))
"""


def child_run(side: str, database: str, path: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url(database),
           "DJANGO_SETTINGS_MODULE": "amanah.settings.dev", "DJANGO_DEBUG": "false",
           "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _CHILD, side, str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{side} side failed ({done.returncode}): {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def expected_counts(records: int) -> dict[str, int]:
    missing = sum(1 for i in range(records) if _missing(i))
    mismatch = sum(1 for i in range(records) if not _missing(i) and _mismatch(i))
    return {"MISSING_IN_PORTAL": missing, "AMOUNT_MISMATCH": mismatch,
            "MATCHED": records - missing - mismatch}


def size_run(database: str, records: int, rounds: int) -> dict:
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"recon-{records}-{uuid.uuid4().hex[:8]}.xml"
    expected = expected_counts(records)
    peaks = {"portal": [], "floor": []}
    wrong: list[str] = []
    try:
        started = time.perf_counter()
        file_write(path, records)
        print(f"  {records} records: wrote the file ({path.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - started:.1f} s (setup, not measured)", flush=True)

        def side(name: str):
            def run(round_number: int) -> float:
                portal_state_reset(database, records)
                result = child_run(name, database, path)
                peaks[name].append(result["peak_kb"] / 1024)
                if result["counts"] != expected:
                    wrong.append(f"{name} round {round_number + 1}: {result['counts']}")
                return result["seconds"]
            return run

        comparison = interleaved(
            name=f"reconciliation of {records} records (portal run vs parse+COPY+join+writes)",
            unit="s", higher_is_better=False, target=TIME_TARGET, rounds=rounds,
            portal=side("portal"), floor=side("floor"))
    finally:
        path.unlink(missing_ok=True)
    print(f"  peak memory (child VmHWM, MB): portal {max(peaks['portal']):.1f}, "
          f"floor {max(peaks['floor']):.1f}; target portal < {MEMORY_TARGET_MB}", flush=True)
    for line in wrong:
        print(f"  WRONG RESULT {line}; expected {expected}", flush=True)
    return {"records": records, "ratios": comparison.ratios, "met": comparison.met,
            "peak_mb": max(peaks["portal"]), "wrong": bool(wrong)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench payments_reconciliation")
    parser.add_argument("--sizes", default="20000,40000",
                        help="comma-separated record counts (full: 250000,500000,1000000)")
    parser.add_argument("--rounds", type=int, default=3)
    options, _ = parser.parse_known_args(argv)
    sizes = [int(s) for s in options.sizes.split(",") if s]
    django_setup()
    results = []
    with scratch_database("recon") as database:
        print(f"payments_reconciliation: sizes {sizes}, {options.rounds} interleaved rounds "
              f"each, scratch database {database}", flush=True)
        for records in sizes:
            results.append(size_run(database, records, options.rounds))
    print(f"\nreconciliation, side by side (load {load_average()}):")
    print(f"  {'records':>9}  {'ratio min':>9}  {'median':>7}  {'max':>7}  "
          f"{'peak MB':>7}  time ≤ {TIME_TARGET}  memory < {MEMORY_TARGET_MB}")
    for r in results:
        print(f"  {r['records']:>9}  {min(r['ratios']):>9.2f}  "
              f"{statistics.median(r['ratios']):>7.2f}  {max(r['ratios']):>7.2f}  "
              f"{r['peak_mb']:>7.1f}  {'met' if r['met'] else 'NOT met':>10}  "
              f"{'met' if r['peak_mb'] < MEMORY_TARGET_MB else 'NOT met':>10}")
    return 1 if any(r["wrong"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
