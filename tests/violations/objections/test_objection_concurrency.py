"""An objection and a payment for the same bill at the same moment, on the real PostgreSQL,
each from its own thread and connection: both lock the bill before the notice, so neither
waits on the other in a cycle, and the outcome is one of the two consistent orders."""

import threading
from unittest import mock

import pytest
from django.db import connections

from amanah.errors import DomainError
from payments.enums import BillStatus, PaymentStatus, SuspenseReason
from payments.models import Bill, Payment
from payments.sadad.inbound import notification_handle
from tests.payments.factories import notification, pmt, signed
from violations.enums import LineStatus
from violations.models import Objection
from violations.services.objections import objection_file

from .helpers import lines_by_item, objection_world

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 4


@pytest.fixture(autouse=True)
def sent_tasks():
    """Tasks queued after commit are recorded, not run (eager Celery is not thread-safe)."""
    from amanah.dispatch import TaskSend

    sent = []
    with mock.patch.object(TaskSend, "__call__", lambda self: sent.append(self.task_name)):
        yield sent


def _race(world, fine, sptn):
    bill = Bill.objects.get(payable_ref=fine.number)
    line = lines_by_item(fine)["SERIOUS"]
    body = notification([pmt(sptn=sptn, amount=str(bill.amount),
                             billing_account=bill.billing_account)])
    barrier = threading.Barrier(2)
    outcome = {}

    def pay():
        try:
            barrier.wait()
            outcome["payment"] = notification_handle(body=body, signature=signed(body))
        finally:
            connections.close_all()

    def object_():
        try:
            barrier.wait()
            objection_file(user=world.delegate.user, violation_number=fine.number,
                           lines=[(line.pk, "contested")])
            outcome["objection"] = "filed"
        except DomainError as refusal:
            outcome["objection"] = refusal.code
        except Exception as error:  # a deadlock or anything unexpected fails the test below
            outcome["objection"] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay), threading.Thread(target=object_)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return bill, outcome


def test_an_objection_racing_a_payment_ends_in_one_consistent_order():
    world, _ = objection_world()
    from tests.violations.factories import fine_issued_make

    for round_ in range(ROUNDS):
        fine = fine_issued_make(world, no=("FINE", "SERIOUS"))
        lines = lines_by_item(fine)
        full, rest = fine.total, lines["FINE"].amount
        bill, outcome = _race(world, fine, f"SPRACE{round_}")
        assert outcome["payment"].status == 200
        payment = Payment.objects.get(sptn=f"SPRACE{round_}")
        bill.refresh_from_db()
        statuses = {x.item_code: x.status for x in fine.lines.all()}
        if outcome["objection"] == "filed":
            # the objection first: the bill asks for FINE alone, the full amount is held
            assert (payment.status, payment.suspense_reason) == (PaymentStatus.SUSPENSE,
                                                                 SuspenseReason.OVERPAID)
            assert (bill.status, bill.amount, payment.amount) == (BillStatus.UNPAID, rest, full)
            assert statuses == {"FINE": LineStatus.PAYABLE, "SERIOUS": LineStatus.OBJECTED}
        else:
            # the payment first: everything is paid and the objection is refused
            assert outcome["objection"] == "violations.line_not_objectable"
            assert (payment.status, bill.status) == (PaymentStatus.APPLIED, BillStatus.PAID)
            assert statuses == {"FINE": LineStatus.PAID, "SERIOUS": LineStatus.PAID}
            assert not Objection.objects.filter(violation=fine).exists()


def test_two_filings_for_the_same_line_at_once_make_one_objection():
    world, fine = objection_world()
    line = lines_by_item(fine)["SERIOUS"]
    barrier = threading.Barrier(2)
    codes = []

    def file_():
        try:
            barrier.wait()
            objection_file(user=world.delegate.user, violation_number=fine.number,
                           lines=[(line.pk, "contested")])
            codes.append("filed")
        except DomainError as refusal:
            codes.append(refusal.code)
        except Exception as error:
            codes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file_) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == ["filed", "violations.objection_open"]
    assert Objection.objects.filter(violation=fine).count() == 1
    bill = Bill.objects.get(payable_ref=fine.number)
    assert (bill.version, str(bill.amount)) == (2, "500.00")
