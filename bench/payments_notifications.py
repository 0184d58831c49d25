"""SADAD payment notifications through the real endpoint, against the database's own limit for
the same writes, interleaved (portal, floor, portal, floor … at least three rounds); then the
endpoint's latency under an open-loop load at 80% of its measured maximum.

    python -m bench payments_notifications [--notifications 300] [--rounds 3]
        [--workers N] [--threads N] [--clients 8] [--latency-seconds 4] [--latency-runs 3]
        [--senders 48]

Full size (what the integrator runs on a quiet machine):

    python -m bench payments_notifications --notifications 3000 --rounds 5 --latency-seconds 20

Portal side (one round): gunicorn runs `amanah.wsgi` with production settings and DEBUG off
(`_harness.production_env`), configured by the repository's `gunicorn.conf.py` (workers, threads
per core; `--workers`/`--threads` override it), against a scratch database. Every notification
is a new SPTN paying a distinct unpaid bill created beforehand, fresh bills for every round. All
request bodies and their signatures are built before the timed part. `--clients` threads post
them as fast as answers come, each on one reused HTTP/1.1 connection (keep-alive: gthread workers
keep it open; sync workers answer `Connection: close` and the client reconnects — a retried
POST is safe, the endpoint replays its stored answer for a known RqUID). Measured: notifications
answered per second, from the first request to the last answer. The receipt tasks the endpoint
sends go to a Redis key prefix of this run's own (no worker; deleted at the end).

Floor side (one round): what the endpoint writes for one ACCEPTED notification, read from its
SQL (tests/payments/test_notification_hot_path.py names the statements), sent straight through
psycopg2, one transaction and one COMMIT per notification, with the server's default
synchronous_commit as the portal has: INSERT the inbound message ON CONFLICT (rq_uid) DO
NOTHING, SELECT the bill by BillingAcct FOR UPDATE (every column, as the portal reads it),
INSERT the payment ON CONFLICT (sptn) DO NOTHING, INSERT its event, UPDATE the bill (status,
amount paid, paid at, chain head, updated at), INSERT its event, INSERT the receipt, UPDATE
the inbound message with its answer — with the same hash-chain links computed
(`amanah.events.link_hash`) and the body's SHA-256 taken. It runs with 1, 4 and 8 connections,
each in its own PROCESS (threads would share a GIL and slow the floor), on fresh bills each;
the round's floor figure is the best of the three.

Ratio = portal notifications/s ÷ best floor notifications/s, per round; target ≥ 0.5.

Latency run: open loop at 80% of the portal's median measured rate. Start times are fixed in
advance (one every 1/rate s); latency is measured from the scheduled start, so a slow answer
cannot hide the ones queued behind it (no coordinated omission). `--senders` threads send, so
none falls behind; the largest lag between a scheduled and an actual start is printed. p50/p95/p99
per run, repeated `--latency-runs` times; the min/median/max of p99 is the figure (target < 50 ms).

Checks: every answer must be 200 with <Result>ACCEPTED</Result>, and afterwards the database
must hold exactly one payment per notification sent (counted) and every bill paid, for the
portal and for the floor alike. A wrong count is a broken benchmark (exit status 1); a missed
target is only printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import multiprocessing
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal

from bench._harness import (
    ROOT,
    django_setup,
    interleaved,
    load_average,
    percentiles,
    production_env,
    psycopg2_connect,
    queue_name,
    scratch_database,
)

HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8106"))
KEY = "bench-inbound-" + secrets.token_hex(16)
AMOUNT = Decimal("150.00")
PATH = "/sadad/payment-notifications"
PARALLELISM = (1, 4, 8)
TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0


# --- data ------------------------------------------------------------------------------------

class Bills:
    """Unpaid bills already accepted by SADAD, made in bulk, handed out once each."""

    def __init__(self) -> None:
        from amanah.enums import MunicipalityKind, OwningApp
        from amanah.models import EService, Municipality, Person

        self.municipality = Municipality.objects.create(
            code="BNCH", name_ar="بلدية", name_en="Bench", kind=MunicipalityKind.AMANAH)
        self.eservice = EService.objects.create(
            code="misc_fee", name_ar="رسوم متنوعة", name_en="Miscellaneous fee",
            owning_app=OwningApp.PAYMENTS)
        self.person = Person.objects.create(national_id="1000000008", name_ar="مواطن",
                                            name_en="Citizen")
        self.made = 0

    def take(self, count: int) -> list[tuple[int, str]]:
        """`count` new unpaid bills: [(id, BillingAcct)]."""
        from amanah.identity import luhn_check_digit
        from payments.enums import BillCategory, BillStatus
        from payments.models import Bill

        today = dt.date.today()
        first = self.made
        rows = []
        for n in range(first, first + count):
            payload = f"{2000000000 + n}"
            rows.append(Bill(
                billing_account=payload + luhn_check_digit(payload),
                municipality=self.municipality, eservice=self.eservice,
                category=BillCategory.FEE, payer_person=self.person, amount=AMOUNT,
                due_date=today + dt.timedelta(days=30), expiry_date=today + dt.timedelta(days=90),
                status=BillStatus.UNPAID, payable_kind="misc_fee", payable_ref=f"B-{n}",
                description_ar="رسوم", description_en="Fee"))
        Bill.objects.bulk_create(rows, batch_size=2000)
        self.made += count
        accounts = [b.billing_account for b in rows]
        by_account = dict(Bill.objects.filter(billing_account__in=accounts)
                          .values_list("billing_account", "pk"))
        return [(by_account[a], a) for a in accounts]


def notification_body(account: str, sptn: str) -> bytes:
    from amanah import clock
    from payments.sadad import wire

    now = clock.now()
    record = wire.PaymentRecord(
        sptn=sptn, bnkptn="", status_code="PmtNew", effective_at=now, amount=AMOUNT,
        processed_at=now, billing_account=account, biller_id="090", bank_id="RJHISARI",
        channel="INTERNET", method="ACTDEB")
    return wire.payment_notification_build(rq_uid=str(uuid.uuid4()), records=[record],
                                           client_dt=now, receiver="090")


def signed_requests(bills: list[tuple[int, str]], prefix: str) -> list[tuple[bytes, str]]:
    """(body, signature header) per bill, built before anything is timed."""
    from payments.sadad.signing import signature_header

    now = int(time.time())
    bodies = [notification_body(account, f"{prefix}{n:09d}") for n, (_, account)
              in enumerate(bills)]
    return [(body, signature_header(KEY, now, body)) for body in bodies]


# --- the portal ------------------------------------------------------------------------------

def gunicorn_start(database: str, *, workers: int | None, threads: int | None,
                   broker_prefix: str) -> subprocess.Popen:
    env = production_env(database, SADAD_INBOUND_KEYS=KEY, CELERY_BROKER_KEY_PREFIX=broker_prefix,
                         DJANGO_ALLOWED_HOSTS=f"{HOST},localhost",
                         GUNICORN_BIND=f"{HOST}:{PORT}")
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    if threads:
        env["GUNICORN_THREADS"] = str(threads)
    # gunicorn reads ./gunicorn.conf.py (cwd): the deployment's own settings are what is measured.
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "amanah.wsgi:application",
                                "--log-level", "warning", "--access-logfile", "/dev/null"],
                               cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited at start")
        try:
            connection = http.client.HTTPConnection(HOST, PORT, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connection.close()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not answer within 60 s")


class Client:
    """One keep-alive HTTP connection; reconnects when the server closed it."""

    def __init__(self) -> None:
        self.connection = http.client.HTTPConnection(HOST, PORT, timeout=60)

    def post(self, body: bytes, signature: str) -> tuple[int, bool]:
        for attempt in (1, 2):
            try:
                self.connection.request("POST", PATH, body=body, headers={
                    "Content-Type": "application/xml", "X-Sadad-Signature": signature})
                response = self.connection.getresponse()
                answer = response.read()
                if response.will_close:
                    self.connection.close()
                return response.status, b"<Result>ACCEPTED</Result>" in answer
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle kept-alive connection. Sending again is safe: a
                # known RqUID with the same body gets its stored answer, nothing new recorded.
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


def portal_run(requests: list[tuple[bytes, str]], clients: int) -> tuple[float, dict]:
    """Closed loop: `clients` threads post every request as fast as answers come.
    (notifications per second, {(status, accepted): count})."""
    answers: dict = {}
    lock = threading.Lock()
    feed = iter(requests)
    ready = threading.Barrier(clients + 1)

    def work() -> None:
        client, mine = Client(), {}
        ready.wait()
        while True:
            with lock:
                item = next(feed, None)
            if item is None:
                break
            key = client.post(*item)
            mine[key] = mine.get(key, 0) + 1
        client.close()
        with lock:
            for key, n in mine.items():
                answers[key] = answers.get(key, 0) + n

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return len(requests) / (time.perf_counter() - started), answers


def latency_run(requests: list[tuple[bytes, str]], rate: float,
                senders: int) -> tuple[list[float], float, float, dict]:
    """Open loop: request i starts at t0 + i/rate whatever happened before it. Returns
    (latencies from the scheduled start in ms, achieved rate, largest start lag in ms, answers)."""
    latencies: list[float] = []
    lags: list[float] = []
    answers: dict = {}
    lock = threading.Lock()
    counter = iter(range(len(requests)))
    t0 = time.perf_counter() + 0.5

    def work() -> None:
        client, mine, my_lat, my_lag = Client(), {}, [], []
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            scheduled = t0 + i / rate
            pause = scheduled - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            my_lag.append(time.perf_counter() - scheduled)
            key = client.post(*requests[i])
            my_lat.append((time.perf_counter() - scheduled) * 1000)
            mine[key] = mine.get(key, 0) + 1
        client.close()
        with lock:
            latencies.extend(my_lat)
            lags.extend(my_lag)
            for key, n in mine.items():
                answers[key] = answers.get(key, 0) + n

    threads = [threading.Thread(target=work) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = time.perf_counter()
    return latencies, len(requests) / (finished - t0), max(lags) * 1000, answers


# --- the floor -------------------------------------------------------------------------------

BILL_COLUMNS = ""  # every column of payments_bill, in the model's order (set in main)


def _floor_child(database: str, work: list, barrier, results) -> None:
    """One connection in its own process: the endpoint's statements for each notification."""
    from amanah.events import link_hash

    conn = psycopg2_connect(database)
    cursor = conn.cursor()
    done = 0
    barrier.wait()
    started = time.monotonic()
    for bill_id, account, sptn, body, answer in work:
        now = dt.datetime.now(dt.UTC)
        rq_uid = str(uuid.uuid4())
        cursor.execute(
            "INSERT INTO payments_inboundmessage (rq_uid, msg_code, body_sha256, record_count,"
            " response_status, response_body, received_at) VALUES (%s, 'PNOTRQ', %s, 1, 200,"
            " %s, %s) ON CONFLICT (rq_uid) DO NOTHING RETURNING id",
            [rq_uid, hashlib.sha256(body).hexdigest(), b"", now])
        inbound_id = cursor.fetchone()[0]
        cursor.execute(f"SELECT {BILL_COLUMNS} FROM payments_bill WHERE billing_account = %s"
                       " LIMIT 1 FOR UPDATE", [account])
        bill = cursor.fetchone()
        bill_seq, bill_head = bill[1], bill[2]  # last_event_seq, last_event_hash
        recorded = {"seq": 1, "kind": "recorded", "actor_id": None, "at": now,
                    "from_status": "", "to_status": "applied", "reason": "",
                    "payload": {"source": "notification", "reference": rq_uid, "reason": ""}}
        recorded_hash = link_hash("", sptn, recorded)
        cursor.execute(
            "INSERT INTO payments_payment (last_event_seq, last_event_hash, sptn, bnkptn, amount,"
            " billing_account, biller_id, bill_id, status, suspense_reason, bank_id, channel,"
            " method, processed_at, effective_at, business_date, received_at, source,"
            " inbound_message_id, source_reference, needs_review) VALUES (1, %s, %s, '', %s, %s,"
            " '090', %s, 'applied', '', 'RJHISARI', 'INTERNET', 'ACTDEB', %s, %s, %s, %s,"
            " 'notification', %s, %s, false) ON CONFLICT (sptn) DO NOTHING RETURNING id",
            [recorded_hash, sptn, AMOUNT, account, bill_id, now, now, now.date(), now,
             inbound_id, rq_uid])
        payment_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO payments_paymentevent (actor_id, at, from_status, to_status, reason,"
            " payload, seq, prev_hash, hash, payment_id, kind) VALUES (NULL, %s, '', 'applied',"
            " '', %s, 1, '', %s, %s, 'recorded') RETURNING id",
            [now, json.dumps(recorded["payload"]), recorded_hash, payment_id])
        cursor.fetchone()
        paid = {"seq": bill_seq + 1, "kind": "paid", "actor_id": None, "at": now,
                "from_status": "unpaid", "to_status": "paid", "reason": "",
                "payload": {"sptn": sptn, "amount": str(AMOUNT)}, "version": 1}
        paid_hash = link_hash(bill_head, account, paid)
        cursor.execute(
            "UPDATE payments_bill SET status = 'paid', amount_paid = %s, paid_at = %s,"
            " last_event_seq = %s, last_event_hash = %s, updated_at = %s WHERE id = %s",
            [AMOUNT, now, bill_seq + 1, paid_hash, now, bill_id])
        cursor.execute(
            "INSERT INTO payments_billevent (actor_id, at, from_status, to_status, reason,"
            " payload, seq, prev_hash, hash, bill_id, kind, version) VALUES (NULL, %s, 'unpaid',"
            " 'paid', '', %s, %s, %s, %s, %s, 'paid', 1) RETURNING id",
            [now, json.dumps(paid["payload"]), bill_seq + 1, bill_head, paid_hash, bill_id])
        cursor.fetchone()
        cursor.execute(
            "INSERT INTO payments_receipt (number, bill_id, payment_id, verify_token, pdf,"
            " issued_at, pdf_made_at) VALUES (%s, %s, %s, %s, '', %s, NULL) RETURNING id",
            [f"RC-{now:%Y%m%d}-{payment_id:08d}", bill_id, payment_id,
             secrets.token_urlsafe(16), now])
        cursor.fetchone()
        cursor.execute("UPDATE payments_inboundmessage SET response_body = %s WHERE id = %s",
                       [answer, inbound_id])
        conn.commit()
        done += 1
    results.put((started, time.monotonic(), done))
    conn.close()


def floor_run(database: str, bills: list[tuple[int, str]], connections: int,
              prefix: str) -> float:
    """The endpoint's writes for every bill from `connections` processes: notifications/s."""
    from django.db import connections as django_connections

    from payments.sadad import wire

    work = []
    for n, (bill_id, account) in enumerate(bills):
        sptn = f"{prefix}{n:09d}"
        body = notification_body(account, sptn)
        answer = wire.payment_notification_response_build(rq_uid=str(uuid.uuid4()),
                                                          results=[(sptn, "ACCEPTED")])
        work.append((bill_id, account, sptn, body, answer))
    # Forked children must not share the parent's database socket.
    django_connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(connections), context.Queue()
    children = [context.Process(target=_floor_child,
                                args=(database, work[i::connections], barrier, results))
                for i in range(connections)]
    for child in children:
        child.start()
    reports = [results.get(timeout=600) for _ in children]
    for child in children:
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"a floor process failed (exit {child.exitcode})")
    started = min(r[0] for r in reports)
    finished = max(r[1] for r in reports)
    return sum(r[2] for r in reports) / (finished - started)


# --- the run ---------------------------------------------------------------------------------

def _count_paid(prefix: str) -> tuple[int, int]:
    """(payments whose SPTN starts with `prefix`, applied bills they paid)."""
    from payments.models import Payment

    payments = Payment.objects.filter(sptn__startswith=prefix)
    return payments.count(), payments.filter(status="applied", bill__status="paid").count()


def _broker_keys_delete(prefix: str) -> None:
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench payments_notifications")
    parser.add_argument("--notifications", type=int, default=300, help="per round and side")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, default=None,
                        help="gunicorn threads per worker (default: gunicorn.conf.py's)")
    parser.add_argument("--clients", type=int, default=8, help="closed-loop client threads")
    parser.add_argument("--latency-seconds", type=float, default=4.0)
    parser.add_argument("--latency-runs", type=int, default=3)
    parser.add_argument("--senders", type=int, default=48, help="open-loop sender threads")
    options, _ = parser.parse_known_args(argv)
    count = options.notifications
    django_setup()
    global BILL_COLUMNS
    from payments.models import Bill

    BILL_COLUMNS = ", ".join(f.column for f in Bill._meta.concrete_fields)
    broker_prefix = queue_name("notify") + ":"
    server = None
    broken: list[str] = []
    with scratch_database("notify") as database:
        try:
            bills = Bills()
            server = gunicorn_start(database, workers=options.workers, threads=options.threads,
                                    broker_prefix=broker_prefix)
            print(f"payments_notifications: {count} notifications per round and side, "
                  f"{options.rounds} rounds, gunicorn (gunicorn.conf.py; workers "
                  f"{options.workers or 'default'}, threads {options.threads or 'default'}), "
                  f"{options.clients} keep-alive clients; floor: psycopg2 with "
                  f"{'/'.join(map(str, PARALLELISM))} processes, best of each; scratch "
                  f"database {database}", flush=True)
            # Warm every worker's imports and connection outside the measurement.
            portal_run(signed_requests(bills.take(32), "PWARM"), options.clients)
            sent: dict[str, int] = {}

            def portal(round_number: int) -> float:
                prefix = f"P{round_number:02d}-"
                requests = signed_requests(bills.take(count), prefix)
                rate, answers = portal_run(requests, options.clients)
                sent[prefix] = count
                if answers != {(200, True): count}:
                    broken.append(f"portal round {round_number + 1} answers {answers}")
                return rate

            def floor(round_number: int) -> float:
                rates = []
                for connections in PARALLELISM:
                    prefix = f"F{round_number:02d}-{connections}-"
                    rates.append(floor_run(database, bills.take(count), connections, prefix))
                    sent[prefix] = count
                by_connections = dict(zip(PARALLELISM, map(round, rates), strict=True))
                print(f"    floor by connections {by_connections} notifications/s", flush=True)
                return max(rates)

            comparison = interleaved(
                name="notifications: portal / best floor (1/4/8 processes)",
                unit="notifications/s", higher_is_better=True, target=TARGET_RATIO,
                rounds=options.rounds, portal=portal, floor=floor)

            rate = 0.8 * statistics.median(comparison.portal)
            per_run = max(1, int(rate * options.latency_seconds))
            p99s = []
            print(f"latency, open loop at 80% of the portal's median rate: {rate:.0f}/s, "
                  f"{per_run} notifications per run, {options.senders} senders "
                  f"(load {load_average()})", flush=True)
            for run in range(options.latency_runs):
                prefix = f"L{run:02d}-"
                requests = signed_requests(bills.take(per_run), prefix)
                latencies, achieved, lag, answers = latency_run(requests, rate, options.senders)
                sent[prefix] = per_run
                if answers != {(200, True): per_run}:
                    broken.append(f"latency run {run + 1} answers {answers}")
                p = percentiles(latencies)
                p99s.append(p[99])
                print(f"  run {run + 1}/{options.latency_runs}: p50 {p[50]:.1f} ms  p95 "
                      f"{p[95]:.1f} ms  p99 {p[99]:.1f} ms  achieved {achieved:.0f}/s  largest "
                      f"start lag {lag:.1f} ms  (load {load_average()})", flush=True)
            met = statistics.median(p99s) < TARGET_P99_MS
            print(f"  p99: min {min(p99s):.1f}  median {statistics.median(p99s):.1f}  max "
                  f"{max(p99s):.1f} ms   target < {TARGET_P99_MS:.0f} ms: "
                  f"{'met' if met else 'NOT met'}")

            # A benchmark that loses money is not a benchmark: count every payment.
            wrong = []
            for prefix, expected in sent.items():
                payments, paid = _count_paid(prefix)
                if (payments, paid) != (expected, expected):
                    wrong.append(f"{prefix}: {payments} payments, {paid} bills paid of "
                                 f"{expected}")
            total = sum(sent.values())
            print(f"  check: {total} notifications sent, "
                  + ("exactly one payment each and every bill paid: OK" if not wrong
                     else "WRONG: " + "; ".join(wrong)))
            broken += wrong
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
            _broker_keys_delete(broker_prefix)
    for problem in broken:
        print(f"  BROKEN: {problem}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
