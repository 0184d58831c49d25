"""A fine's bills: paid through SADAD's path, re-billed after an objection, settled once."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from amanah import clock
from payments.enums import BillStatus
from payments.models import Bill
from payments.services.payments import payment_record
from violations.enums import LineStatus, ViolationEventKind, ViolationStatus
from violations.models import Violation, ViolationEvent
from violations.services.billing import (
    FINE_PAID_TASK,
    lines_rebill,
    violation_settle_check,
)
from violations.services.records import line_status_change, violation_lock

from ..factories import fine_issued_make, violations_world

pytestmark = pytest.mark.django_db


def _pay(bill, *, sptn=None, amount=None):
    return payment_record(sptn=sptn or f"SP{uuid.uuid4().int % 10**16:016d}",
                          amount=amount if amount is not None else bill.amount,
                          billing_account=bill.billing_account, bank_id="RJHISARI",
                          channel="ATM", method="CASH", processed_at=clock.now())


def test_paying_the_fine_bill_marks_its_lines_paid_and_settles_the_notice_once(queued):
    # given an issued fine of two lines (5,500.00) on one bill SADAD accepted
    world = violations_world()
    fine = fine_issued_make(world, no=("FINE", "SERIOUS"))
    bill = Bill.objects.get(payable_ref=fine.number)
    # when SADAD reports the payment, and then the same notification again
    with queued() as tasks:
        first = _pay(bill, sptn="SP0000000000000001")
    events_after_first = ViolationEvent.objects.filter(violation=fine).count()
    with queued() as again:
        second = _pay(bill, sptn="SP0000000000000001")
    # then the lines are paid and the notice settled, once
    fine = Violation.objects.get(pk=fine.pk)
    assert fine.status == ViolationStatus.SETTLED
    assert sorted(fine.lines.values_list("status", flat=True)) == [LineStatus.PAID] * 2
    assert (first.created, second.created) == (True, False)
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    kinds = list(ViolationEvent.objects.filter(violation=fine).order_by("seq")
                 .values_list("kind", flat=True))
    assert kinds[-3:] == [ViolationEventKind.PAID, ViolationEventKind.PAID,
                          ViolationEventKind.SETTLED]
    assert ViolationEvent.objects.filter(violation=fine).count() == events_after_first
    # and the effects of the payment are scheduled after the commit, once
    assert (FINE_PAID_TASK, {"violation_id": fine.pk, "bill_id": bill.pk}) in tasks
    assert not [t for t in again if t[0] == FINE_PAID_TASK]


def test_a_payment_of_the_wrong_amount_leaves_the_lines_payable():
    # given an issued fine of 500.00
    world = violations_world()
    fine = fine_issued_make(world)
    bill = Bill.objects.get(payable_ref=fine.number)
    # when 400.00 arrives for it
    _pay(bill, amount=Decimal("400.00"))
    # then nothing of the notice changes (payments holds the money in suspense)
    fine = Violation.objects.get(pk=fine.pk)
    assert fine.status == ViolationStatus.ISSUED
    assert list(fine.lines.values_list("status", flat=True)) == [LineStatus.PAYABLE]


def test_lines_payable_again_go_back_on_the_open_bill_with_a_new_due_date(clock):
    # given an issued fine of two lines (5,500.00); the 5,000.00 line was objected to and
    # taken off the bill (500.00 left)
    world = violations_world()
    fine = fine_issued_make(world, no=("FINE", "SERIOUS"))
    bill = Bill.objects.get(payable_ref=fine.number)
    serious = fine.lines.get(item_code="SERIOUS")
    with transaction.atomic():
        notice = violation_lock(fine.pk)
        line_status_change(violation=notice, line=serious, to_status=LineStatus.OBJECTED)
    from payments.services.bills import bill_update_amount

    bill_update_amount(bill_id=bill.pk, amount=Decimal("500.00"))
    version = Bill.objects.get(pk=bill.pk).version
    # when, 10 days later, the objection is rejected and the line is re-billed
    clock.advance(days=10)
    with transaction.atomic():
        notice = violation_lock(fine.pk)
        serious = notice.lines.get(pk=serious.pk)
        line_status_change(violation=notice, line=serious, to_status=LineStatus.PAYABLE)
        rebilled = lines_rebill(violation=notice, lines=[serious], actor=world.legal_head)
    # then the same bill asks for the whole again, due 30 days from today, at new versions
    bill = Bill.objects.get(pk=bill.pk)
    assert rebilled.pk == bill.pk
    assert bill.amount == Decimal("5500.00")
    today = clock.now().astimezone(dt.timezone(dt.timedelta(hours=3))).date()
    assert bill.due_date == today + dt.timedelta(days=30)
    assert bill.version == version + 2
    assert Bill.objects.filter(payable_ref=fine.number).count() == 1
    assert serious.bill_id == bill.pk


def test_lines_payable_again_get_a_new_bill_when_the_old_one_is_paid():
    # given an issued fine of two lines; the SERIOUS line objected, the rest paid
    world = violations_world()
    fine = fine_issued_make(world, no=("FINE", "SERIOUS"))
    bill = Bill.objects.get(payable_ref=fine.number)
    serious = fine.lines.get(item_code="SERIOUS")
    with transaction.atomic():
        notice = violation_lock(fine.pk)
        line_status_change(violation=notice, line=serious, to_status=LineStatus.OBJECTED)
    from payments.services.bills import bill_update_amount

    bill = bill_update_amount(bill_id=bill.pk, amount=Decimal("500.00"))
    _pay(bill)
    assert Violation.objects.get(pk=fine.pk).status == ViolationStatus.ISSUED
    # when the objection is rejected
    with transaction.atomic():
        notice = violation_lock(fine.pk)
        serious = notice.lines.get(pk=serious.pk)
        line_status_change(violation=notice, line=serious, to_status=LineStatus.PAYABLE)
        new_bill = lines_rebill(violation=notice, lines=[serious], actor=world.legal_head)
        violation_settle_check(violation=notice, actor=world.legal_head)
    # then a new FINE bill asks for 5,000.00 and the old one is untouched
    assert new_bill.pk != bill.pk
    assert (new_bill.amount, new_bill.category, new_bill.status) == (
        Decimal("5000.00"), "FINE", BillStatus.PENDING_REGISTRATION)
    assert Bill.objects.get(pk=bill.pk).amount == Decimal("500.00")
    assert Violation.objects.get(pk=fine.pk).status == ViolationStatus.ISSUED


def test_a_settled_notice_is_issued_again_when_a_line_is_payable_again():
    # given a notice whose one line was objected and the rest... settled with nothing open
    world = violations_world()
    fine = fine_issued_make(world)
    line = fine.lines.get()
    with transaction.atomic():
        notice = violation_lock(fine.pk)
        line_status_change(violation=notice, line=line, to_status=LineStatus.OBJECTED)
        violation_settle_check(violation=notice, actor=None)
        assert notice.status == ViolationStatus.ISSUED  # an objected line keeps it open
        line_status_change(violation=notice, line=line, to_status=LineStatus.CANCELLED)
        violation_settle_check(violation=notice, actor=None)
        assert notice.status == ViolationStatus.SETTLED


def test_a_payment_whose_lines_were_not_recorded_is_recorded_by_the_sweeper(monkeypatch):
    # given a paid fine bill whose on_paid failed (payments keeps the money, flags it)
    import violations.payables as payables
    from payments.registry import payable_register
    from violations.services.billing import fine_paid_sweep

    world = violations_world()
    fine = fine_issued_make(world)
    bill = Bill.objects.get(payable_ref=fine.number)

    def failing(*, bill, payment):
        raise RuntimeError("could not get the notice's lock")

    payable_register(payables.PAYABLE_KIND, describe=payables.fine_describe, on_paid=failing)
    try:
        _pay(bill)
    finally:
        payables.register()
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID
    assert list(fine.lines.values_list("status", flat=True)) == [LineStatus.PAYABLE]
    # when the sweeper runs, twice
    assert fine_paid_sweep() == 1
    assert fine_paid_sweep() == 0
    # then the line is paid and the notice settled
    assert list(fine.lines.values_list("status", flat=True)) == [LineStatus.PAID]
    assert Violation.objects.get(pk=fine.pk).status == ViolationStatus.SETTLED
