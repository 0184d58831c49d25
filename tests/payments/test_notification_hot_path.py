"""The hot path of an ACCEPTED notification: a few hand-written statements, nothing more.

Each statement is named so a change that adds a round trip (an ORM save that re-reads, a
savepoint, a second look-up of the bill) is seen here, and the rows it writes are the same
rows, with the same hash-chain links, that `audit_verify` checks."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.events import audit_verify
from payments.enums import BillStatus, PaymentStatus
from payments.models import Bill, BillEvent, InboundMessage, Payment, PaymentEvent, Receipt

from .factories import bill_make, notification, pmt, post

pytestmark = pytest.mark.django_db

# What one ACCEPTED notification for a known, unpaid bill costs the database, in order.
ACCEPTED_STATEMENTS = [
    "INSERT INTO payments_inboundmessage",  # claims the RqUID
    "SELECT payments_bill FOR UPDATE",  # the bill, locked
    "INSERT INTO payments_payment",  # ON CONFLICT (sptn) DO NOTHING
    "INSERT INTO payments_paymentevent",  # the payment's first link
    "UPDATE payments_bill",  # paid, with its new chain head
    "INSERT INTO payments_billevent",  # the bill's link
    "INSERT INTO payments_receipt",
    "UPDATE payments_inboundmessage",  # the stored answer
]


def _shape(sql: str) -> str:
    words = sql.replace('"', "").split()
    verb = words[0]
    if verb == "SELECT":
        table = words[words.index("FROM") + 1]
        return f"SELECT {table}" + (" FOR UPDATE" if "FOR UPDATE" in sql else "")
    if verb == "INSERT":
        return f"INSERT INTO {words[2]}"
    return f"{verb} {words[1]}"


def test_an_accepted_notification_is_eight_statements_and_nothing_else(client):
    # given an unpaid bill
    bill = bill_make(amount="150.00")
    body = notification([pmt(sptn="SP-HOT", amount="150.00",
                             billing_account=bill.billing_account)])
    # when SADAD notifies its payment
    with CaptureQueriesContext(connection) as queries:
        response = post(client, body)
    # then it is answered ACCEPTED after exactly these statements
    assert response.status_code == 200
    assert b"<Result>ACCEPTED</Result>" in response.content
    statements = [_shape(q["sql"]) for q in queries.captured_queries
                  if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert statements == ACCEPTED_STATEMENTS


def test_the_hot_path_writes_the_same_rows_and_links_the_chains(client):
    # given an unpaid bill with its history
    bill = bill_make(amount="150.00")
    events_before = bill.last_event_seq
    updated_before = Bill.objects.get(pk=bill.pk).updated_at
    # when SADAD notifies its payment
    response = post(client, notification([pmt(sptn="SP-HOT", amount="150.00",
                                              billing_account=bill.billing_account)],
                                         rq_uid="5d0c6c4e-6a43-4d7e-9b36-2b8f7f0c1a11"))
    assert response.status_code == 200
    # then the bill is paid with its next link, written once
    bill.refresh_from_db()
    assert (bill.status, bill.amount_paid) == (BillStatus.PAID, Decimal("150.00"))
    assert bill.updated_at > updated_before
    paid = BillEvent.objects.get(bill=bill, seq=events_before + 1)
    assert (paid.kind, paid.from_status, paid.to_status) == ("paid", "unpaid", "paid")
    assert paid.payload == {"sptn": "SP-HOT", "amount": "150.00"}
    assert (bill.last_event_seq, bill.last_event_hash) == (paid.seq, paid.hash)
    # the payment is applied with its first link, the receipt is due, the answer is stored
    payment = Payment.objects.get(sptn="SP-HOT")
    assert (payment.status, payment.bill_id) == (PaymentStatus.APPLIED, bill.pk)
    recorded = PaymentEvent.objects.get(payment=payment)
    assert (recorded.seq, recorded.prev_hash, recorded.kind) == (1, "", "recorded")
    assert (payment.last_event_seq, payment.last_event_hash) == (1, recorded.hash)
    receipt = Receipt.objects.get(payment=payment)
    assert (receipt.bill_id, receipt.pdf.name) == (bill.pk, "")
    assert receipt.number == f"RC-{payment.business_date:%Y%m%d}-{payment.pk:08d}"
    stored = InboundMessage.objects.get(rq_uid="5d0c6c4e-6a43-4d7e-9b36-2b8f7f0c1a11")
    assert bytes(stored.response_body) == response.content
    # and every chain checks out link by link
    results = audit_verify()
    assert {r.chain for r in results} >= {"bill", "payment"}
    assert all(r.ok for r in results), results
