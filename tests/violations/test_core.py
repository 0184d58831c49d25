"""The core the rest of violations builds on: notices from an inspection, fines on the line,
warnings first, the chain links, and the payable kind."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.events import audit_verify
from payments.models import Bill
from violations.enums import LineStatus, NoticeKind, ViolationStatus

from .factories import fine_issued_make, submitted_inspection_make, violations_world

pytestmark = pytest.mark.django_db


def test_a_no_for_a_warned_item_warns_and_a_no_for_a_fined_item_waits_for_approval():
    # given the world (a small establishment: 50 % share; class 2)
    world = violations_world()
    # when an inspection answers "no" for WARN and FINE
    inspection, notices = submitted_inspection_make(world, no=("WARN", "FINE"))
    # then one warning (7 days to correct) and one fine awaiting approval are recorded
    warning, fine = notices
    assert (warning.kind, warning.status) == (NoticeKind.WARNING, ViolationStatus.WARNED)
    assert [(x.item_code, x.status, x.amount) for x in warning.lines.all()] == [
        ("WARN", LineStatus.WARNED, Decimal("0.00"))]
    assert warning.correction_due == warning.recorded_at.date() + dt.timedelta(days=7)
    assert (fine.kind, fine.status, fine.total) == (NoticeKind.FINE,
                                                    ViolationStatus.PENDING_APPROVAL,
                                                    Decimal("500.00"))
    line = fine.lines.get()
    # 1,000 max × 50 % = 500, which is the minimum: 500
    assert line.computation == {"item": "FINE", "class": 2, "min": "500.00", "max": "1000.00",
                                "size": "small", "share": "50.00", "base": "500.00",
                                "occurrence": 1, "multiplier": "1", "cap": "1500.00",
                                "capped": False, "amount": "500.00"}
    assert warning.number.startswith("W-M911-") and fine.number.startswith("V-M911-")
    # and the notices' chains verify
    assert all(r.ok for r in audit_verify(chain="violation"))


def test_a_repeated_fine_is_multiplied_and_a_second_warning_is_not_given():
    world = violations_world()
    submitted_inspection_make(world, no=("WARN", "SERIOUS"))
    # when the same establishment is found with both again
    _, notices = submitted_inspection_make(world, no=("WARN", "SERIOUS"))
    # then WARN is fined at once (already warned) and SERIOUS counts as the 2nd occurrence
    assert [n.kind for n in notices] == [NoticeKind.FINE]
    lines = {x.item_code: x for x in notices[0].lines.all()}
    assert (lines["WARN"].occurrence, lines["WARN"].amount) == (1, Decimal("1000.00"))
    # SERIOUS: 10,000 × 50 % = 5,000 (the minimum) × 2 = 10,000; cap 20,000
    assert (lines["SERIOUS"].occurrence, lines["SERIOUS"].amount) == (2, Decimal("10000.00"))


def test_an_issued_fine_has_one_fine_bill_for_its_total():
    world = violations_world()
    fine = fine_issued_make(world, no=("FINE", "SERIOUS"))
    bill = Bill.objects.get(payable_kind="violation_fine", payable_ref=fine.number)
    assert (bill.category, bill.amount, bill.status) == ("FINE", Decimal("5500.00"), "unpaid")
    assert set(fine.lines.values_list("status", flat=True)) == {LineStatus.PAYABLE}
