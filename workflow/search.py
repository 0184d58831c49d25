"""The staff search's provider for cases: by case number, the applicant's ID, unified number,
mobile or name, among the cases the user may read (held by, or worked on by, their
departments)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amanah.search import SearchHit, SearchQuery, parties_q, search_parties_resolve

from .enums import StatusCategory
from .models import Case
from .selectors._common import readable_by_staff

KIND = "case"
KIND_LABEL = _("Transactions")


def case_search(*, query: SearchQuery, user, limit: int) -> list[SearchHit]:
    """One query (after the parties, resolved once by search_run)."""
    if not getattr(user, "is_authenticated", False):
        return []
    query = search_parties_resolve(query)
    matches = parties_q(query, person_field="applicant_person_id",
                        establishment_field="applicant_establishment_id")
    if query.reference:
        matches |= Q(number=query.reference)
    if not matches:
        return []
    cases = (Case.objects.filter(matches).filter(readable_by_staff(user))
             .select_related("definition", "municipality", "applicant_person",
                             "applicant_establishment")
             .order_by("-submitted_at", "-id")[:limit])
    categories = dict(StatusCategory.choices)
    hits = []
    for case in cases:
        applicant = case.applicant_establishment or case.applicant_person
        hits.append(SearchHit(
            kind=KIND, kind_label=KIND_LABEL, number=case.number,
            title_ar=case.subject, title_en=case.subject,
            detail_ar=" · ".join(filter(None, [case.definition.name_ar,
                                               applicant.name_ar if applicant else ""])),
            detail_en=" · ".join(filter(None, [case.definition.name_en or case.definition.name_ar,
                                               (applicant.name_en or applicant.name_ar)
                                               if applicant else ""])),
            status_label=categories.get(case.category, case.category),
            municipality_ar=case.municipality.name_ar,
            municipality_en=case.municipality.name_en,
            url=reverse("workflow:case", args=[case.pk]), sort_key=case.submitted_at))
    return hits
