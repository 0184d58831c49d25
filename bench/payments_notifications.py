"""Payment notifications per second through the real endpoint (gunicorn, production settings
with DEBUG off, PostgreSQL), against the database's own limit measured in the same run: the same
rows written directly with psycopg2 in a loop, one transaction per notification.

    python -m bench payments_notifications [--notifications 2000] [--workers 3] [--threads 1]
                                                [--clients 4]

Each notification is a new SPTN paying a distinct unpaid bill created beforehand. Target: the
endpoint reaches at least 30% of the database's limit.
"""

import argparse
import datetime as dt
import hashlib
import http.client
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal

from bench._payments_common import (
    ROOT,
    database_url,
    django_setup,
    psycopg2_connect,
    scratch_database_create,
    scratch_database_drop,
)

HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8106"))
KEY = "bench-inbound-" + secrets.token_hex(16)
AMOUNT = Decimal("150.00")


def bills_create(count: int) -> list[tuple[int, str]]:
    """`count` unpaid bills already accepted by SADAD: [(id, BillingAcct)], in bulk."""
    from amanah.enums import MunicipalityKind, OwningApp
    from amanah.identity import luhn_check_digit
    from amanah.models import EService, Municipality, Person
    from payments.enums import BillCategory, BillStatus
    from payments.models import Bill

    municipality = Municipality.objects.create(code="BNCH", name_ar="بلدية", name_en="Bench",
                                               kind=MunicipalityKind.AMANAH)
    eservice = EService.objects.create(code="misc_fee", name_ar="رسوم متنوعة",
                                       name_en="Miscellaneous fee", owning_app=OwningApp.PAYMENTS)
    person = Person.objects.create(national_id="1000000008", name_ar="مواطن", name_en="Citizen")
    today = dt.date.today()
    bills = []
    for n in range(count):
        payload = f"{2000000000 + n}"
        bills.append(Bill(
            billing_account=payload + luhn_check_digit(payload), municipality=municipality,
            eservice=eservice, category=BillCategory.FEE, payer_person=person, amount=AMOUNT,
            due_date=today + dt.timedelta(days=30), expiry_date=today + dt.timedelta(days=90),
            status=BillStatus.UNPAID, payable_kind="misc_fee", payable_ref=f"B-{n}",
            description_ar="رسوم", description_en="Fee"))
    Bill.objects.bulk_create(bills, batch_size=2000)
    return list(Bill.objects.order_by("pk").values_list("pk", "billing_account"))


def _notification(account: str, n: int, prefix: str = "SPB") -> bytes:
    from amanah import clock
    from payments.sadad import wire

    now = clock.now()
    record = wire.PaymentRecord(
        sptn=f"{prefix}{n:012d}", bnkptn="", status_code="PmtNew", effective_at=now, amount=AMOUNT,
        processed_at=now, billing_account=account, biller_id="090", bank_id="RJHISARI",
        channel="INTERNET", method="ACTDEB")
    return wire.payment_notification_build(rq_uid=str(uuid.uuid4()), records=[record],
                                           client_dt=now, receiver="090")


def gunicorn_start(database: str, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "amanah.settings.production",
           "DATABASE_URL": database_url(database), "DATABASE_CONN_MAX_AGE": "60",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
           "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost", "DJANGO_SECURE_SSL_REDIRECT": "false",
           "SADAD_INBOUND_KEYS": KEY, "SADAD_OUTBOUND_KEY": secrets.token_hex(32),
           # Production refuses to start without an identity provider; the bench never calls it.
           "NAFATH_BASE_URL": "https://nafath.invalid", "NAFATH_APP_ID": "bench",
           "NAFATH_APP_KEY": secrets.token_hex(16),
           "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "amanah.wsgi", "-b", f"{HOST}:{PORT}",
         "-w", str(workers), "--threads", str(threads), "--log-level", "warning"],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited at start")
        try:
            connection = http.client.HTTPConnection(HOST, PORT, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not answer within 60 s")


def endpoint_run(bills: list[tuple[int, str]], clients: int,
                 prefix: str = "SPB") -> tuple[float, dict]:
    """POST one signed notification per bill from `clients` threads: (seconds, statuses)."""
    from payments.sadad.signing import HEADER, signature_header

    bodies = [_notification(account, n, prefix) for n, (_, account) in enumerate(bills)]
    statuses: dict = {}
    lock = threading.Lock()

    def work(part: list[bytes]):
        mine: dict = {}
        for body in part:
            connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
            connection.request("POST", "/sadad/payment-notifications", body=body, headers={
                "Content-Type": "application/xml",
                HEADER: signature_header(KEY, int(time.time()), body)})
            response = connection.getresponse()
            answer = response.read()
            key = (response.status, b"<Result>ACCEPTED</Result>" in answer)
            mine[key] = mine.get(key, 0) + 1
            connection.close()
        with lock:
            for key, n in mine.items():
                statuses[key] = statuses.get(key, 0) + n

    threads = [threading.Thread(target=work, args=(bodies[i::clients],)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, statuses


def database_limit(database: str, bills: list[tuple[int, str]], *, first: int = 0) -> float:
    """The same rows the endpoint writes for one ACCEPTED notification, straight through
    psycopg2, one transaction each: inbound message, payment, its event, the bill locked and
    updated, its event, the receipt."""
    from amanah.events import link_hash

    conn = psycopg2_connect(database)
    started = time.perf_counter()
    with conn.cursor() as cursor:
        for n, (bill_id, account) in enumerate(bills, start=first):
            now = dt.datetime.now(dt.UTC)
            body = _notification(account, 10_000_000 + n)
            cursor.execute(
                "INSERT INTO payments_inboundmessage (rq_uid, msg_code, body_sha256, "
                "record_count, response_status, response_body, received_at) "
                "VALUES (%s, 'PNOTRQ', %s, 1, 200, %s, %s) RETURNING id",
                [str(uuid.uuid4()), hashlib.sha256(body).hexdigest(), b"", now])
            inbound_id = cursor.fetchone()[0]
            cursor.execute("SELECT id, status, last_event_seq, last_event_hash FROM payments_bill"
                           " WHERE billing_account = %s FOR UPDATE", [account])
            _id, _status, bill_seq, bill_head = cursor.fetchone()
            sptn = f"SPD{n:012d}"
            # The same links of the payment's and the bill's hash chains the portal makes.
            recorded = {"seq": 1, "kind": "recorded", "actor_id": None, "at": now,
                        "from_status": "", "to_status": "applied", "reason": "",
                        "payload": {"source": "notification", "reference": "bench",
                                    "reason": ""}}
            recorded_hash = link_hash("", sptn, recorded)
            cursor.execute(
                "INSERT INTO payments_payment (sptn, bnkptn, amount, billing_account, biller_id,"
                " bill_id, status, suspense_reason, bank_id, channel, method, processed_at,"
                " effective_at, business_date, received_at, source, inbound_message_id,"
                " source_reference, needs_review, last_event_seq, last_event_hash)"
                " VALUES (%s, '', %s, %s, '090', %s, 'applied',"
                " '', 'RJHISARI', 'INTERNET', 'ACTDEB', %s, %s, %s, %s, 'notification', %s, %s,"
                " false, 1, %s) ON CONFLICT (sptn) DO NOTHING RETURNING id",
                [sptn, AMOUNT, account, bill_id, now, now, now.date(), now, inbound_id,
                 "bench", recorded_hash])
            payment_id = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO payments_paymentevent (payment_id, seq, kind, from_status, to_status,"
                " reason, payload, at, prev_hash, hash) VALUES (%s, 1, 'recorded', '', 'applied',"
                " '', %s, %s, '', %s)",
                [payment_id, json.dumps(recorded["payload"]), now, recorded_hash])
            paid = {"seq": bill_seq + 1, "kind": "paid", "actor_id": None, "at": now,
                    "from_status": "unpaid", "to_status": "paid", "reason": "",
                    "payload": {"sptn": sptn, "amount": str(AMOUNT)}, "version": 1}
            paid_hash = link_hash(bill_head, account, paid)
            cursor.execute("UPDATE payments_bill SET status = 'paid', amount_paid = %s, "
                           "paid_at = %s, last_event_seq = %s, last_event_hash = %s, "
                           "updated_at = %s WHERE id = %s",
                           [AMOUNT, now, bill_seq + 1, paid_hash, now, bill_id])
            cursor.execute(
                "INSERT INTO payments_billevent (bill_id, seq, kind, from_status, to_status,"
                " version, reason, payload, at, prev_hash, hash)"
                " VALUES (%s, %s, 'paid', 'unpaid', 'paid', 1, '', %s, %s, %s, %s)",
                [bill_id, bill_seq + 1, json.dumps(paid["payload"]), now, bill_head, paid_hash])
            cursor.execute(
                "INSERT INTO payments_receipt (number, bill_id, payment_id, verify_token, pdf,"
                " issued_at) VALUES (%s, %s, %s, %s, '', %s)",
                [f"RC-D-{payment_id:08d}", bill_id, payment_id, secrets.token_urlsafe(16), now])
            cursor.execute("UPDATE payments_inboundmessage SET response_body = %s WHERE id = %s",
                           [body[:200], inbound_id])
            conn.commit()
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench payments_notifications")
    parser.add_argument("--notifications", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1,
                        help="gunicorn threads per worker (more than 1: the gthread class)")
    parser.add_argument("--clients", type=int, default=4)
    options, _ = parser.parse_known_args(argv)
    count = options.notifications
    django_setup()
    from amanah.celery import app
    from payments.models import Bill, Payment

    database, original = scratch_database_create("notify")
    server = None
    try:
        print(f"payments_notifications: {count} notifications, gunicorn {options.workers} "
              f"workers x {options.threads} threads on {HOST}:{PORT}, {options.clients} client "
              f"threads, scratch database {database}")
        bills = bills_create(2 * count)
        for_endpoint, for_database = bills[:count], bills[count:]
        server = gunicorn_start(database, options.workers, options.threads)
        # Warm every worker's imports and database connection outside the measurement.
        endpoint_run([(0, "99999999990")] * (options.workers * 2), 1, prefix="SPW")
        # The database loop runs half before and half after the endpoint, so a change in the
        # machine's load during the run weighs on both figures alike.
        half = len(for_database) // 2
        db_seconds = database_limit(database, for_database[:half], first=0)
        seconds, statuses = endpoint_run(for_endpoint, options.clients)
        db_seconds += database_limit(database, for_database[half:], first=half)
        rate, db_rate = count / seconds, count / db_seconds
        paid = Bill.objects.filter(pk__in=[b for b, _ in for_endpoint], status="paid").count()
        applied = Payment.objects.filter(sptn__startswith="SPB", status="applied").count()
        print(f"  database limit: {db_seconds:8.2f} s  {db_rate:9.1f} notifications/s "
              f"(psycopg2, one transaction each; baseline)")
        print(f"  endpoint      : {seconds:8.2f} s  {rate:9.1f} notifications/s "
              f"(answers {statuses})")
        print(f"  ratio         : {rate / db_rate:.2f} of the database limit (target >= 0.30)")
        ok = paid == count and applied == count and statuses == {(200, True): count}
        print(f"  check         : {paid}/{count} bills paid, {applied} payments applied: "
              f"{'OK' if ok else 'WRONG RESULT'}")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        # The receipts the endpoint queued have no worker here: drop them from the broker.
        app.control.purge()
        from django.db import connections

        connections.close_all()
        scratch_database_drop(original)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
