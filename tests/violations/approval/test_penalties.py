"""Penalty suspends the licence and its sub-permits; paying or serving lifts it as configured
(issue 11, "Done when"), through the penalty registry's target "permit"."""

import datetime as dt
import uuid

import pytest

from amanah import clock as amanah_clock
from amanah.dates import business_date
from payments.models import Bill
from payments.services.payments import payment_record
from permits.enums import PermitStatus
from permits.models import Permit
from permits.services.lifecycle import permit_suspend
from tests.permits.licences.factories import licence_issue_make, licence_world
from tests.permits.licences.life_helpers import sub_permit_make
from violations.enums import LineStatus, PenaltyLift, PenaltyStatus
from violations.models import Penalty, ViolationItem
from violations.services.penalties import penalties_on_line_cancelled, penalty_lift_due
from violations.services.records import line_status_change, violation_lock
from violations.tasks_approval import fine_paid_effects

from ..factories import fine_approved_make, violations_world

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def licensed():
    """A violations world and a real licence (another municipality's world) with a
    sub-permit (its signage permit), both valid."""
    world = violations_world()
    licences = licence_world()
    licence = licence_issue_make(licences)
    sign = sub_permit_make(licences, licence)
    return world, licence, sign


def _statuses(*permits):
    return [Permit.objects.get(pk=p.pk).status for p in permits]


def _pay(fine):
    bill = Bill.objects.get(payable_ref=fine.number)
    payment_record(sptn=f"SP{uuid.uuid4().int % 10**16:016d}", amount=bill.amount,
                   billing_account=bill.billing_account, bank_id="RJHISARI", channel="ATM",
                   method="CASH", processed_at=amanah_clock.now())
    fine_paid_effects(violation_id=fine.pk, bill_id=bill.pk)  # the task after the commit


def _today():
    return business_date(amanah_clock.now())


def test_a_suspension_that_lifts_when_paid(licensed):
    world, licence, sign = licensed
    # when a fine for FINE (suspension until paid) on the licence is approved
    fine = fine_approved_make(world, no=("FINE",), permit_number=licence.number)
    # then the licence and its sub-permit are suspended, the reason naming the notice
    assert _statuses(licence, sign) == [PermitStatus.SUSPENDED] * 2
    event = Permit.objects.get(pk=licence.pk).events.order_by("-seq").first()
    assert fine.number in event.reason and event.actor == world.approver
    # and serving days does nothing; paying lifts both
    assert penalty_lift_due(today=_today() + dt.timedelta(days=400)) == 0
    assert _statuses(licence, sign) == [PermitStatus.SUSPENDED] * 2
    _pay(fine)
    assert _statuses(licence, sign) == [PermitStatus.VALID] * 2
    assert Penalty.objects.get(line__violation=fine).status == PenaltyStatus.LIFTED
    # and the task again changes nothing
    fine_paid_effects(violation_id=fine.pk, bill_id=Bill.objects.get(payable_ref=fine.number).pk)
    assert _statuses(licence, sign) == [PermitStatus.VALID] * 2


def test_a_closure_that_lifts_when_served(licensed):
    world, licence, sign = licensed
    # given a fine for SERIOUS (closure for 3 days, lifted when served)
    fine = fine_approved_make(world, no=("SERIOUS",), permit_number=licence.number)
    assert _statuses(licence, sign) == [PermitStatus.SUSPENDED] * 2
    # when the daily task runs on day 2 and on day 3
    assert penalty_lift_due(today=_today() + dt.timedelta(days=2)) == 0
    assert _statuses(licence, sign) == [PermitStatus.SUSPENDED] * 2
    assert penalty_lift_due(today=_today() + dt.timedelta(days=3)) == 1
    # then only on day 3 (the first day it no longer runs) are both valid again, unpaid
    assert _statuses(licence, sign) == [PermitStatus.VALID] * 2
    assert fine.lines.get().status == LineStatus.PAYABLE


def test_a_suspension_that_lifts_when_served_and_paid(licensed):
    world, licence, sign = licensed
    ViolationItem.objects.filter(code="FINE").update(
        penalty_lifts_on=PenaltyLift.SERVED_AND_PAID, penalty_days=5)
    fine = fine_approved_make(world, no=("FINE",), permit_number=licence.number)
    # when it is paid at once: not yet served, so still suspended
    _pay(fine)
    assert _statuses(licence, sign) == [PermitStatus.SUSPENDED] * 2
    # and when the 5 days are served, it lifts
    assert penalty_lift_due(today=_today() + dt.timedelta(days=4)) == 0
    assert penalty_lift_due(today=_today() + dt.timedelta(days=5)) == 1
    assert _statuses(licence, sign) == [PermitStatus.VALID] * 2


def test_two_penalties_on_one_licence_lifting_one_keeps_it_suspended(licensed):
    world, licence, sign = licensed
    # given one notice with FINE (lifts when paid) and SERIOUS (closure, 3 days served)
    fine = fine_approved_make(world, no=("FINE", "SERIOUS"), permit_number=licence.number)
    assert Penalty.objects.filter(line__violation=fine,
                                  status=PenaltyStatus.ACTIVE).count() == 2
    # when it is paid: the suspension penalty is lifted, but the closure still runs
    _pay(fine)
    assert (Penalty.objects.get(line__violation=fine, kind="licence_suspension").status
            == PenaltyStatus.LIFTED)
    assert _statuses(licence, sign) == [PermitStatus.SUSPENDED] * 2
    # and when the closure is served, the licence and its sub-permit are valid again
    assert penalty_lift_due(today=_today() + dt.timedelta(days=3)) == 1
    assert _statuses(licence, sign) == [PermitStatus.VALID] * 2


def test_a_penalty_whose_line_is_cancelled_is_cancelled_and_lifted(licensed):
    world, licence, sign = licensed
    fine = fine_approved_make(world, no=("FINE",), permit_number=licence.number)
    # when the line is cancelled on objection
    from django.db import transaction

    with transaction.atomic():
        notice = violation_lock(fine.pk)
        line = notice.lines.get()
        line_status_change(violation=notice, line=line, to_status=LineStatus.OBJECTED)
        line_status_change(violation=notice, line=line, to_status=LineStatus.CANCELLED)
        penalties_on_line_cancelled(violation=notice, line=line, actor=world.legal_head)
    # then its penalty is cancelled and the licence valid again
    assert Penalty.objects.get(line__violation=fine).status == PenaltyStatus.CANCELLED
    assert _statuses(licence, sign) == [PermitStatus.VALID] * 2


def test_lifting_leaves_a_suspension_staff_made_alone(licensed):
    world, licence, sign = licensed
    # given a licence suspended by staff before the fine
    licences_head = _licence_head(licence)
    permit_suspend(permit_id=licence.pk, actor=licences_head, reason="مخالفة اشتراطات السلامة")
    fine = fine_approved_make(world, no=("FINE",), permit_number=licence.number)
    penalty = Penalty.objects.get(line__violation=fine)
    assert penalty.status == PenaltyStatus.ACTIVE
    # when the fine is paid
    _pay(fine)
    # then the penalty is lifted but the staff suspension stays
    assert Penalty.objects.get(pk=penalty.pk).status == PenaltyStatus.LIFTED
    assert _statuses(licence, sign) == [PermitStatus.SUSPENDED] * 2


def _licence_head(licence):
    from amanah.enums import StaffRole
    from amanah.models import Department
    from tests.permits.factories import staff_make

    department = Department.objects.get(municipality=licence.municipality, code="licensing")
    return staff_make(department, StaffRole.HEAD)


def test_a_removal_reaches_nothing_and_with_no_days_is_served_at_once():
    # given FINE carrying a removal with no days, lifted when served
    world = violations_world()
    ViolationItem.objects.filter(code="FINE").update(
        penalty_kind="removal", penalty_days=None, penalty_lifts_on=PenaltyLift.SERVED)
    fine = fine_approved_make(world, no=("FINE",), permit_number="CL-NOWHERE-1")
    penalty = Penalty.objects.get(line__violation=fine)
    # then it is recorded, in force, reaching no target
    assert (penalty.status, penalty.target_kind, penalty.target_ref) == (
        PenaltyStatus.ACTIVE, "", "")
    # and the daily task lifts it the same day
    assert penalty_lift_due(today=_today()) == 1
    assert Penalty.objects.get(pk=penalty.pk).status == PenaltyStatus.LIFTED
