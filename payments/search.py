"""The staff search's provider for bills: by bill number (BillingAcct) or the payer's ID,
unified number, mobile or name, for finance staff within their municipalities (the finance
pages' own rule, `finance_scope`); anyone without finance access finds no bills."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amanah.money import sar_format
from amanah.search import SearchHit, SearchQuery, parties_q, search_parties_resolve

from .enums import BillStatus
from .models import Bill
from .views.access import finance_scope

KIND = "bill"
KIND_LABEL = _("Bills")


def bill_search(*, query: SearchQuery, user, limit: int) -> list[SearchHit]:
    """One query (after the parties, resolved once by search_run); none without finance access."""
    scope = finance_scope(user)
    if scope is None:
        return []
    query = search_parties_resolve(query)
    matches = parties_q(query, person_field="payer_person_id",
                        establishment_field="payer_establishment_id")
    if query.reference and query.reference.isdigit():
        matches |= Q(billing_account=query.reference)
    if not matches:
        return []
    bills = Bill.objects.filter(matches)
    if scope.municipality_ids is not None:
        bills = bills.filter(municipality_id__in=list(scope.municipality_ids))
    bills = (bills.select_related("municipality", "payer_person", "payer_establishment")
             .order_by("-created_at", "-pk")[:limit])
    statuses = dict(BillStatus.choices)
    hits = []
    for bill in bills:
        payer = bill.payer_establishment or bill.payer_person
        hits.append(SearchHit(
            kind=KIND, kind_label=KIND_LABEL, number=bill.billing_account,
            title_ar=bill.description_ar, title_en=bill.description_en,
            detail_ar=" · ".join(filter(None, [payer.name_ar if payer else "",
                                               sar_format(bill.amount, "ar")])),
            detail_en=" · ".join(filter(None, [(payer.name_en or payer.name_ar) if payer else "",
                                               sar_format(bill.amount, "en")])),
            status_label=statuses.get(bill.status, bill.status),
            municipality_ar=bill.municipality.name_ar, municipality_en=bill.municipality.name_en,
            url=reverse("payments:bill_detail", args=[bill.billing_account]),
            sort_key=bill.created_at))
    return hits
