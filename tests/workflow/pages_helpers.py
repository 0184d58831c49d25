"""Shared by the page tests: who is asking, and a snapshot of a case to prove nothing changed."""

from amanah.enums import StaffRole
from amanah.services import staff_membership_grant
from tests.factories import StaffUserFactory
from workflow.models import Case, CaseAttachment, CaseComment, CaseEvent

WHO = ["anonymous", "applicant", "other_citizen", "other_department_staff",
       "department_staff", "admin"]


def user_for(world, who: str, case: Case | None = None):
    """A user in the role `who` relative to `case` (its applicant, its department, ...)."""
    if who == "anonymous":
        return None
    if who == "applicant":
        return world.applicant.user
    if who == "other_citizen":
        return world.other_citizen.user
    if who == "other_department_staff":
        return world.staff("legal", StaffRole.HEAD)
    if who == "department_staff":
        department = case.department
        return world.staff(department.code, StaffRole.CLERK, department.municipality)
    if who == "admin":
        # Granted through the service, so the admin flag (is_staff) is set as in real life.
        user = StaffUserFactory(username="epa.admin")
        staff_membership_grant(user=user, role=StaffRole.ADMIN,
                               department=world.department("finance", world.amanah))
        user.refresh_from_db()
        return user
    raise AssertionError(who)


def snapshot(case_id: int) -> tuple:
    case = Case.objects.get(pk=case_id)
    return (case.state_id, case.category, case.department_id, case.assignee_id,
            case.row_version, case.last_event_hash,
            list(CaseEvent.objects.filter(case_id=case_id).values_list("seq", "hash")),
            CaseAttachment.objects.filter(case_id=case_id).count(),
            CaseComment.objects.filter(case_id=case_id).count())
