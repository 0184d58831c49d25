"""The staff search's provider for violation notices: by notice number, or the offender's ID,
unified number, mobile or name, for staff who may read the municipality's notices
(`access.staff_may_see`: admins everywhere, inspection, legal and heads in theirs)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amanah.money import sar_format
from amanah.permissions import is_admin
from amanah.search import SearchHit, SearchQuery, parties_q, search_parties_resolve

from .access import staff_municipalities
from .enums import NoticeKind, ViolationStatus
from .models import Violation

KIND = "violation"
KIND_LABEL = _("Violation notices")


def violation_search(*, query: SearchQuery, user, limit: int) -> list[SearchHit]:
    """One query after the parties (resolved once by search_run); none for a user who may not
    read any municipality's notices."""
    everywhere = is_admin(user)
    municipalities = set() if everywhere else staff_municipalities(user)
    if not (everywhere or municipalities):
        return []
    query = search_parties_resolve(query)
    matches = parties_q(query, person_field="person_id", establishment_field="establishment_id")
    # A notice may name an offender who has no record among the people yet: its key holds the
    # official number (the repeat-detection key, indexed).
    if query.national_id:
        matches |= Q(offender_key=f"P:{query.national_id}")
    if query.unified_number:
        matches |= Q(offender_key=f"E:{query.unified_number}")
    if query.reference:
        matches |= Q(number=query.reference)
    if not matches:
        return []
    notices = Violation.objects.filter(matches)
    if not everywhere:
        notices = notices.filter(municipality_id__in=list(municipalities))
    notices = (notices.select_related("municipality", "person", "establishment")
               .order_by("-recorded_at", "-pk")[:limit])
    statuses = dict(ViolationStatus.choices)
    hits = []
    for notice in notices:
        offender = notice.establishment or notice.person
        place = notice.place_description
        amount_ar = sar_format(notice.total, "ar") if notice.kind == NoticeKind.FINE else ""
        amount_en = sar_format(notice.total, "en") if notice.kind == NoticeKind.FINE else ""
        hits.append(SearchHit(
            kind=KIND, kind_label=KIND_LABEL, number=notice.number,
            title_ar=offender.name_ar if offender else place,
            title_en=(offender.name_en or offender.name_ar) if offender else place,
            detail_ar=" · ".join(filter(None, [place if offender else "", amount_ar])),
            detail_en=" · ".join(filter(None, [place if offender else "", amount_en])),
            status_label=statuses.get(notice.status, notice.status),
            municipality_ar=notice.municipality.name_ar,
            municipality_en=notice.municipality.name_en,
            url=reverse("violations:notice", kwargs={"number": notice.number}),
            sort_key=notice.recorded_at))
    return hits
