"""An overdue fine is an obligation: listed once (by violations, not again by payments), with
its reason and a link to pay, and it makes the permits prerequisite "no unpaid fines" refuse."""

from decimal import Decimal

import pytest

from amanah.obligations import obligations_for
from payments.models import Bill
from payments.services.payments import payment_record
from permits.prerequisites import no_unpaid_fines
from tests.factories import PersonFactory
from tests.permits.licences.factories import licence_draft_make, licence_world
from violations.enums import LineStatus, ShareSize

from ..factories import fine_issued_make, violations_world

pytestmark = pytest.mark.django_db


def test_an_overdue_fine_is_owed_once_with_the_violations_reason_and_pay_link(clock):
    # given an issued fine of 500.00 whose bill is due in 30 days
    world = violations_world()
    fine = fine_issued_make(world)
    bill = Bill.objects.get(payable_ref=fine.number)
    # when nothing is paid: before the due date nothing is owed
    assert obligations_for(establishment=world.establishment) == []
    # and on the day after the due date
    clock.advance(days=31)
    owed = obligations_for(establishment=world.establishment)
    # then exactly one obligation, the violation's, with the bill to pay it
    assert [(o.code, o.category, o.reference, o.amount, o.pay_url) for o in owed] == [
        ("violations.fine_overdue", "fine", fine.number, Decimal("500.00"),
         f"/ar/payments/bills/{bill.billing_account}/")]
    assert fine.number in owed[0].reason_ar and bill.billing_account in owed[0].reason_en
    # and only for the fine category
    assert obligations_for(establishment=world.establishment, categories={"fee"}) == []


def test_objected_and_paid_lines_are_not_owed(clock):
    world = violations_world()
    fine = fine_issued_make(world, no=("FINE", "SERIOUS"))
    fine.lines.filter(item_code="SERIOUS").update(status=LineStatus.OBJECTED)
    clock.advance(days=31)
    # then only the payable line is owed
    (owed,) = obligations_for(establishment=world.establishment)
    assert owed.amount == Decimal("500.00")
    # and a person who is not the offender owes nothing
    assert obligations_for(person=PersonFactory()) == []


def test_no_unpaid_fines_refuses_a_licence_with_the_reason_and_a_pay_link(clock):
    # given a licence draft of an establishment whose fine is overdue
    world = violations_world()
    licences = licence_world()
    application = licence_draft_make(licences)
    fine = fine_issued_make(world, establishment=licences.establishment, size=ShareSize.SMALL,
                            offender_key=f"E:{licences.establishment.unified_number}")
    clock.advance(days=31)
    # when the prerequisite is checked
    refusals = no_unpaid_fines(application=application)
    # then it refuses, naming the notice, with the link to pay it
    bill = Bill.objects.get(payable_ref=fine.number)
    assert [(r.code, r.reference, r.link) for r in refusals] == [
        ("violations.fine_overdue", fine.number, f"/ar/payments/bills/{bill.billing_account}/")]
    assert fine.number in refusals[0].reason_en
    # and once the fine is paid through SADAD, nothing is owed
    payment_record(sptn="SP0000000000000042", amount=bill.amount,
                   billing_account=bill.billing_account, bank_id="RJHISARI", channel="ATM",
                   method="CASH", processed_at=clock.now())
    assert no_unpaid_fines(application=application) == []
