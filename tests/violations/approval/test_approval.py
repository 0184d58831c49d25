"""The approval gate: no bill before approval; the head of the notice's municipality approves
(bill, penalties, notice) or does not confirm (never a bill); anyone else changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.enums import StaffRole
from amanah.errors import DomainError
from amanah.models import Department
from payments.models import Bill
from tests.permits.factories import staff_make
from violations.enums import LineStatus, PenaltyStatus, ViolationStatus
from violations.models import Penalty, Violation
from violations.services.approval import (
    approval_case_open,
    approval_case_sweep,
    approval_decided,
    approval_decided_sweep,
    violation_approve,
)
from workflow.models import Case
from workflow.services.cases import case_transition

from ..factories import (
    approval_case_make,
    fine_approved_make,
    procedures_make,
    submitted_inspection_make,
    violations_world,
)

pytestmark = pytest.mark.django_db


def _pending_fine(world, no=("FINE",)):
    procedures_make(world)
    _, notices = submitted_inspection_make(world, no=no)
    return next(n for n in notices if n.kind == "fine")


def test_a_fine_awaiting_approval_has_a_case_in_the_inspection_department_and_no_bill():
    # given a fine notice just recorded
    world = violations_world()
    fine = _pending_fine(world)
    # when its approval case is opened (the task), twice
    case = approval_case_open(violation_id=fine.pk)
    again = approval_case_open(violation_id=fine.pk)
    # then one case, in the municipality's inspection department; still no bill
    assert again.pk == case.pk
    assert Case.objects.filter(definition__code="violation_approval").count() == 1
    assert case.department == world.inspection_department
    assert Violation.objects.get(pk=fine.pk).approval_case_id == case.pk
    assert not Bill.objects.filter(payable_ref=fine.number).exists()


def test_the_sweeper_opens_the_case_whose_task_was_lost(clock):
    world = violations_world()
    fine = _pending_fine(world)
    # when the sweeper runs ten minutes later
    clock.advance(minutes=10)
    assert approval_case_sweep() == 1
    # then the case is there, and a second sweep finds nothing
    assert Violation.objects.get(pk=fine.pk).approval_case_id is not None
    assert approval_case_sweep() == 0


def test_the_head_approves_one_bill_is_issued_and_penalties_applied(queued, clock):
    # given a fine (FINE 500 + SERIOUS 5,000) in the approval step
    world = violations_world()
    fine = _pending_fine(world, no=("FINE", "SERIOUS"))
    case = approval_case_make(world, fine)
    # when the head approves on the case and the decision task runs
    with queued() as tasks:
        case_transition(case_id=case.pk, action="approve", actor=world.approver,
                        comment="ثابتة")
    assert [t for t in tasks if t[0] == "violations.approval_decided"] == [
        ("violations.approval_decided", {"case_id": case.pk, "event_id": tasks[0][1][
            "event_id"]})]
    with queued() as after:
        approval_decided(case_id=case.pk, event_id=tasks[0][1]["event_id"])
    # then the notice is issued by the head, its lines payable with their objection dates
    fine = Violation.objects.get(pk=fine.pk)
    today = fine.approved_at.astimezone(dt.timezone(dt.timedelta(hours=3))).date()
    assert (fine.status, fine.approved_by) == (ViolationStatus.ISSUED, world.approver)
    assert sorted(fine.lines.values_list("item_code", "status", "objection_due")) == [
        ("FINE", LineStatus.PAYABLE, today + dt.timedelta(days=15)),
        ("SERIOUS", LineStatus.PAYABLE, today + dt.timedelta(days=10))]
    # and one FINE bill for the total, due in 30 days, payer the establishment
    bill = Bill.objects.get(payable_ref=fine.number)
    assert (bill.category, bill.amount, bill.due_date, bill.payer_establishment) == (
        "FINE", Decimal("5500.00"), today + dt.timedelta(days=30), world.establishment)
    assert set(fine.lines.values_list("bill_id", flat=True)) == {bill.pk}
    # and both penalties are in force (nothing to reach: no licence number on the notice)
    assert sorted(Penalty.objects.filter(line__violation=fine)
                  .values_list("kind", "status", "ends_on")) == [
        ("closure", PenaltyStatus.ACTIVE, today + dt.timedelta(days=3)),
        ("licence_suspension", PenaltyStatus.ACTIVE, today)]
    assert fine.verify_token
    assert ("violations.notice_send", {"violation_id": fine.pk}) in after
    # and the task run again changes nothing
    approval_decided(case_id=case.pk)
    assert Bill.objects.filter(payable_ref=fine.number).count() == 1


def test_not_confirmed_the_fine_never_gets_a_bill():
    world = violations_world()
    fine = _pending_fine(world)
    case = approval_case_make(world, fine)
    # when the head does not confirm it, with a reason
    case_transition(case_id=case.pk, action="not_confirm", actor=world.approver,
                    comment="الصورة لا تثبت المخالفة")
    approval_decided(case_id=case.pk)
    # then the notice and its lines end, with the reason, and no bill exists
    fine = Violation.objects.get(pk=fine.pk)
    assert fine.status == ViolationStatus.NOT_CONFIRMED
    assert list(fine.lines.values_list("status", flat=True)) == [LineStatus.NOT_CONFIRMED]
    assert fine.events.order_by("-seq").first().reason == "الصورة لا تثبت المخالفة"
    assert not Bill.objects.filter(payable_ref=fine.number).exists()
    assert not Penalty.objects.filter(line__violation=fine).exists()
    # and approving it afterwards is impossible
    violation_approve(violation_id=fine.pk, actor=world.approver)
    assert Violation.objects.get(pk=fine.pk).status == ViolationStatus.NOT_CONFIRMED
    assert not Bill.objects.filter(payable_ref=fine.number).exists()


@pytest.mark.parametrize("who", ["inspector", "other_head", "legal_head"])
def test_only_the_head_of_the_notices_municipality_may_decide(who, queued):
    world = violations_world()
    fine = _pending_fine(world)
    case = approval_case_make(world, fine)
    other_department = Department.objects.get(municipality=world.other_municipality,
                                              code="inspection")
    actor = {"inspector": world.inspector, "legal_head": world.legal_head,
             "other_head": staff_make(other_department, StaffRole.HEAD)}[who]
    events = fine.events.count()
    # when someone else tries to approve, on the case or directly
    with queued() as tasks:
        with pytest.raises(DomainError):
            case_transition(case_id=case.pk, action="approve", actor=actor, comment="ok")
        with pytest.raises(DomainError) as refused:
            violation_approve(violation_id=fine.pk, actor=actor)
    assert tasks == []
    # then nothing changed: the case step, the notice, its lines; no bill
    assert refused.value.code == "violations.not_approver"
    assert Case.objects.get(pk=case.pk).state.code == "approval"
    fine = Violation.objects.get(pk=fine.pk)
    assert fine.status == ViolationStatus.PENDING_APPROVAL
    assert fine.events.count() == events
    assert list(fine.lines.values_list("status", flat=True)) == [LineStatus.PROPOSED]
    assert not Bill.objects.filter(payable_ref=fine.number).exists()


def test_the_decision_sweeper_applies_a_decision_whose_task_was_lost(clock):
    world = violations_world()
    fine = _pending_fine(world)
    case = approval_case_make(world, fine)
    case_transition(case_id=case.pk, action="approve", actor=world.approver, comment="ok")
    # when the task was lost and the sweeper runs later
    clock.advance(minutes=10)
    assert approval_decided_sweep() == 1
    # then the notice is issued and billed
    assert Violation.objects.get(pk=fine.pk).status == ViolationStatus.ISSUED
    assert Bill.objects.filter(payable_ref=fine.number).count() == 1
    assert approval_decided_sweep() == 0


def test_a_place_with_no_offender_identity_is_approved_without_a_bill():
    world = violations_world()
    fine = fine_approved_make(world, offender="place")
    assert fine.status == ViolationStatus.ISSUED
    assert list(fine.lines.values_list("status", "bill")) == [(LineStatus.PAYABLE, None)]
    assert not Bill.objects.filter(payable_ref=fine.number).exists()
    assert fine.events.filter(reason="no payer on record").count() == 1


def test_a_place_notice_gets_no_case_and_the_sweeper_leaves_it(clock):
    world = violations_world()
    procedures_make(world)
    _, notices = submitted_inspection_make(world, offender="place")
    clock.advance(minutes=10)
    assert approval_case_open(violation_id=notices[0].pk) is None
    assert approval_case_sweep() == 0
