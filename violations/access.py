"""Who may do what with inspections and violations — one place, used by pages, the API and
services alike.

Staff act in the municipalities where they hold the role: inspectors (and the head) of the
"inspection" department inspect; its head approves fines; the "legal" department's reviewers
and head decide objections. An offender — the person, or a representative of the
establishment — sees their own notices and nothing else. Admins see everything read-only.
"""

from django.db.models import Q, QuerySet

from amanah.enums import StaffRole
from amanah.errors import PermissionDenied
from amanah.permissions import is_admin, person_for_user, staff_memberships

from .models import Violation

INSPECTION_DEPARTMENT = "inspection"
LEGAL_DEPARTMENT = "legal"
INSPECTOR_ROLES = frozenset({StaffRole.INSPECTOR, StaffRole.HEAD})
APPROVER_ROLES = frozenset({StaffRole.HEAD})
LEGAL_ROLES = frozenset({StaffRole.REVIEWER, StaffRole.HEAD})


def _municipalities(user, department_code: str, roles: frozenset[str]) -> set[int]:
    return {m.department.municipality_id for m in staff_memberships(user)
            if m.department.code == department_code and m.role in roles}


def inspector_municipalities(user) -> set[int]:
    return _municipalities(user, INSPECTION_DEPARTMENT, INSPECTOR_ROLES)


def approver_municipalities(user) -> set[int]:
    return _municipalities(user, INSPECTION_DEPARTMENT, APPROVER_ROLES)


def legal_municipalities(user) -> set[int]:
    return _municipalities(user, LEGAL_DEPARTMENT, LEGAL_ROLES)


def staff_municipalities(user) -> set[int]:
    """Where the user may read violations as staff (reports, any notice)."""
    return inspector_municipalities(user) | legal_municipalities(user) | {
        m.department.municipality_id for m in staff_memberships(user)
        if m.role == StaffRole.HEAD}


def _refuse(code: str, ar: str, en: str) -> PermissionDenied:
    return PermissionDenied(code, ar, en)


def inspector_check(user, municipality_id: int) -> None:
    if municipality_id not in inspector_municipalities(user):
        raise _refuse("violations.not_inspector",
                      "لست مفتشاً في هذه البلدية.",
                      "You are not an inspector of this municipality.")


def approver_check(user, municipality_id: int) -> None:
    if municipality_id not in approver_municipalities(user):
        raise _refuse("violations.not_approver",
                      "اعتماد المخالفات لرئيس إدارة الرقابة في البلدية.",
                      "Only the head of the municipality's inspection department approves "
                      "violations.")


def legal_check(user, municipality_id: int) -> None:
    if municipality_id not in legal_municipalities(user):
        raise _refuse("violations.not_legal",
                      "البت في الاعتراضات للإدارة القانونية في البلدية.",
                      "Objections are decided by the municipality's legal department.")


def offender_filter(user) -> Q | None:
    """The notices `user` is the offender of (as the person, or for an establishment they
    represent), as a filter; None when the user is no citizen."""
    person = person_for_user(user)
    if person is None:
        return None
    return Q(person=person) | Q(establishment__representatives=person)


def violations_of_user(user) -> QuerySet[Violation]:
    """The caller's own notices (possibly none). Distinct: a person who is also a
    representative must not see a notice twice."""
    where = offender_filter(user)
    if where is None:
        return Violation.objects.none()
    return Violation.objects.filter(
        pk__in=Violation.objects.filter(where).values("pk"))


def offender_may_see(user, violation: Violation) -> bool:
    person = person_for_user(user)
    if person is None:
        return False
    if violation.person_id == person.pk:
        return True
    return bool(violation.establishment_id) and violation.establishment.representatives.filter(
        pk=person.pk).exists()


def staff_may_see(user, violation: Violation) -> bool:
    return is_admin(user) or violation.municipality_id in staff_municipalities(user)
