"""Deciding an objection: legal staff decide each line while the case is in review, the case's
decide step waits for every line, and settling makes each path visible at SADAD — cancelled,
reduced, payable again with a new due date (BillUpdated), or a new bill (BillNew)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from amanah import clock
from amanah.dates import business_date
from amanah.errors import DomainError
from amanah.notifications import LocmemSmsBackend
from payments.enums import BillStatus, OutboxKind
from payments.models import Bill, SadadOutbox
from payments.services import outbox_flush
from violations.enums import (
    LineStatus,
    ObjectionDecision,
    ObjectionStatus,
    ViolationStatus,
)
from violations.models import Objection, ObjectionLine
from violations.services.objections import (
    objection_file,
    objection_line_decide,
    objection_settle,
    objections_settle_due,
)
from violations.tasks_objections import objection_outcome_sms, objection_settle_task
from workflow.models import Case
from workflow.services.cases import case_route, case_transition

from .helpers import lines_by_item, objection_world

pytestmark = pytest.mark.django_db

ACCEPTED, REDUCED, REJECTED = (ObjectionDecision.ACCEPTED, ObjectionDecision.REDUCED,
                               ObjectionDecision.REJECTED)


def filed(*, no=("FINE", "SERIOUS"), items=("SERIOUS",)):
    """A fine, an objection to `items`, its case routed to the legal department's review."""
    world, fine = objection_world(no=no)
    lines = lines_by_item(fine)
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(lines[code].pk, f"reason for {code}") for code in items])
    outbox_flush()
    case_route(case_id=objection.case_id)
    return world, fine, objection


def row_of(objection, code) -> ObjectionLine:
    return objection.lines.get(line__item_code=code)


def decide_step(world, objection, queued):
    with queued() as tasks:
        case_transition(case_id=objection.case_id, action="decide", actor=world.legal_head,
                        comment="decided")
    assert tasks.count(("violations.objection_settle", {"case_id": objection.case_id})) == 1
    return objection_settle_task(objection.case_id)


def bill_of(fine) -> Bill:
    return Bill.objects.filter(payable_kind="violation_fine",
                               payable_ref=fine.number).order_by("-pk").first()


def uploads(bill) -> list[tuple[str, int]]:
    return [(u.kind, u.version) for u in SadadOutbox.objects.filter(bill=bill).order_by("id")]


def test_rejected_line_is_payable_again_on_the_open_bill_with_a_new_due_date(queued, clock):
    # given SERIOUS objected (bill 5,500 → 500 at version 2), the case in review
    clock.set(clock.now())
    world, fine, objection = filed()
    bill = bill_of(fine)
    assert (bill.amount, bill.version) == (Decimal("500.00"), 2)
    # when, five days later, legal rejects it and takes the decide step
    clock.advance(days=5)
    objection_line_decide(objection_line_id=row_of(objection, "SERIOUS").pk,
                          actor=world.legal_reviewer, decision=REJECTED, note="photos clear")
    assert decide_step(world, objection, queued) == ObjectionStatus.DECIDED
    # then the line is payable again on the same bill: 5,500 (BillUpdated v3) due in 30 days
    # from today (BillUpdated v4)
    line = lines_by_item(fine)["SERIOUS"]
    assert (line.status, line.bill_id, line.amount) == (LineStatus.PAYABLE, bill.pk,
                                                        Decimal("5000.00"))
    bill.refresh_from_db()
    today = business_date(clock.now())
    assert (bill.amount, bill.version, bill.due_date, bill.status) == (
        Decimal("5500.00"), 4, today + dt.timedelta(days=30), BillStatus.UNPAID)
    assert uploads(bill) == [(OutboxKind.BILL_NEW, 1), (OutboxKind.BILL_UPDATED, 2),
                             (OutboxKind.BILL_UPDATED, 3), (OutboxKind.BILL_UPDATED, 4)]
    # and the objection is decided by the head who took the step, the notice still issued
    objection.refresh_from_db()
    assert (objection.status, objection.decided_by_id) == (ObjectionStatus.DECIDED,
                                                          world.legal_head.pk)
    assert fine.__class__.objects.get(pk=fine.pk).status == ViolationStatus.ISSUED


def test_accepted_line_is_cancelled_and_the_bill_keeps_the_rest(queued):
    world, fine, objection = filed()
    bill = bill_of(fine)
    objection_line_decide(objection_line_id=row_of(objection, "SERIOUS").pk,
                          actor=world.legal_reviewer, decision=ACCEPTED)
    decide_step(world, objection, queued)
    lines = lines_by_item(fine)
    assert (lines["SERIOUS"].status, lines["SERIOUS"].bill_id) == (LineStatus.CANCELLED, None)
    assert lines["FINE"].status == LineStatus.PAYABLE
    bill.refresh_from_db()
    # nothing more is sent to SADAD: the bill asked for 500 since the objection
    assert (bill.amount, bill.version) == (Decimal("500.00"), 2)
    assert uploads(bill) == [(OutboxKind.BILL_NEW, 1), (OutboxKind.BILL_UPDATED, 2)]


def test_reduced_line_is_payable_for_the_reduced_amount(queued):
    world, fine, objection = filed()
    bill = bill_of(fine)
    objection_line_decide(objection_line_id=row_of(objection, "SERIOUS").pk,
                          actor=world.legal_head, decision=REDUCED, reduced_amount="2000.00")
    decide_step(world, objection, queued)
    line = lines_by_item(fine)["SERIOUS"]
    assert (line.status, line.amount, line.bill_id) == (LineStatus.PAYABLE, Decimal("2000.00"),
                                                        bill.pk)
    bill.refresh_from_db()
    # decided the day it was billed: the due date (today + 30) is unchanged, only the amount
    assert (bill.amount, bill.version) == (Decimal("2500.00"), 3)
    assert uploads(bill)[-1] == (OutboxKind.BILL_UPDATED, 3)


def test_a_withdrawn_bill_is_replaced_by_a_new_bill_for_lines_payable_again(queued):
    # given the only line objected: its bill withdrawn and cancelled at SADAD
    world, fine, objection = filed(no=("FINE",), items=("FINE",))
    old = bill_of(fine)
    assert old.status == BillStatus.CANCELLED
    objection_line_decide(objection_line_id=row_of(objection, "FINE").pk,
                          actor=world.legal_reviewer, decision=REJECTED)
    decide_step(world, objection, queued)
    # then a new FINE bill (BillNew) asks for it, due in 30 days
    new = bill_of(fine)
    assert new.pk != old.pk
    line = fine.lines.get()
    assert (line.status, line.bill_id) == (LineStatus.PAYABLE, new.pk)
    assert (new.amount, new.category, uploads(new)) == (Decimal("500.00"), "FINE",
                                                        [(OutboxKind.BILL_NEW, 1)])
    assert new.due_date == business_date(clock.now()) + dt.timedelta(days=30)


def test_every_line_accepted_settles_the_notice(queued):
    world, fine, objection = filed(no=("FINE",), items=("FINE",))
    objection_line_decide(objection_line_id=row_of(objection, "FINE").pk,
                          actor=world.legal_reviewer, decision=ACCEPTED)
    decide_step(world, objection, queued)
    assert fine.__class__.objects.get(pk=fine.pk).status == ViolationStatus.SETTLED
    assert fine.lines.get().status == LineStatus.CANCELLED


def test_the_decide_step_waits_until_every_line_is_decided(queued):
    world, fine, objection = filed(items=("FINE", "SERIOUS"))
    objection_line_decide(objection_line_id=row_of(objection, "FINE").pk,
                          actor=world.legal_reviewer, decision=REJECTED)
    case = Case.objects.get(pk=objection.case_id)
    with queued() as tasks, pytest.raises(DomainError) as refused:
        case_transition(case_id=case.pk, action="decide", actor=world.legal_head,
                        comment="decided")
    assert refused.value.code == "violations.objection_undecided"
    assert "SERIOUS" in refused.value.message_en
    assert tasks == []
    assert Case.objects.get(pk=case.pk).state_id == case.state_id
    assert set(fine.lines.values_list("status", flat=True)) == {LineStatus.OBJECTED}


@pytest.mark.parametrize(("who", "code"), [
    ("inspector", "violations.not_legal"), ("approver", "violations.not_legal"),
    ("other_inspector", "violations.not_legal")])
def test_only_legal_staff_of_the_municipality_decide(who, code):
    world, fine, objection = filed()
    row = row_of(objection, "SERIOUS")
    with pytest.raises(DomainError) as refused:
        objection_line_decide(objection_line_id=row.pk, actor=getattr(world, who),
                              decision=ACCEPTED)
    assert refused.value.code == code
    row.refresh_from_db()
    assert (row.decision, row.reduced_amount) == (ObjectionDecision.PENDING, None)


@pytest.mark.parametrize("amount", ["0", "-1", "5000.00", "6000", "abc", None])
def test_a_reduced_amount_must_be_above_zero_and_below_the_fine(amount):
    world, fine, objection = filed()
    row = row_of(objection, "SERIOUS")
    with pytest.raises(DomainError) as refused:
        objection_line_decide(objection_line_id=row.pk, actor=world.legal_reviewer,
                              decision=REDUCED, reduced_amount=amount)
    assert (refused.value.code, refused.value.field) == ("violations.reduced_amount_invalid",
                                                         "reduced_amount")
    row.refresh_from_db()
    assert row.decision == ObjectionDecision.PENDING


def test_no_decision_before_the_case_reaches_review_nor_after_it_is_decided(queued):
    world, fine = objection_world()
    line = lines_by_item(fine)["SERIOUS"]
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(line.pk, "x")])
    row = row_of(objection, "SERIOUS")
    # not routed yet: still "submitted"
    with pytest.raises(DomainError) as early:
        objection_line_decide(objection_line_id=row.pk, actor=world.legal_reviewer,
                              decision=ACCEPTED)
    assert early.value.code == "violations.objection_not_in_review"
    case_route(case_id=objection.case_id)
    objection_line_decide(objection_line_id=row.pk, actor=world.legal_reviewer,
                          decision=ACCEPTED)
    decide_step(world, objection, queued)
    with pytest.raises(DomainError) as late:
        objection_line_decide(objection_line_id=row.pk, actor=world.legal_reviewer,
                              decision=REJECTED)
    assert late.value.code == "violations.objection_not_in_review"
    row.refresh_from_db()
    assert row.decision == ObjectionDecision.ACCEPTED


def test_settling_twice_and_the_sweeper_do_no_harm(queued):
    world, fine, objection = filed()
    objection_line_decide(objection_line_id=row_of(objection, "SERIOUS").pk,
                          actor=world.legal_reviewer, decision=REJECTED)
    # the step is taken but its task is lost
    with queued():
        case_transition(case_id=objection.case_id, action="decide", actor=world.legal_head,
                        comment="decided")
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.OPEN
    # the sweeper finds it
    assert objections_settle_due() == 1
    bill = bill_of(fine)
    version = bill.version
    # and a late task, or the sweeper again, changes nothing
    assert objection_settle(objection_id=objection.pk).status == ObjectionStatus.DECIDED
    assert objections_settle_due() == 0
    bill.refresh_from_db()
    assert bill.version == version
    assert lines_by_item(fine)["SERIOUS"].status == LineStatus.PAYABLE


def test_settling_before_the_decide_step_is_refused():
    world, fine, objection = filed()
    objection_line_decide(objection_line_id=row_of(objection, "SERIOUS").pk,
                          actor=world.legal_reviewer, decision=ACCEPTED)
    with pytest.raises(DomainError) as refused:
        objection_settle(objection_id=objection.pk)
    assert refused.value.code == "violations.objection_case_open"
    assert lines_by_item(fine)["SERIOUS"].status == LineStatus.OBJECTED


@override_settings(SMS_BACKEND="amanah.notifications.LocmemSmsBackend")
def test_the_objector_gets_the_outcome_by_sms(queued):
    world, fine, objection = filed()
    objection_line_decide(objection_line_id=row_of(objection, "SERIOUS").pk,
                          actor=world.legal_reviewer, decision=REJECTED)
    with queued() as tasks:
        case_transition(case_id=objection.case_id, action="decide", actor=world.legal_head,
                        comment="decided")
        objection_settle_task(objection.case_id)
    assert ("violations.objection_outcome_sms", {"objection_id": objection.pk}) in tasks
    LocmemSmsBackend.outbox.clear()
    assert objection_outcome_sms(objection.pk) is True
    [message] = LocmemSmsBackend.outbox
    assert message.to == world.delegate.mobile
    assert message.body == (f"صدر قرار الاعتراض {objection.number} على المخالفة {fine.number}: "
                            "SERIOUS: رُفض وغرامته مستحقة السداد. التفاصيل في البوابة.")
    # and in English for an objector who reads English, with a reduced amount
    row = row_of(objection, "SERIOUS")
    row.decision, row.reduced_amount = REDUCED, Decimal("2000.00")
    row.save(update_fields=["decision", "reduced_amount"])
    from violations.services.objections import objection_outcome_text

    assert objection_outcome_text(objection, "en") == (
        f"Objection {objection.number} to violation {fine.number} is decided: "
        "SERIOUS: fine reduced to SAR 2000.00. Details on the portal.")


def test_money_taken_before_sadad_accepted_the_withdrawal_pays_the_line_never_twice(client,
                                                                                    queued):
    from tests.payments.factories import notification, pmt, post

    # given the only line objected: its bill withdrawn, SADAD not yet told (§2: the
    # cancellation is final only once SADAD accepts the BillExpired)
    world, fine = objection_world(no=("FINE",))
    line = fine.lines.get()
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(line.pk, "inside the shop")])
    bill = bill_of(fine)
    # when the bank's payment arrives first: the money won, the bill is paid
    post(client, notification([pmt(sptn="SPWIN", amount="500.00",
                                   billing_account=bill.billing_account)]))
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
    assert fine.lines.get().status == LineStatus.OBJECTED
    # and legal rejects the objection
    case_route(case_id=objection.case_id)
    objection_line_decide(objection_line_id=row_of(objection, "FINE").pk,
                          actor=world.legal_reviewer, decision=REJECTED)
    decide_step(world, objection, queued)
    # then the line is paid by that money, no new bill is issued, the notice is settled
    assert fine.lines.get().status == LineStatus.PAID
    assert Bill.objects.filter(payable_ref=fine.number).count() == 1
    assert fine.__class__.objects.get(pk=fine.pk).status == ViolationStatus.SETTLED
    event = fine.events.order_by("-seq").filter(to_status=LineStatus.PAID).first()
    assert (event.payload["paid_while_objected"], event.payload["refund_due"]) == (True, False)


def test_every_objection_step_is_a_link_of_the_notices_chain(queued):
    from amanah.events import audit_verify
    from violations.enums import ViolationEventKind

    world, fine, objection = filed(items=("FINE", "SERIOUS"))
    objection_line_decide(objection_line_id=row_of(objection, "FINE").pk,
                          actor=world.legal_reviewer, decision=ACCEPTED)
    objection_line_decide(objection_line_id=row_of(objection, "SERIOUS").pk,
                          actor=world.legal_reviewer, decision=REDUCED, reduced_amount="2500")
    decide_step(world, objection, queued)
    kinds = list(fine.events.order_by("seq").values_list("kind", flat=True))
    assert kinds.count(ViolationEventKind.OBJECTED) == 2
    assert kinds[-1] == ViolationEventKind.OBJECTION_DECIDED
    assert all(result.ok for result in audit_verify(chain="violation"))


def test_an_accepted_line_cancels_its_penalty_and_a_rejected_one_keeps_it(queued):
    from django.db import transaction

    from violations.enums import PenaltyStatus
    from violations.models import Penalty
    from violations.services.penalties import penalties_create
    from violations.services.records import violation_lock

    # given both lines with their penalty in force (recorded: no licence on the notice),
    # then objected
    world, fine = objection_world()
    with transaction.atomic():
        penalties_create(violation=violation_lock(fine.pk), actor=world.approver)
    assert set(Penalty.objects.filter(line__violation=fine).values_list("status", flat=True)) \
        == {PenaltyStatus.ACTIVE}
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(x.pk, "contested") for x in fine.lines.all()])
    case_route(case_id=objection.case_id)
    # when SERIOUS is accepted and FINE rejected
    objection_line_decide(objection_line_id=row_of(objection, "SERIOUS").pk,
                          actor=world.legal_reviewer, decision=ACCEPTED)
    objection_line_decide(objection_line_id=row_of(objection, "FINE").pk,
                          actor=world.legal_reviewer, decision=REJECTED)
    decide_step(world, objection, queued)
    # then SERIOUS's closure is cancelled, FINE's suspension still runs
    statuses = dict(Penalty.objects.filter(line__violation=fine)
                    .values_list("line__item_code", "status"))
    assert statuses == {"SERIOUS": PenaltyStatus.CANCELLED, "FINE": PenaltyStatus.ACTIVE}
