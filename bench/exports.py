"""Exports in constant memory: the finance bill list exported as CSV through the portal's own
view, against a hand-written export of the same rows, at two sizes.

    python -m bench exports                          # 5,000 and 50,000 bills (make bench)
    python -m bench exports --full                   # 100,000 and 1,000,000 bills
    options: --sizes N M (instead of either) --rounds K (interleaved rounds, 3)

Needs DATABASE_URL (PostgreSQL). Works in a scratch database with this run's random suffix
(`bench/_harness.py`), dropped at the end even on error. It holds two branch municipalities,
one with N bills and one with M, each with a cashier of its finance department (second factor
confirmed); one bill each is made by the ORM, the others copied from it by one
`INSERT … SELECT generate_series` (numbers, references, creation times, due dates over some
400 days and amounts varied), then ANALYZE.

Every measurement runs in a fresh subprocess (so one run's heap cannot hide, or inflate,
another's), which sets Django up, warms the path with an export that matches nothing, resets
the kernel's resident-set high-water mark (/proc/self/clear_refs), then times:

- **Portal**: GET /ar/payments/finance/exports/bills.csv through Django's test Client signed
  in as the branch's cashier (every middleware, the session and second-factor gate, the
  page's selector and scope, the ExportLog rows), DEBUG off, consuming the streamed response
  piece by piece;
- **Floor**: the same rows by hand: a psycopg2 server-side cursor (2,000 rows a fetch, in a
  transaction, like the portal's) over the same join, filter and order, `csv.writer` into a
  buffer handed on in 64 KB pieces, the same BOM, the same Arabic headers, the same
  formatting (money "1234.50", ISO dates, the Hijri date, times in Riyadh, status labels).

Each side hashes what it produced: the two files must be byte for byte the same (checked,
exit 1 otherwise), which is what makes the floor "the same work". Reported per size: the
time ratio portal/floor over interleaved rounds (target ≤ 1.5), and each side's peak memory
(resident-set high-water mark minus the resident set just before the export). Constant
memory: the portal's median peak at the larger size must be within 1.2× its median peak at
the smaller one (a 1 MiB allowance covers page-granular RSS when both peaks are a few MiB);
exit 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
import time

from bench._harness import (
    ROOT,
    database_url,
    django_setup,
    interleaved,
    load_average,
    scratch_database,
)

TIME_TARGET = 1.5
MEMORY_TARGET = 1.2
MEMORY_ALLOWANCE = 1024 * 1024
SMALL_SIZES = (5_000, 50_000)
FULL_SIZES = (100_000, 1_000_000)
PIECE_BYTES = 64 * 1024
FETCH_ROWS = 2000


# --- The world ------------------------------------------------------------------------------

def bills_copy(*, template_id: int, rows: int, first_number: int) -> None:
    """`rows` copies of bill `template_id`, numbered from `first_number` + 1, each created one
    second earlier than the last, due on one of 400 days, for one of 99,999 amounts."""
    from django.db import connection

    from payments.models import Bill

    columns = [f.column for f in Bill._meta.concrete_fields if f.column != "id"]
    varied = {
        "billing_account": f"({first_number} + g)::text",
        "payable_ref": "t.payable_ref || '-' || g",
        "created_at": "t.created_at - g * interval '1 second'",
        "due_date": "t.due_date + mod(g, 400)",
        "expiry_date": "t.due_date + mod(g, 400) + 60",
        "amount": "(mod(g, 99999) + 1) / 100.0 + 1",
    }
    select = ", ".join(varied.get(c, f't."{c}"') for c in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{Bill._meta.db_table}" ({quoted}) SELECT {select} '
                       f'FROM "{Bill._meta.db_table}" t, generate_series(1, %s) g '
                       f"WHERE t.id = %s", [rows, template_id])


def branch_with_bills(*, code: str, amanah, eservice, person, rows: int, first_number: int):
    """A branch municipality with `rows` bills and a cashier of its finance department (second
    factor confirmed). Returns the cashier."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from amanah.enums import MunicipalityKind, StaffRole
    from amanah.models import Department, Municipality
    from amanah.services import staff_membership_grant
    from payments.enums import BillCategory, BillStatus
    from payments.models import Bill

    branch = Municipality.objects.create(code=code, name_ar=f"بلدية {code}",
                                         name_en=f"Branch {code}", kind=MunicipalityKind.BRANCH,
                                         parent=amanah)
    finance = Department.objects.create(municipality=branch, code="finance",
                                        name_ar="المالية", name_en="Finance")
    cashier = get_user_model().objects.create_user(username=f"bench.cashier.{code.lower()}",
                                                   first_name="Cashier")
    staff_membership_grant(user=cashier, department=finance, role=StaffRole.CASHIER)
    TOTPDevice.objects.create(user=cashier, name="bench authenticator", confirmed=True)
    today = dt.date(2026, 12, 1)
    number = str(first_number)
    (template,) = Bill.objects.bulk_create([Bill(
        billing_account=number, municipality=branch, eservice=eservice,
        category=BillCategory.FEE, payer_person=person, amount="150.00",
        due_date=today, expiry_date=today + dt.timedelta(days=60), status=BillStatus.UNPAID,
        payable_kind="misc_fee", payable_ref=f"{code}-1", description_ar="رسوم متنوعة",
        description_en="Miscellaneous fee")])
    if rows > 1:
        bills_copy(template_id=template.pk, rows=rows - 1, first_number=first_number)
    return cashier


def _world_build(sizes: tuple[int, ...]) -> list[tuple[int, str]]:
    from django.db import connection

    from amanah.enums import MunicipalityKind, OwningApp
    from amanah.models import EService, Municipality, Person
    from payments.models import Bill

    amanah = Municipality.objects.create(code="BEXA", name_ar="أمانة", name_en="Amanah",
                                         kind=MunicipalityKind.AMANAH)
    eservice = EService.objects.create(code="misc_fee", name_ar="رسوم متنوعة",
                                       name_en="Miscellaneous fee", owning_app=OwningApp.PAYMENTS)
    person = Person.objects.create(national_id="1000000008", name_ar="سارة بنت علي القحطاني",
                                   name_en="Sarah Ali Al-Qahtani")
    started = time.perf_counter()
    world = []
    for n, rows in enumerate(sizes):
        cashier = branch_with_bills(code=f"BEX{n}", amanah=amanah, eservice=eservice,
                                    person=person, rows=rows,
                                    first_number=(n + 1) * 10**11)
        world.append((rows, cashier.username))
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{Bill._meta.db_table}"')
    print(f"  {sum(sizes):,} bills loaded and analysed in {time.perf_counter() - started:.1f} s",
          flush=True)
    return world


# --- One measured run, in its own process ----------------------------------------------------

def _resident_bytes(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _high_water_reset() -> None:
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


def _portal_pieces(username: str, query: str = ""):
    from django.contrib.auth import get_user_model

    from bench.pages import _client_signed_in

    client = _client_signed_in(get_user_model().objects.get(username=username))
    response = client.get("/ar/payments/finance/exports/bills.csv" + query)
    if response.status_code != 200:
        raise SystemExit(f"the export answered {response.status_code}")
    return response.streaming_content


_FLOOR_SQL = """
SELECT b.billing_account, b.description_ar, e.name_ar, m.name_ar, p.national_id,
       s.unified_number, b.amount, b.amount_paid, b.due_date, b.status, b.sadad_rejection,
       b.created_at
FROM payments_bill b
JOIN amanah_municipality m ON m.id = b.municipality_id
JOIN amanah_eservice e ON e.id = b.eservice_id
LEFT JOIN amanah_person p ON p.id = b.payer_person_id
LEFT JOIN amanah_establishment s ON s.id = b.payer_establishment_id
WHERE b.municipality_id IN (%s)
ORDER BY b.created_at DESC, b.id DESC
"""


def _floor_pieces(username: str):
    """The same file by hand: psycopg2, a server-side cursor and csv.writer."""
    import functools
    from decimal import ROUND_HALF_UP, Decimal
    from zoneinfo import ZoneInfo

    from django.db import connection
    from django.utils import translation
    from hijridate import Gregorian

    from bench._harness import psycopg2_connect
    from payments.enums import BillStatus

    with connection.cursor() as cursor:  # the cashier's municipality, as the portal finds it
        cursor.execute("SELECT d.municipality_id FROM amanah_staffmembership s "
                       "JOIN amanah_department d ON d.id = s.department_id "
                       "JOIN amanah_user u ON u.id = s.user_id WHERE u.username = %s",
                       [username])
        (municipality_id,) = cursor.fetchone()
    with translation.override("ar"):
        statuses = {value: str(label) for value, label in BillStatus.choices}
    riyadh = ZoneInfo("Asia/Riyadh")
    cent = Decimal("0.01")

    @functools.lru_cache(maxsize=4096)
    def hijri(day):
        h = Gregorian(day.year, day.month, day.day).to_hijri()
        return f"{h.year:04d}-{h.month:02d}-{h.day:02d}"

    def text(value):
        if not value:
            return ""
        return "'" + value if value[0] in "=+-@\t\r" else value

    headers = ["رقم الفاتورة", "الوصف", "الخدمة", "البلدية", "هوية الدافع", "المبلغ (ر.س)",
               "المدفوع (ر.س)", "تاريخ الاستحقاق", "تاريخ الاستحقاق (هجري)", "الحالة",
               "رفض سداد", "تاريخ الإنشاء"]
    database = psycopg2_connect(connection.settings_dict["NAME"])
    try:
        cursor = database.cursor(name="floor_export")
        cursor.itersize = FETCH_ROWS
        cursor.execute(_FLOOR_SQL, [municipality_id])
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(headers)
        for (number, description, service, municipality, national_id, unified, amount, paid,
             due, status, rejection, created) in cursor:
            writer.writerow([
                text(number), text(description), text(service), text(municipality),
                text(national_id or unified),
                f"{amount.quantize(cent, rounding=ROUND_HALF_UP):f}",
                f"{paid.quantize(cent, rounding=ROUND_HALF_UP):f}", due.isoformat(),
                hijri(due), text(statuses.get(status, status)), text(rejection),
                created.astimezone(riyadh).strftime("%Y-%m-%d %H:%M:%S")])
            if buffer.tell() >= PIECE_BYTES:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")
        cursor.close()
    finally:
        database.rollback()
        database.close()


def _child(side: str, username: str) -> int:
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django_setup()
    # Warm both paths (imports, URLconf, templates of the gate, the first connection) with an
    # export that matches nothing; the floor is warmed by its own first query.
    for _ in _portal_pieces(username, "?q=0"):
        pass
    pieces = _portal_pieces if side == "portal" else _floor_pieces
    digest = hashlib.sha256()
    size = lines = 0
    before = _resident_bytes("VmRSS")
    _high_water_reset()
    started = time.perf_counter()
    for piece in pieces(username):
        digest.update(piece)
        size += len(piece)
        lines += piece.count(b"\n")
    seconds = time.perf_counter() - started
    peak = _resident_bytes("VmHWM") - before
    print(json.dumps({"seconds": seconds, "peak": peak, "bytes": size, "rows": lines - 1,
                      "sha256": digest.hexdigest()}))
    return 0


def _run_child(database: str, side: str, username: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url(database),
           "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE",
                                                    "amanah.settings.dev")}
    result = subprocess.run([sys.executable, "-m", "bench", "exports", "--child", side,
                             "--user", username], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=3600)
    if result.returncode != 0:
        raise SystemExit(f"the {side} run failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- The comparison -------------------------------------------------------------------------

def _mib(value: float) -> str:
    return f"{value / 1024 / 1024:.1f} MiB"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench exports", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="100,000 and 1,000,000 rows")
    parser.add_argument("--sizes", type=int, nargs=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=["portal", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.user)
    sizes = tuple(args.sizes or (FULL_SIZES if args.full else SMALL_SIZES))
    django_setup()
    with scratch_database("exports") as database:
        print(f"exports: the finance bill list as CSV at {sizes[0]:,} and {sizes[1]:,} rows, "
              f"{args.rounds} rounds, database {database}", flush=True)
        world = _world_build(sizes)
        return _compare(database, world, args.rounds)


def _compare(database: str, world: list[tuple[int, str]], rounds: int) -> int:
    status = 0
    peaks: dict[tuple[str, int], list[int]] = {}
    for rows, username in world:
        digests: dict[str, set[str]] = {"portal": set(), "floor": set()}

        def side(name: str, rows=rows, username=username, digests=digests):
            def measure(_round: int) -> float:
                run = _run_child(database, name, username)
                if run["rows"] != rows:
                    raise SystemExit(f"the {name} exported {run['rows']} rows, not {rows}")
                digests[name].add(run["sha256"])
                peaks.setdefault((name, rows), []).append(run["peak"])
                return run["seconds"]
            return measure

        print(f"\n{rows:,} rows: seconds per export, each run in a fresh process", flush=True)
        interleaved(name=f"exports: bill list CSV, {rows:,} rows", unit="s",
                    higher_is_better=False, target=TIME_TARGET, rounds=rounds,
                    portal=side("portal"), floor=side("floor"))
        same = len(digests["portal"] | digests["floor"]) == 1
        print(f"  files: portal and floor byte for byte the same: {'yes' if same else 'NO'}")
        status |= 0 if same else 1
        for name in ("portal", "floor"):
            values = peaks[name, rows]
            print(f"  peak memory {name}: min {_mib(min(values))}  median "
                  f"{_mib(statistics.median(values))}  max {_mib(max(values))}", flush=True)
    (small, _), (big, _) = world
    portal_small = statistics.median(peaks["portal", small])
    portal_big = statistics.median(peaks["portal", big])
    ratio = portal_big / portal_small if portal_small else float("inf")
    constant = portal_big <= MEMORY_TARGET * portal_small + MEMORY_ALLOWANCE
    print(f"\nconstant memory: portal peak {_mib(portal_big)} at {big:,} rows vs "
          f"{_mib(portal_small)} at {small:,} (ratio {ratio:.2f}; target ≤ {MEMORY_TARGET}, "
          f"+{_mib(MEMORY_ALLOWANCE)} allowance): {'met' if constant else 'NOT met'}  "
          f"(load {load_average()})", flush=True)
    status |= 0 if constant else 1
    return status

