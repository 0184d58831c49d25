"""Cases, bills and payments each carry a hash chain; `audit_verify` checks all three and names
the first broken link of each, so an auditor sees exactly which record was tampered with."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from amanah import clock
from amanah.events import REWRITE_SETTING, audit_verify
from payments.enums import BillStatus, PaymentStatus
from payments.models import BillEvent, PaymentEvent
from payments.services import payment_record
from tests.payments.factories import bill_make
from tests.workflow.factories import case_new, world_build
from workflow.models import CaseEvent


def _rewrite(sql: str, params: list) -> None:
    """What only someone with the database's own rights could do behind the portal's back."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {REWRITE_SETTING} = 'on'")
        cursor.execute(sql, params)
        cursor.execute(f"SET LOCAL {REWRITE_SETTING} = 'off'")


def _paid_bill(sptn: str):
    bill = bill_make(amount="150.00")
    payment_record(sptn=sptn, amount=Decimal("150.00"), billing_account=bill.billing_account,
                   bank_id="RJHISARI", channel="INTERNET", method="ACTDEB",
                   processed_at=clock.now()).payment
    bill.refresh_from_db()
    return bill


@pytest.fixture
def records(db):
    world = world_build()
    return {"case": case_new(world), "bill": _paid_bill("SP0000000001"),
            "second_bill": _paid_bill("SP0000000002")}


def test_money_is_chained_like_cases(records):
    # given a bill issued, accepted by SADAD and paid
    bill = records["bill"]
    assert bill.status == BillStatus.PAID
    events = list(BillEvent.objects.filter(bill=bill).order_by("seq"))
    # then its events are one chain whose newest link the bill holds
    assert [e.kind for e in events] == ["issued", "registered", "paid"]
    assert [e.seq for e in events] == [1, 2, 3]
    assert [e.prev_hash for e in events] == ["", events[0].hash, events[1].hash]
    assert (bill.last_event_seq, bill.last_event_hash) == (3, events[-1].hash)
    payment = bill.payments.get()
    assert payment.status == PaymentStatus.APPLIED
    (recorded,) = PaymentEvent.objects.filter(payment=payment)
    assert (recorded.seq, recorded.prev_hash, payment.last_event_hash) == (1, "", recorded.hash)
    # and every chain holds
    assert [(r.chain, r.ok) for r in audit_verify()] == [
        ("bill", True), ("case", True), ("inspection", True), ("payment", True),
        ("permit", True), ("permit_application", True), ("violation", True)]
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().splitlines() == [
        "bill: OK, 6 events, every link holds",
        f"case: OK, {CaseEvent.objects.count()} events, every link holds",
        "inspection: OK, 0 events, every link holds",
        "payment: OK, 2 events, every link holds",
        "permit: OK, 0 events, every link holds",
        "permit_application: OK, 0 events, every link holds",
        "violation: OK, 0 events, every link holds",
    ]


def test_an_edited_bill_event_is_named_and_the_other_chains_still_hold(records):
    bill = records["second_bill"]
    paid = BillEvent.objects.get(bill=bill, kind="paid")
    # when someone changes the amount a bill event says was paid
    _rewrite("UPDATE payments_billevent SET payload = %s WHERE id = %s",
             ['{"sptn": "SP0000000002", "amount": "1.50"}', paid.pk])
    # then the bill chain names that bill and event; cases and payments are fine
    results = {r.chain: r for r in audit_verify()}
    assert (results["bill"].ok, results["bill"].head_key, results["bill"].event_id,
            results["bill"].reason) == (False, bill.billing_account, paid.pk,
                                        "content does not match its hash")
    assert results["case"].ok and results["payment"].ok
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("audit_verify", stdout=out)
    assert exited.value.code == 1
    assert (f"bill: BROKEN at bill {bill.billing_account} (id {bill.pk}), event id {paid.pk}: "
            f"content does not match its hash") in out.getvalue()


def test_a_removed_payment_event_is_noticed_by_its_head(records):
    payment = records["bill"].payments.get()
    # when the only event of a payment is deleted
    _rewrite("DELETE FROM payments_paymentevent WHERE payment_id = %s", [payment.pk])
    # then the payment's head no longer matches what its chain holds
    (result,) = audit_verify(chain="payment")
    assert (result.ok, result.head_key, result.reason) == (
        False, payment.sptn, "the newest event is missing or replaced")


def test_an_event_moved_to_another_record_breaks_the_chain(records):
    first, second = records["bill"], records["second_bill"]
    issued = BillEvent.objects.get(bill=second, kind="issued")
    # when the first link of one bill is made to belong to another
    _rewrite("UPDATE payments_billevent SET bill_id = %s, seq = 99 WHERE id = %s",
             [first.pk, issued.pk])
    # then the audit finds the damage at the first bill's chain
    (result,) = audit_verify(chain="bill")
    assert (result.ok, result.head_key) == (False, first.billing_account)
    assert result.reason == "sequence jumps from 3 to 99"


def test_a_case_event_edited_is_named_with_the_case_number(records):
    case = records["case"]
    event = CaseEvent.objects.get(case=case, seq=1)
    _rewrite("UPDATE workflow_caseevent SET actor_role = 'head' WHERE id = %s", [event.pk])
    (result,) = audit_verify(chain="case")
    assert (result.ok, result.head_key, result.event_id) == (False, case.number, event.pk)
