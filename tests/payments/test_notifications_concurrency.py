"""Concurrency and failure on the real PostgreSQL: threads with their own connections."""

import threading
import time
import uuid
from decimal import Decimal
from unittest import mock

import psycopg2
import pytest
from django.db import OperationalError, connection, connections

from amanah.enums import NotificationStatus
from amanah.models import Notification
from payments.enums import BillStatus, PaymentStatus, SuspenseReason
from payments.models import Bill, InboundMessage, Payment, PaymentEvent, Receipt
from payments.sadad import wire
from payments.sadad.inbound import notification_handle

from .factories import bill_make, notification, pmt, post, signed

THREADS = 8


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def sent_tasks():
    """Tasks queued after commit, recorded instead of run: Celery's eager mode keeps
    process-global state that threads running tasks at once would leave corrupted."""
    from amanah.dispatch import TaskSend

    sent = []
    with mock.patch.object(TaskSend, "__call__", lambda self: sent.append(self.task_name)):
        yield sent


def _deliver_all(bodies: list[bytes]) -> list:
    """Deliver every body at the same moment, each from its own thread and connection."""
    barrier = threading.Barrier(len(bodies))
    answers = [None] * len(bodies)

    def deliver(index: int, body: bytes) -> None:
        try:
            barrier.wait()
            answers[index] = notification_handle(body=body, signature=signed(body))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(i, b)) for i, b in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def _results(answer) -> list[tuple[str, str]]:
    assert answer.status == 200, answer.body
    return wire.payment_notification_response_parse(answer.body)[2]


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_for_one_bill_apply_exactly_one(sent_tasks):
    # given one unpaid bill of 150.00
    bill = bill_make(amount="150.00")
    assert bill.status == BillStatus.UNPAID
    sent_tasks.clear()
    # when eight different payments for it arrive at the same moment
    bodies = [notification([pmt(sptn=f"SP{i}", billing_account=bill.billing_account)])
              for i in range(THREADS)]
    answers = _deliver_all(bodies)
    # then exactly one pays the bill and the others are held as "already paid"
    outcomes = sorted(result for answer in answers for _, result in _results(answer))
    assert outcomes == ["ACCEPTED"] + ["SUSPENSE"] * (THREADS - 1)
    bill.refresh_from_db()
    assert (bill.status, bill.amount_paid) == (BillStatus.PAID, Decimal("150.00"))
    assert Payment.objects.filter(status=PaymentStatus.APPLIED).count() == 1
    held = Payment.objects.filter(status=PaymentStatus.SUSPENSE,
                                  suspense_reason=SuspenseReason.ALREADY_PAID)
    assert held.count() == THREADS - 1
    assert Receipt.objects.count() == 1
    # one receipt, and the payer told of each extra payment held, once per payment and
    # channel with an address (amanah's notifications: one send task per message)
    held_messages = Notification.objects.filter(event="payment.suspense").exclude(
        status=NotificationStatus.SKIPPED_NO_ADDRESS)
    assert {row["key"] for row in held_messages.values("key")} == {
        f"payment.suspense:{pk}" for pk in held.values_list("pk", flat=True)}
    assert sorted(sent_tasks) == (["amanah.notification_send"] * held_messages.count()
                                  + ["payments.receipt_ensure"])


@pytest.mark.django_db(transaction=True)
def test_concurrent_copies_of_one_sptn_record_it_once(sent_tasks):
    # given one unpaid bill
    bill = bill_make(amount="150.00")
    sent_tasks.clear()
    # when SADAD's retries of one payment arrive at once under eight RqUIDs
    record = pmt(sptn="SP-ONCE", billing_account=bill.billing_account)
    answers = _deliver_all([notification([record]) for _ in range(THREADS)])
    # then one copy is ACCEPTED, every other is a DUPLICATE, and the money is counted once
    outcomes = sorted(result for answer in answers for _, result in _results(answer))
    assert outcomes == ["ACCEPTED"] + ["DUPLICATE"] * (THREADS - 1)
    assert Payment.objects.count() == 1
    assert PaymentEvent.objects.count() == 1
    bill.refresh_from_db()
    assert bill.amount_paid == Decimal("150.00")
    assert InboundMessage.objects.count() == THREADS
    assert sent_tasks == ["payments.receipt_ensure"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_copies_of_one_message_get_one_answer():
    # given one message
    bill = bill_make(amount="150.00")
    body = notification([pmt(sptn="SP1", billing_account=bill.billing_account)])
    # when it arrives four times at once (same RqUID, same bytes)
    answers = _deliver_all([body] * 4)
    # then every copy gets the same bytes, and one payment and one stored message exist
    assert [a.status for a in answers] == [200] * 4
    assert {a.body for a in answers} == {answers[0].body}
    assert _results(answers[0]) == [("SP1", "ACCEPTED")]
    assert (Payment.objects.count(), InboundMessage.objects.count()) == (1, 1)


@pytest.mark.django_db
def test_database_failing_on_the_second_record_records_nothing_then_retry_succeeds(
        client, db_snapshot, queued, security_log):
    # given two bills and one message paying both
    first = bill_make(amount="10.00")
    second = bill_make(amount="20.00")
    body = notification([pmt(sptn="SP-A", amount="10.00", billing_account=first.billing_account),
                         pmt(sptn="SP-B", amount="20.00",
                             billing_account=second.billing_account)])
    before = db_snapshot()
    # when the database fails while locking the second bill
    from payments.services import payments as payments_module

    real = payments_module.bill_locked_by_account
    calls = []

    def failing(billing_account):
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("canceling statement due to lock timeout")
        return real(billing_account)

    with mock.patch.object(payments_module, "bill_locked_by_account", failing), \
            queued() as tasks:
        response = post(client, body)
    # then SADAD is asked to retry and nothing of the message was recorded
    assert response.status_code == 503
    assert b"<StatusCode>E_RETRY</StatusCode>" in response.content
    assert db_snapshot() == before
    assert tasks == []
    # and when SADAD retries the same message
    retry = post(client, body)
    # then it is recorded whole
    assert retry.status_code == 200
    assert wire.payment_notification_response_parse(retry.content)[2] == [
        ("SP-A", "ACCEPTED"), ("SP-B", "ACCEPTED")]
    assert Bill.objects.filter(status=BillStatus.PAID).count() == 2


def _dsn() -> str:
    s = connection.settings_dict
    return (f"dbname={s['NAME']} user={s['USER'] or 'postgres'} host={s['HOST'] or '127.0.0.1'}"
            f" port={s['PORT'] or 5432}" + (f" password={s['PASSWORD']}" if s["PASSWORD"] else ""))


@pytest.mark.django_db(transaction=True)
def test_lock_timeout_on_a_bill_held_elsewhere_is_503_then_retry_succeeds(settings):
    # given two bills, the second locked by another connection (a long report, a stuck worker)
    first = bill_make(amount="10.00")
    second = bill_make(amount="20.00")
    holder = psycopg2.connect(_dsn())
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT id FROM payments_bill WHERE id = %s FOR UPDATE", [second.pk])
        body = notification([
            pmt(sptn="SP-A", amount="10.00", billing_account=first.billing_account),
            pmt(sptn="SP-B", amount="20.00", billing_account=second.billing_account)],
            rq_uid=str(uuid.uuid4()))
        # when the message paying both arrives (the lock wait gives up after lock_timeout)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        answer = notification_handle(body=body, signature=signed(body))
        # then it is refused for retry and nothing was recorded, not even the first payment
        assert answer.status == 503
        assert b"E_RETRY" in answer.body
        assert Payment.objects.count() == 0
        assert InboundMessage.objects.count() == 0
        assert Bill.objects.get(pk=first.pk).status == BillStatus.UNPAID
    finally:
        holder.rollback()
        holder.close()
    # and when SADAD retries once the lock is gone, the whole message is recorded
    retry = notification_handle(body=body, signature=signed(body))
    assert _results(retry) == [("SP-A", "ACCEPTED"), ("SP-B", "ACCEPTED")]
    assert Payment.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_payment_arriving_while_its_bill_is_being_issued_meets_the_bill():
    from django.db import transaction

    from payments.services import bill_issue
    from tests.factories import MunicipalityFactory, PersonFactory

    from .factories import UNKNOWN_ACCOUNT, misc_fee_service

    municipality, person, service = MunicipalityFactory(), PersonFactory(), misc_fee_service()
    issuing = threading.Event()
    answer = {}

    def issue():
        try:
            with transaction.atomic():
                bill_issue(payable_kind="misc_fee", payable_ref="RACE-1",
                           municipality=municipality, eservice=service, payer_person=person,
                           amount="80.00", billing_account=UNKNOWN_ACCOUNT)
                issuing.set()
                time.sleep(0.5)  # the bill exists but is not committed yet
        finally:
            connections.close_all()

    def pay():
        try:
            issuing.wait(10)
            body = notification([pmt(sptn="SP-RACE", amount="80.00",
                                     billing_account=UNKNOWN_ACCOUNT)])
            answer["value"] = notification_handle(body=body, signature=signed(body))
        finally:
            connections.close_all()

    # given a bill being issued in one transaction, when its payment arrives in another
    threads = [threading.Thread(target=issue), threading.Thread(target=pay)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then the payment waited for the bill and paid it, rather than missing it
    assert _results(answer["value"]) == [("SP-RACE", "ACCEPTED")]
    bill = Bill.objects.get(billing_account=UNKNOWN_ACCOUNT)
    assert bill.status == BillStatus.PAID
    assert Payment.objects.get(sptn="SP-RACE").bill_id == bill.pk


@pytest.mark.django_db
@pytest.mark.parametrize("failure", ["operational", "interface"])
def test_database_unreachable_is_503_and_records_nothing(client, db_snapshot, failure):
    from django.db import InterfaceError

    from payments.services import inbound as inbound_module

    # given a notification and a database that has gone away
    bill = bill_make(amount="10.00")
    body = notification([pmt(sptn="SP-A", amount="10.00", billing_account=bill.billing_account)])
    error = {"operational": OperationalError, "interface": InterfaceError}[failure]
    before = db_snapshot()

    def gone(*args, **kwargs):
        raise error("server closed the connection unexpectedly")

    # when SADAD notifies
    with mock.patch.object(inbound_module, "insert_unless_conflict", gone):
        response = post(client, body)
    # then it is asked to retry, and nothing is recorded
    assert response.status_code == 503
    assert b"<StatusCode>E_RETRY</StatusCode>" in response.content
    assert db_snapshot() == before
