"""Who may act on a case, and as what: staff with a role in the holding department, the
applicant (or a representative of the applicant establishment), or the system."""

from dataclasses import dataclass

from amanah.enums import StaffRole
from amanah.models import Establishment
from amanah.permissions import person_for_user, staff_memberships

from ..enums import ACTOR_APPLICANT, ACTOR_SYSTEM, ActorKind, CaseChannel
from ..models import Case, Transition

# Roles that may move a case on to another department (إحالة) or take it from the queue.
TRANSFER_ROLES = frozenset({StaffRole.CLERK, StaffRole.REVIEWER, StaffRole.HEAD})
CLAIM_ROLES = frozenset({StaffRole.CLERK, StaffRole.REVIEWER, StaffRole.INSPECTOR,
                         StaffRole.HEAD})
ASSIGN_ROLES = frozenset({StaffRole.HEAD})


@dataclass(frozen=True)
class ActingAs:
    """How a user takes part in one action: as staff with a role, the applicant, or the system."""

    kind: str
    role: str
    department_id: int | None


# --- Who may act -------------------------------------------------------------------------


def user_is_applicant(case: Case, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    # A clerk who filed at the counter did so as staff, for the applicant: not as them.
    if case.submitted_by_id == user.pk and case.channel != CaseChannel.COUNTER:
        return True
    person = person_for_user(user)
    if person is None:
        return False
    if case.applicant_person_id == person.pk:
        return True
    return bool(case.applicant_establishment_id) and Establishment.representatives.through.objects \
        .filter(establishment_id=case.applicant_establishment_id, person_id=person.pk).exists()


def staff_roles_in(user, department_id: int | None) -> set[str]:
    """The user's active roles in one department. Superusers get none: they configure the
    portal, they do not decide transactions."""
    if department_id is None or not getattr(user, "is_authenticated", False):
        return set()
    return {m.role for m in staff_memberships(user) if m.department_id == department_id}


def acting_as(case: Case, transition: Transition, user, *,
              is_applicant: bool | None = None) -> ActingAs | None:
    """How `user` (None = the system) may take `transition` on `case`, or None if not at all."""
    allowed = set(transition.allowed_roles)
    if user is None:
        return ActingAs(ActorKind.SYSTEM, ACTOR_SYSTEM, None) if ACTOR_SYSTEM in allowed else None
    if not getattr(user, "is_authenticated", False):
        return None
    roles = sorted(staff_roles_in(user, case.department_id) & allowed)
    if roles:
        return ActingAs(ActorKind.STAFF, roles[0], case.department_id)
    if ACTOR_APPLICANT in allowed:
        if is_applicant is None:
            is_applicant = user_is_applicant(case, user)
        if is_applicant:
            return ActingAs(ActorKind.APPLICANT, ACTOR_APPLICANT, None)
    return None



def staff_acting(user, department_id: int | None) -> ActingAs:
    roles = sorted(staff_roles_in(user, department_id)) if department_id else []
    if not roles:
        roles = sorted({m.role for m in staff_memberships(user)}) or [""]
    return ActingAs(ActorKind.STAFF, roles[0], department_id)



def participant(case: Case, user) -> ActingAs | None:
    roles = staff_roles_in(user, case.department_id)
    if roles:
        return ActingAs(ActorKind.STAFF, sorted(roles)[0], case.department_id)
    if user_is_applicant(case, user):
        return ActingAs(ActorKind.APPLICANT, ACTOR_APPLICANT, None)
    return None

