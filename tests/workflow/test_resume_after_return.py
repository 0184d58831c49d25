"""After a return for correction the case goes back to the department that returned it
(and the person who did), not to the step's owning department."""

from amanah.enums import StaffRole
from amanah.models import StaffMembership
from workflow.enums import CaseEventKind, StatusCategory
from workflow.models import Case, CaseEvent
from workflow.services import (
    case_claim,
    case_resume,
    case_return_to_applicant,
    case_transfer,
    case_transition,
)

from .factories import case_new


def _returned_by_legal(world) -> tuple[Case, object]:
    """A case referred from customer service to legal, claimed there, and returned by legal."""
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    case_transfer(case_id=case.pk, actor=clerk, department_code="legal",
                  note="يحتاج رأيًا قانونيًا")
    lawyer = world.staff("legal", StaffRole.REVIEWER)
    case_claim(case_id=case.pk, actor=lawyer)
    case_return_to_applicant(case_id=case.pk, actor=lawyer, comment="أرفق عقد الإيجار")
    case = Case.objects.get(pk=case.pk)
    assert (case.category, case.department) == (
        StatusCategory.AWAITING_APPLICANT, world.department("customer_service"))
    return case, lawyer


def test_a_resubmitted_case_goes_back_to_the_department_that_returned_it(world):
    # given a case legal returned to the applicant (the step itself belongs to customer service)
    case, lawyer = _returned_by_legal(world)
    # when the applicant resubmits it through the page's action
    case_transition(case_id=case.pk, action="resubmit", actor=world.applicant.user,
                    comment="أرفقت العقد")
    # then legal has it again, with the lawyer who asked for the correction
    case = Case.objects.get(pk=case.pk)
    assert (case.category, case.department, case.assignee) == (
        StatusCategory.IN_REVIEW, world.department("legal"), lawyer)
    event = CaseEvent.objects.filter(case=case).latest("seq")
    assert (event.kind, event.action, event.from_department, event.to_department) == (
        CaseEventKind.TRANSITION, "resubmit", world.department("customer_service"),
        world.department("legal"))


def test_case_resume_follows_the_same_rule(world):
    case, lawyer = _returned_by_legal(world)
    case_resume(case_id=case.pk, actor=world.applicant.user, comment="أرفقت العقد")
    case = Case.objects.get(pk=case.pk)
    assert (case.department, case.assignee) == (world.department("legal"), lawyer)


def test_if_the_returner_left_the_department_it_waits_unassigned_there(world):
    # given the lawyer who returned the case no longer works in legal
    case, lawyer = _returned_by_legal(world)
    StaffMembership.objects.filter(user=lawyer).update(is_active=False)
    # when the applicant resubmits
    case_transition(case_id=case.pk, action="resubmit", actor=world.applicant.user,
                    comment="أرفقت العقد")
    # then it is in legal's queue, unassigned
    case = Case.objects.get(pk=case.pk)
    assert (case.department, case.assignee_id) == (world.department("legal"), None)


def test_without_a_referral_the_owning_department_gets_it_back(world):
    # given customer service itself returned the case
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    case_return_to_applicant(case_id=case.pk, actor=reviewer, comment="أرفق صورة الصك")
    # when the applicant resubmits
    case_transition(case_id=case.pk, action="resubmit", actor=world.applicant.user,
                    comment="أرفقت الصك")
    # then customer service has it, with the reviewer who returned it
    case = Case.objects.get(pk=case.pk)
    assert (case.department, case.assignee) == (world.department("customer_service"), reviewer)
