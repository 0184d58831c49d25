"""Reads for the core domain, each with a fixed number of queries."""

from dataclasses import dataclass

from .enums import RolloutState, StaffRole
from .models import EService, EServiceRollout, Municipality, Person, StaffMembership
from .rollout import eservice_rollouts_startable

VISIBLE_STATES = (RolloutState.PILOT, RolloutState.LIVE)


@dataclass(frozen=True)
class EServiceOffer:
    """An e-service as offered in one municipality."""

    eservice: EService
    state: str

    @property
    def is_pilot(self) -> bool:
        return self.state == RolloutState.PILOT


def eservice_list_for_municipality(*, municipality_id: int | None) -> list[EServiceOffer]:
    """E-services live or in pilot in the municipality, in display order. One query."""
    if municipality_id is None:
        return []
    rollouts = (EServiceRollout.objects
                .filter(municipality_id=municipality_id, state__in=VISIBLE_STATES)
                .select_related("eservice")
                .order_by("eservice__display_order", "eservice__code"))
    return [EServiceOffer(eservice=r.eservice, state=r.state) for r in rollouts]


def eservice_list_for_person(*, person: Person) -> list[EServiceOffer]:
    """What a citizen may use: the services offered where they live. One query."""
    return eservice_list_for_municipality(municipality_id=person.municipality_id)


def eservice_is_available(*, eservice: EService | str, municipality_id: int | None) -> bool:
    """Is this service pilot or live in this municipality at all? One query. It does not say
    who may start it there: a start page or service asks `amanah.rollout` for that."""
    if municipality_id is None:
        return False
    code = eservice if isinstance(eservice, str) else eservice.code
    return EServiceRollout.objects.filter(eservice__code=code, municipality_id=municipality_id,
                                          state__in=VISIBLE_STATES).exists()


def eservice_list_startable(*, municipality: Municipality | None, user=None,
                            person: Person | None = None) -> list[EServiceOffer]:
    """The e-services this user or person may start in the municipality by the rollout rule
    (`amanah.rollout`): what a start page may offer. In display order; one query."""
    if municipality is None:
        return []
    rollouts = (eservice_rollouts_startable(user=user, person=person)
                .filter(municipality_id=municipality.pk)
                .select_related("eservice")
                .order_by("eservice__display_order", "eservice__code"))
    return [EServiceOffer(eservice=r.eservice, state=r.state) for r in rollouts]


def person_has_account(*, national_id: str) -> bool:
    """Whether someone holding this ID already has an account. Ask only after the ID is
    proven (Nafath): before that, the answer would tell a stranger who is registered."""
    return Person.objects.filter(national_id=national_id, user__isnull=False).exists()


def municipality_list_for_sign_up() -> list[Municipality]:
    """Active municipalities a resident can choose as where they live. One query."""
    return list(Municipality.objects.filter(is_active=True).order_by("kind", "name_ar"))


@dataclass(frozen=True)
class StaffDepartment:
    membership_ids: tuple[int, ...]
    department_id: int
    department: object
    roles: tuple[str, ...]

    @property
    def role_labels(self) -> tuple[str, ...]:
        return tuple(StaffRole(role).label for role in self.roles)


def staff_department_list(*, user) -> list[StaffDepartment]:
    """The user's departments, each with the roles they hold there. One query."""
    memberships = (StaffMembership.objects
                   .filter(user=user, is_active=True, department__is_active=True)
                   .select_related("department__municipality")
                   .order_by("department__municipality__code", "department__code", "role"))
    grouped: dict[int, list[StaffMembership]] = {}
    for membership in memberships:
        grouped.setdefault(membership.department_id, []).append(membership)
    return [
        StaffDepartment(
            membership_ids=tuple(m.pk for m in rows),
            department_id=department_id,
            department=rows[0].department,
            roles=tuple(m.role for m in rows),
        )
        for department_id, rows in grouped.items()
    ]
