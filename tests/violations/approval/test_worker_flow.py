"""A fine end to end on PostgreSQL and Redis with a real worker: the inspection is submitted,
the worker opens and routes the approval case; the head approves; the worker issues the bill,
applies the penalty to the licence and its sub-permit and makes the notice; SADAD learns the
bill; the establishment pays at the (simulated) bank, twice notified; the worker lifts the
penalty. The notice is settled, once."""

import time

import pytest

from payments.models import Bill
from payments.sadad.simulator.bank import simulated_bank_pay, simulated_notification_deliver
from payments.sadad.simulator.models import SimulatedSadadPayment
from payments.services.outbox import outbox_flush
from permits.enums import PermitStatus
from permits.models import Permit
from tests.permits.licences.factories import licence_issue_make, licence_world
from tests.permits.licences.life_helpers import sub_permit_make
from violations.enums import LineStatus, PenaltyStatus, ViolationEventKind, ViolationStatus
from violations.models import Penalty, Violation
from workflow.models import Case
from workflow.services.cases import case_transition

from ..factories import procedures_make, submitted_inspection_make, violations_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def _wait_for(check, seconds: float = 90.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    return check()


def test_a_fine_approved_billed_paid_and_settled_by_the_worker(real_worker):
    # given a licence with a sub-permit, and an inspection finding FINE (suspension until paid)
    world = violations_world()
    licences = licence_world()
    licence = licence_issue_make(licences)
    sign = sub_permit_make(licences, licence)
    procedures_make(world)
    _, notices = submitted_inspection_make(world, no=("FINE",), permit_number=licence.number)
    fine = notices[0]
    # when the worker opens and routes the approval case
    case = _wait_for(lambda: Case.objects.filter(
        pk=Violation.objects.get(pk=fine.pk).approval_case_id, state__code="approval").first())
    assert case is not None
    assert not Bill.objects.filter(payable_ref=fine.number).exists()
    # and the head approves it
    case_transition(case_id=case.pk, action="approve", actor=world.approver, comment="ثابتة")
    # then the worker bills it, suspends the licence and its sub-permit, makes the notice
    notice = _wait_for(lambda: Violation.objects.filter(
        pk=fine.pk, status=ViolationStatus.ISSUED, notice_sent_at__isnull=False)
        .exclude(notice_pdf="").first())
    assert notice is not None
    bill = Bill.objects.get(payable_ref=fine.number)
    assert [Permit.objects.get(pk=p.pk).status for p in (licence, sign)] == [
        PermitStatus.SUSPENDED] * 2
    # when SADAD learns the bill and the establishment pays; SADAD tells the portal twice
    outbox_flush()
    payment = simulated_bank_pay(billing_account=bill.billing_account, amount=bill.amount)
    simulated_notification_deliver([SimulatedSadadPayment.objects.get(pk=payment.pk)])
    # then the line is paid and the notice settled, once; the worker lifts the penalty
    assert _wait_for(lambda: Penalty.objects.filter(line__violation=fine,
                                                    status=PenaltyStatus.LIFTED).exists())
    notice = Violation.objects.get(pk=fine.pk)
    assert notice.status == ViolationStatus.SETTLED
    assert list(notice.lines.values_list("status", flat=True)) == [LineStatus.PAID]
    assert notice.events.filter(kind=ViolationEventKind.SETTLED).count() == 1
    assert notice.events.filter(kind=ViolationEventKind.PAID).count() == 1
    assert [Permit.objects.get(pk=p.pk).status for p in (licence, sign)] == [
        PermitStatus.VALID] * 2
