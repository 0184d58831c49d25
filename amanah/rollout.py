"""Rollout: where an e-service may be started and by whom. Every path that starts one (page,
API, service call) asks `eservice_start_check`; pages list with `eservice_list_startable`.

The rule, for an e-service in a municipality:
- LIVE: anyone may start it there;
- PILOT: only a person who lives there, or staff holding an active membership in an active
  department of that municipality or of its parent Amanah;
- OFF, no rollout row, or an inactive municipality: nobody.

Why the Amanah's own staff count for its branches' pilots: the Amanah runs the pilot, and its
central departments already work for the branches (central finance oversees every branch's
collections, central legal hears their objections), so they must be able to start, demonstrate
and support a piloted service where it runs. Staff of a sibling branch do not count, and
neither do people who live elsewhere: a pilot stays within the municipality that runs it.
"""

from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet

from .enums import MunicipalityKind, RolloutState
from .errors import DomainError, PermissionDenied
from .models import EService, EServiceRollout, Municipality, Person, StaffMembership


def _pilot_conditions(*, user=None, person: Person | None = None) -> list[Exists]:
    """Over EServiceRollout rows: each subquery is true when the caller may use a pilot in the
    row's municipality (lives there, or works there or at its Amanah)."""
    residents = Person.objects.filter(municipality_id=OuterRef("municipality_id"))
    conditions = []
    if person is not None and person.pk is not None:
        conditions.append(Exists(residents.filter(pk=person.pk)))
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    if user_id is not None:
        # The account's own person record, when the caller did not pass it.
        conditions.append(Exists(residents.filter(user_id=user_id)))
        conditions.append(Exists(StaffMembership.objects.filter(
            Q(department__municipality_id=OuterRef("municipality_id"))
            | Q(department__municipality_id=OuterRef("municipality__parent_id"),
                department__municipality__kind=MunicipalityKind.AMANAH),
            user_id=user_id, is_active=True, department__is_active=True)))
    return conditions


def eservice_rollouts_startable(*, user=None, person: Person | None = None,
                                ) -> QuerySet[EServiceRollout]:
    """Every rollout row (e-service × municipality) the caller may start; narrow it by
    municipality or e-service. A filter only: no query until it is evaluated."""
    startable = Q(state=RolloutState.LIVE)
    conditions = _pilot_conditions(user=user, person=person)
    if conditions:
        startable |= Q(state=RolloutState.PILOT) & reduce(or_, conditions)
    return EServiceRollout.objects.filter(startable, municipality__is_active=True)


def _service_off(municipality: Municipality, field: str | None) -> DomainError:
    return DomainError(
        "rollout.service_off",
        f"هذه الخدمة غير متاحة في {municipality.name_ar} بعد.",
        f"This service is not offered in {municipality.name_en or municipality.name_ar} yet.",
        field=field)


def _pilot_only(municipality: Municipality, field: str | None) -> PermissionDenied:
    return PermissionDenied(
        "rollout.pilot_only",
        f"هذه الخدمة في مرحلة تجريبية في {municipality.name_ar}، "
        "وهي متاحة حاليًا لسكانها ومنسوبيها فقط.",
        f"This service is being piloted in {municipality.name_en or municipality.name_ar} "
        "and is open only to its residents and staff for now.",
        field=field)


def eservice_start_check(*, eservice: EService | str, municipality: Municipality, user=None,
                         person: Person | None = None, field: str | None = "eservice") -> None:
    """Refuse, in Arabic and English, to start an e-service where the rollout says no (see the
    module's rule). `field` names the form field the refusal belongs next to. One query."""
    code = eservice if isinstance(eservice, str) else eservice.code
    conditions = _pilot_conditions(user=user, person=person)
    row = (EServiceRollout.objects
           .filter(eservice__code=code, municipality_id=municipality.pk)
           .annotate(**{f"may_pilot_{i}": c for i, c in enumerate(conditions)})
           .values("state", "municipality__is_active",
                   *(f"may_pilot_{i}" for i in range(len(conditions))))
           .first())
    if row is not None and row["municipality__is_active"] and row["state"] == RolloutState.LIVE:
        return
    if row is None or not row["municipality__is_active"] or row["state"] != RolloutState.PILOT:
        raise _service_off(municipality, field)
    if not any(row[f"may_pilot_{i}"] for i in range(len(conditions))):
        raise _pilot_only(municipality, field)
