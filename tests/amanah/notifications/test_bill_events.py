"""Payers hear about their bills through the notification subsystem, in their language: a
bill issued, paid, about to expire, expired; money held for it in suspense."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from amanah.models import Notification
from amanah.notifications import LocmemSmsBackend
from payments.models import Receipt
from payments.notify import bill_expiring_notify_due
from payments.services import payment_record
from payments.services.bills import bill_expire_due
from payments.services.issuing import bill_issue
from payments.tasks import receipt_ensure, receipt_sweep
from tests.factories import CitizenFactory, EstablishmentFactory, MunicipalityFactory, PersonFactory
from tests.payments.factories import bill_make, misc_fee_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def payer():
    return CitizenFactory(language="en")


def _pay(bill, amount, clock):
    return payment_record(sptn=f"SP{uuid.uuid4().int % 10**16:016d}", amount=Decimal(amount),
                          billing_account=bill.billing_account, bank_id="RJHISARI",
                          channel="ATM", method="CASH", processed_at=clock.now())


def _events(person):
    return [n.event for n in Notification.objects.filter(person=person, channel="sms")
            .order_by("pk")]


def test_an_issued_bill_tells_the_payer_the_amount_number_and_due_date(
        payer, sms, django_capture_on_commit_callbacks):
    from amanah.dates import dual_date_format

    with django_capture_on_commit_callbacks(execute=True):
        bill = bill_make(person=payer, amount="1000.00", registered=False)
    assert [(m.to, m.body) for m in sms] == [(payer.mobile, (
        f"Amanah: a bill for {bill.description_en} of SAR 1,000.00 was issued, SADAD number "
        f"{bill.billing_account}, due on {dual_date_format(bill.due_date, 'en')}. Pay it at "
        "any bank through SADAD."))]
    assert _events(payer) == ["bill.issued"]


def test_an_establishments_bill_tells_each_of_its_representatives(
        sms, django_capture_on_commit_callbacks):
    first, second = PersonFactory(), PersonFactory(language="en")
    establishment = EstablishmentFactory()
    establishment.representatives.set([first, second])
    with django_capture_on_commit_callbacks(execute=True):
        bill = bill_issue(payable_kind="misc_fee", payable_ref="REF-EST",
                          municipality=MunicipalityFactory(municipality_class=2),
                          eservice=misc_fee_service(), payer_establishment=establishment,
                          amount="150.00")
    assert sorted((m.to, m.body.split(" ")[0]) for m in sms) == sorted([
        (first.mobile, "أمانة:"), (second.mobile, "Amanah:")])
    assert all(bill.billing_account in m.body for m in sms)


def test_a_paid_bill_tells_the_payer(payer, sms, clock, django_capture_on_commit_callbacks):
    bill = bill_make(person=payer, amount="150.00")
    with django_capture_on_commit_callbacks(execute=True):
        _pay(bill, "150.00", clock)
    assert [(m.to, m.body) for m in sms] == [(payer.mobile, (
        f"Amanah: we received the payment of bill {bill.billing_account}, SAR 150.00. "
        "Thank you."))]


def test_the_payment_itself_writes_no_notification_the_receipt_task_does(
        payer, sms, clock, django_capture_on_commit_callbacks):
    # given an unpaid bill
    bill = bill_make(person=payer, amount="150.00")
    # when the payment is recorded but its after-commit tasks have not run yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _pay(bill, "150.00", clock)
    # then the money's transaction recorded no message (the hot path stays short) ...
    assert "bill.paid" not in _events(payer) and sms == []
    # ... and the receipt's task, once it runs, tells the payer once, however often it runs
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    receipt = Receipt.objects.get(bill=bill)
    with django_capture_on_commit_callbacks(execute=True):
        receipt_ensure(receipt_id=receipt.pk)
    assert _events(payer).count("bill.paid") == 1
    assert [m.body for m in sms].count(
        f"Amanah: we received the payment of bill {bill.billing_account}, SAR 150.00. "
        "Thank you.") == 1


def test_a_lost_receipt_task_is_swept_and_the_payer_told_once(
        payer, sms, clock, django_capture_on_commit_callbacks):
    # given a paid bill whose receipt task was lost with the broker
    bill = bill_make(person=payer, amount="150.00")
    with django_capture_on_commit_callbacks(execute=False):
        _pay(bill, "150.00", clock)
    assert "bill.paid" not in _events(payer)
    # when the receipt sweeper runs after its grace period, twice
    clock.advance(minutes=6)
    with django_capture_on_commit_callbacks(execute=True):
        assert receipt_sweep() == 1
        receipt_sweep()
    # then the payer was told exactly once and the receipt has its PDF
    assert _events(payer).count("bill.paid") == 1
    assert len(sms) == 1
    assert Receipt.objects.get(bill=bill).pdf


def test_a_bill_about_to_expire_is_announced_once_per_expiry_date(
        payer, sms, django_capture_on_commit_callbacks):
    from amanah.dates import dual_date_format

    bill = bill_make(person=payer, amount="150.00")
    three_days_before = bill.expiry_date - dt.timedelta(days=3)
    # a day too early: nothing
    assert bill_expiring_notify_due(today=three_days_before - dt.timedelta(days=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert bill_expiring_notify_due(today=three_days_before) == 1
        # the daily task running again (or the next day) tells nobody twice
        assert bill_expiring_notify_due(today=three_days_before + dt.timedelta(days=1)) == 0
    assert [m.body for m in sms] == [
        f"Amanah: bill {bill.billing_account} of SAR 150.00 expires on "
        f"{dual_date_format(bill.expiry_date, 'en')} (in 3 days). Pay it before then through "
        "SADAD."]
    assert _events(payer)[-1] == "bill.expiring"


def test_an_expired_bill_tells_the_payer(payer, sms, django_capture_on_commit_callbacks):
    bill = bill_make(person=payer, amount="150.00")
    with django_capture_on_commit_callbacks(execute=True):
        assert bill_expire_due(today=bill.expiry_date + dt.timedelta(days=1)) == 1
    assert [m.body.split(" expired")[0] for m in sms] == [
        f"Amanah: bill {bill.billing_account} of SAR 150.00"]
    assert _events(payer)[-1] == "bill.expired"


def test_money_held_in_suspense_tells_the_payer_why(sms, clock,
                                                    django_capture_on_commit_callbacks):
    payer = CitizenFactory(language="ar")
    bill = bill_make(person=payer, amount="150.00")
    with django_capture_on_commit_callbacks(execute=True):
        _pay(bill, "100.00", clock)
    assert [(m.to, m.body) for m in sms] == [(payer.mobile, (
        f"أمانة: وصل 100.00 ر.س لفاتورتك {bill.billing_account} وهو أقل من المستحق "
        "(150.00 ر.س)، فلم تُسدَّد. المبلغ محفوظ وستعيده المالية إليك أو تخصصه لفاتورة لك. "
        "التفاصيل في صفحة الفاتورة."))]
    assert _events(payer)[-1] == "payment.suspense"
