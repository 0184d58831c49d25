"""The whole objection on a real Celery worker and Redis: filing routes the case to the legal
department's review (task), the decide step's effect settles the objection (task), and the
outcome SMS goes out — nothing run in-process."""

import time

import pytest

from payments.models import Bill
from violations.enums import LineStatus, ObjectionDecision, ObjectionStatus
from violations.models import Objection
from violations.services.objections import objection_file, objection_line_decide
from workflow.enums import StatusCategory
from workflow.models import Case
from workflow.services.cases import case_transition

from .helpers import lines_by_item, objection_world

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(check, seconds: float = 90.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    return check()


def test_filing_routing_deciding_and_settling_through_the_worker(real_worker):
    # given an issued fine (FINE 500 + SERIOUS 5,000) and an objection to SERIOUS
    world, fine = objection_world()
    line = lines_by_item(fine)["SERIOUS"]
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(line.pk, "not on sale")])
    # when the worker routes the case, legal decides "reduced to 2,000" and takes the step
    assert _wait_for(lambda: Case.objects.get(pk=objection.case_id).category
                     == StatusCategory.IN_REVIEW)
    objection_line_decide(objection_line_id=objection.lines.get().pk, actor=world.legal_head,
                          decision=ObjectionDecision.REDUCED, reduced_amount="2000")
    case_transition(case_id=objection.case_id, action="decide", actor=world.legal_head,
                    comment="reduced for a first occurrence")
    # then the worker settles it: the line payable at 2,000 on the bill, now 2,500
    assert _wait_for(lambda: Objection.objects.get(pk=objection.pk).status
                     == ObjectionStatus.DECIDED)
    line.refresh_from_db()
    assert (line.status, str(line.amount)) == (LineStatus.PAYABLE, "2000.00")
    assert str(Bill.objects.get(payable_ref=fine.number).amount) == "2500.00"
