"""Money SADAD reports for a citizen's bill that cannot pay it (less or more than due, a bill
already paid) is held in suspense. The payer sees it on the bill's page — what arrived, that
it is held, what happens next — and gets an SMS when it is held and when finance staff act
(applied to a bill, refunded, closed). Before, the page read "paid 0.00" and said nothing."""

import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amanah.enums import StaffRole
from amanah.notifications import LocmemSmsBackend
from payments.enums import BillStatus, PaymentStatus
from payments.models import Bill, Payment, SuspenseResolution
from payments.services import payment_record
from payments.services.suspense import (
    refund_approve,
    refund_request,
    suspense_allocate,
    suspense_write_off,
)

from .pages_helpers import client_for, world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

IBAN = "SA0380000000608010167519"


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Runs what a service schedules after its commit (the SMS task, eagerly)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _pay(bill, amount: str, clock) -> Payment:
    return payment_record(sptn=f"SP{uuid.uuid4().int % 10**16:016d}", amount=Decimal(amount),
                          billing_account=bill.billing_account, bank_id="RJHISARI",
                          channel="ATM", method="CASH", processed_at=clock.now()).payment


def _page(client, world, bill, language="ar") -> str:
    response = client_for(client, world.citizen.user).get(
        f"/{language}/payments/bills/{bill.billing_account}/")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def underpaid(world, clock, sms, run_on_commit):
    """A 150.00 bill of the citizen and 100.00 that arrived for it."""
    bill = world.bill(amount="150.00")
    with run_on_commit():
        payment = _pay(bill, "100.00", clock)
    return bill, payment


def test_an_underpayment_is_shown_on_the_bill_page_as_held_with_what_happens_next(
        client, world, underpaid):
    bill, payment = underpaid
    # when the payer opens the bill
    html = _text(_page(client, world, bill))
    # then the page says what arrived, that it is held, why, and what happens next
    assert payment.status == PaymentStatus.SUSPENSE
    assert "وصل مبلغ 100.00 ر.س لهذه الفاتورة وهو أقل من المبلغ المستحق، فلم تُسدَّد." in html
    assert "المبلغ محفوظ لدى الأمانة" in html
    assert ("ستراجعه إدارة المالية فتعيده إلى حسابك البنكي أو تخصصه لفاتورة لك بالمبلغ نفسه."
            in html)
    assert "لسداد هذه الفاتورة ادفع المبلغ المستحق كاملاً: 150.00 ر.س." in html
    # and the amount paid is no longer a bare 0.00
    assert "0.00 ر.س (وصل 100.00 ر.س محفوظ — انظر أعلاه)" in html


def test_the_page_in_english(client, world, underpaid):
    html = _text(_page(client, world, underpaid[0], "en"))
    assert "SAR 100.00 arrived for this bill, less than the amount due, so it is not paid." in html
    assert "The money is held safely by the Amanah." in html
    assert ("Finance staff will review it and refund it to your bank account, or apply it to a "
            "bill of yours for that exact amount.") in html


def test_the_payer_gets_an_sms_when_money_is_held(world, underpaid, sms):
    bill, _ = underpaid
    assert [(m.to, m.body) for m in sms] == [(world.citizen.mobile, (
        f"أمانة: وصل 100.00 ر.س لفاتورتك {bill.billing_account} وهو أقل من المستحق "
        "(150.00 ر.س)، فلم تُسدَّد. المبلغ محفوظ وستعيده المالية إليك أو تخصصه لفاتورة لك. "
        "التفاصيل في صفحة الفاتورة."))]


def test_an_overpayment_is_held_and_said_so(client, world, clock, sms, run_on_commit):
    bill = world.bill(amount="150.00")
    with run_on_commit():
        _pay(bill, "200.00", clock)
    html = _text(_page(client, world, bill, "en"))
    assert "SAR 200.00 arrived for this bill, more than the amount due, so it is not paid." in html
    assert "أكثر من المستحق (150.00 ر.س)" in sms[0].body


def test_a_second_payment_of_a_paid_bill_is_held_and_said_so(client, world, clock, sms,
                                                             run_on_commit):
    bill, _ = world.paid_bill(amount="150.00")
    with run_on_commit():
        _pay(bill, "150.00", clock)
    html = _text(_page(client, world, bill, "en"))
    assert "SAR 150.00 arrived for this bill after it was already paid." in html
    assert "وكانت مسددة من قبل" in sms[-1].body


def test_a_refund_awaiting_approval_then_approved_is_shown_and_the_approval_sent(
        client, world, underpaid, sms, run_on_commit):
    bill, payment = underpaid
    cashier = world.staff("finance", StaffRole.CASHIER)
    head = world.staff("finance", StaffRole.HEAD)
    sms.clear()
    # when a cashier asks for a refund
    with run_on_commit():
        resolution = refund_request(payment_id=payment.pk, actor=cashier,
                                    reason="Underpaid, refund", iban=IBAN)
    # then the page says a refund is being approved; no SMS for an internal step
    assert "A refund of this money has been prepared and is awaiting approval." in _text(
        _page(client, world, bill, "en"))
    assert sms == []
    # when the head approves it
    with run_on_commit():
        refund_approve(resolution_id=resolution.pk, actor=head)
    # then the page and an SMS say it is refunded, to which account
    html = _text(_page(client, world, bill, "en"))
    assert "Refund approved: SAR 100.00 goes back to the bank account ending 7519." in html
    assert "held safely" not in html
    assert [(m.to, m.body) for m in sms] == [(world.citizen.mobile, (
        f"أمانة: اعتُمد استرداد 100.00 ر.س المحفوظ لفاتورتك {bill.billing_account} إلى "
        "الحساب المنتهي بـ 7519.\n"
        f"Amanah: the refund of SAR 100.00 held for your bill {bill.billing_account} was "
        "approved, to the account ending 7519."))]


def test_money_applied_to_another_bill_of_the_payer_is_shown_on_both(
        client, world, underpaid, sms, run_on_commit):
    bill, payment = underpaid
    target = world.bill(amount="100.00")
    cashier = world.staff("finance", StaffRole.CASHIER)
    sms.clear()
    # when finance applies the held money to the payer's other bill of that amount
    with run_on_commit():
        suspense_allocate(payment_id=payment.pk, bill_id=target.pk, actor=cashier,
                          reason="Citizen paid the wrong bill")
    # then the first bill's page says where the money went; the other bill is paid
    html = _text(_page(client, world, bill, "en"))
    assert f"Applied to your bill {target.billing_account}" in html
    assert Bill.objects.get(pk=target.pk).status == BillStatus.PAID
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.UNPAID
    # (the other bill, now paid, is announced too — by its receipt's task, after the money's
    # commit: issue 12's bill.paid)
    assert [m.body for m in sms] == [(
        f"أمانة: خُصص مبلغ 100.00 ر.س المحفوظ لفاتورتك {bill.billing_account} لسداد "
        f"الفاتورة {target.billing_account}.\n"
        f"Amanah: the SAR 100.00 held for your bill {bill.billing_account} was applied to "
        f"bill {target.billing_account}."), (
        f"أمانة: استلمنا سداد الفاتورة {target.billing_account} بمبلغ 100.00 ر.س. شكراً لكم."
    )]


def test_money_applied_to_someone_elses_bill_does_not_name_that_bill(
        client, world, underpaid, sms, run_on_commit):
    bill, payment = underpaid
    stranger_bill = world.bill(amount="100.00", person=world.other_citizen)
    cashier = world.staff("finance", StaffRole.CASHIER)
    with run_on_commit():
        suspense_allocate(payment_id=payment.pk, bill_id=stranger_bill.pk, actor=cashier,
                          reason="Paid on behalf of a relative")
    html = _text(_page(client, world, bill, "en"))
    assert "Applied to another bill, as the municipality decided." in html
    assert stranger_bill.billing_account not in html
    # what the payer of the held money is told names only their own bill (the stranger, whose
    # bill is now paid, is told of that separately)
    told_payer = [m.body for m in sms if m.to == world.citizen.mobile]
    assert told_payer and all(stranger_bill.billing_account not in body for body in told_payer)


def test_money_closed_by_the_municipality_is_shown_without_staff_notes(
        client, world, underpaid, sms, run_on_commit):
    bill, payment = underpaid
    head = world.staff("finance", StaffRole.HEAD)
    sms.clear()
    with run_on_commit():
        suspense_write_off(payment_id=payment.pk, actor=head,
                           reason="INTERNAL: payer unreachable after 3 calls")
    html = _text(_page(client, world, bill, "en"))
    assert "Closed by the municipality. For questions, call 940." in html
    assert "INTERNAL" not in html
    assert len(sms) == 1
    assert "INTERNAL" not in sms[0].body
    assert "was closed by the municipality" in sms[0].body


def test_a_bill_with_no_held_money_shows_no_such_section(client, world):
    bill, _ = world.paid_bill(amount="150.00")
    html = _page(client, world, bill, "en")
    assert 'id="held-money"' not in html


def test_the_page_reads_held_money_in_a_fixed_number_of_queries(client, world, clock, sms,
                                                                 run_on_commit):
    def queries_with(held: int) -> int:
        bill = world.bill(amount="150.00")
        for n in range(held):
            with run_on_commit():
                payment = _pay(bill, "100.00", clock)
            if n % 2:
                refund_request(payment_id=payment.pk, actor=cashier, reason="Underpaid",
                               iban=IBAN)
        client_for(client, world.citizen.user)
        url = reverse("payments:bill_detail", args=[bill.billing_account])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    cashier = world.staff("finance", StaffRole.CASHIER)
    assert queries_with(1) == queries_with(6)
    assert SuspenseResolution.objects.count() == 3
