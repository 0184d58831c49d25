"""Reads of the permits app. Who may see an application is decided here, once: its parties
(the owner, an agent or delegate, the people of a named office) and the staff of its
municipality. Everyone else gets 404, whatever id or reference they guess."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from amanah.models import Establishment
from amanah.permissions import person_for_user, staff_memberships

from .models import Application, ApplicationParty


def staff_municipality_ids(user) -> set[int]:
    return {m.department.municipality_id for m in staff_memberships(user)}


def application_party_filter(person) -> Q:
    """Applications `person` is a party to, directly or as one of an office's people."""
    works_for = Establishment.representatives.through.objects.filter(person_id=person.pk)
    named_party = ApplicationParty.objects.filter(application_id=OuterRef("pk")).filter(
        Q(person_id=person.pk)
        | Q(office__establishment_id__in=works_for.values("establishment_id"))
        | Q(establishment_id__in=works_for.values("establishment_id")))
    return (Q(owner_person_id=person.pk) | Q(created_by_id=person.user_id)
            | Q(filing_office__establishment_id__in=works_for.values("establishment_id"))
            # An establishment's application: every one of its representatives sees it.
            | Q(owner_establishment_id__in=works_for.values("establishment_id"))
            | Q(Exists(named_party)))


def applications_visible_to(user) -> QuerySet[Application]:
    """Every application `user` may open: as a party, or as staff of its municipality."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    condition = Q(pk__in=[])
    person = person_for_user(user)
    if person is not None:
        condition |= application_party_filter(person)
    municipalities = staff_municipality_ids(user)
    if municipalities:
        # The municipality sees an application once it is submitted to it (after the owner's
        # consent), never an office's draft.
        condition |= Q(municipality_id__in=municipalities, submitted_at__isnull=False)
    return Application.objects.filter(condition)


def application_get_for(user, reference: str) -> Application | None:
    """The application by its public reference if `user` may see it, else None (→ 404)."""
    return (applications_visible_to(user)
            .select_related("permit_type", "municipality", "parcel__district", "owner_person",
                            "owner_establishment", "filing_office__establishment", "case")
            .filter(reference=reference).first())
