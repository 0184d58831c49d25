"""The staff search's provider for permit applications and permits (licences among them): by
reference or number, or the owner's or holder's ID, unified number, mobile or name, for staff of
the municipality, as the review and permit pages allow (`staff_municipality_ids`): submitted
applications, and permits."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amanah.search import SearchHit, SearchQuery, parties_q, search_parties_resolve

from .enums import ApplicationStatus, PermitStatus
from .models import Application, Permit
from .selectors import staff_municipality_ids

APPLICATION_KIND = "permit_application"
APPLICATION_LABEL = _("Permit applications")
PERMIT_KIND = "permit"
PERMIT_LABEL = _("Permits and licences")


def _pair(first, second) -> tuple[str, str]:
    return " · ".join(filter(None, [first.name_ar if first else "",
                                    second.name_ar if second else ""])), \
        " · ".join(filter(None, [(first.name_en or first.name_ar) if first else "",
                                 (second.name_en or second.name_ar) if second else ""]))


def permit_search(*, query: SearchQuery, user, limit: int) -> list[SearchHit]:
    """Two queries (applications, permits) after the parties, resolved once by search_run;
    none for a user who is not staff of any municipality."""
    municipalities = list(staff_municipality_ids(user))
    if not municipalities:
        return []
    query = search_parties_resolve(query)
    hits = []
    applications = parties_q(query, person_field="owner_person_id",
                             establishment_field="owner_establishment_id")
    if query.reference:
        applications |= Q(reference=query.reference)
    if applications:
        statuses = dict(ApplicationStatus.choices)
        for application in (Application.objects.filter(applications)
                            .filter(municipality_id__in=municipalities,
                                    submitted_at__isnull=False)
                            .select_related("permit_type", "municipality", "owner_person",
                                            "owner_establishment")
                            .order_by("-submitted_at", "-pk")[:limit]):
            detail_ar, detail_en = _pair(application.permit_type,
                                         application.owner_establishment
                                         or application.owner_person)
            hits.append(SearchHit(
                kind=APPLICATION_KIND, kind_label=APPLICATION_LABEL,
                number=application.reference,
                title_ar=application.permit_type.name_ar,
                title_en=application.permit_type.name_en or application.permit_type.name_ar,
                detail_ar=detail_ar, detail_en=detail_en,
                status_label=statuses.get(application.status, application.status),
                municipality_ar=application.municipality.name_ar,
                municipality_en=application.municipality.name_en,
                url=reverse("permits:staff_application", args=[application.reference]),
                sort_key=application.submitted_at))
    permits = parties_q(query, person_field="holder_person_id",
                        establishment_field="holder_establishment_id")
    if query.reference:
        permits |= Q(number=query.reference) | Q(paper_reference=query.reference)
    if permits:
        statuses = dict(PermitStatus.choices)
        for permit in (Permit.objects.filter(permits)
                       .filter(municipality_id__in=municipalities)
                       .select_related("permit_type", "municipality", "holder_person",
                                       "holder_establishment")
                       .order_by("-created_at", "-pk")[:limit]):
            detail_ar, detail_en = _pair(permit.holder_establishment or permit.holder_person,
                                         None)
            hits.append(SearchHit(
                kind=PERMIT_KIND, kind_label=PERMIT_LABEL, number=permit.number,
                title_ar=permit.permit_type.name_ar,
                title_en=permit.permit_type.name_en or permit.permit_type.name_ar,
                detail_ar=detail_ar, detail_en=detail_en,
                status_label=statuses.get(permit.status, permit.status),
                municipality_ar=permit.municipality.name_ar,
                municipality_en=permit.municipality.name_en,
                url=reverse("permits:permit", args=[permit.number]),
                sort_key=permit.created_at))
    return hits
