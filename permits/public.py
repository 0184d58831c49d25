"""What permits offers the violations app — the only permits module violations imports
(tests/test_import_graph.py holds both apps to it; permits never imports violations).

A violation is issued against a licence or a permit: violations reads the facts it needs by
the permit's number, takes over the sample inspections of instantly issued licences through
the sampling hook, and reaches a permit with a penalty through `amanah.penalties` (registered
by permits.penalties), never by calling permits' services.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .enums import PermitStatus
from .licences.sampling import (  # noqa: F401 - re-exported for violations
    sample_inspection_handler_register,
    sample_inspection_handler_unregister,
)
from .models import District, Permit


@dataclass(frozen=True)
class PermitFacts:
    number: str
    permit_type_code: str
    name_ar: str  # the type's name: "رخصة محل تجاري"
    name_en: str
    is_licence: bool  # a commercial licence (an establishment's, with activities)
    status: str
    is_valid: bool
    municipality_id: int
    holder_person_id: int | None
    holder_establishment_id: int | None
    activity_codes: list[str] = field(default_factory=list)
    parcel_ref: str = ""  # the deed number
    district: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    valid_until: dt.date | None = None
    sub_permit_numbers: list[str] = field(default_factory=list)


def _facts(permit: Permit, children: list[str]) -> PermitFacts:
    parcel = permit.parcel
    return PermitFacts(
        number=permit.number, permit_type_code=permit.permit_type.code,
        name_ar=permit.permit_type.name_ar, name_en=permit.permit_type.name_en,
        is_licence=permit.permit_type.uses_activities, status=permit.status,
        is_valid=permit.status == PermitStatus.VALID,
        municipality_id=permit.municipality_id, holder_person_id=permit.holder_person_id,
        holder_establishment_id=permit.holder_establishment_id,
        activity_codes=list((permit.details or {}).get("activities") or []),
        parcel_ref=parcel.deed_number if parcel else "",
        district=(parcel.district.code if parcel else ""),
        latitude=parcel.latitude if parcel else None,
        longitude=parcel.longitude if parcel else None,
        valid_until=permit.valid_until, sub_permit_numbers=children)


def _permits():
    return Permit.objects.select_related("permit_type", "parcel__district")


def permit_facts(number: str) -> PermitFacts | None:
    """The permit or licence numbered `number`, or None."""
    permit = _permits().filter(number=number).first()
    if permit is None:
        return None
    children = list(Permit.objects.filter(parent=permit).order_by("number")
                    .values_list("number", flat=True))
    return _facts(permit, children)


def establishment_licences(establishment_id: int) -> list[PermitFacts]:
    """An establishment's licences (not sub-permits), newest first, in two queries."""
    permits = list(_permits().filter(holder_establishment_id=establishment_id,
                                     permit_type__uses_activities=True,
                                     permit_type__is_sub_permit=False)
                   .order_by("-issued_on", "-id"))
    children: dict[int, list[str]] = {}
    for parent_id, number in (Permit.objects.filter(parent__in=permits)
                              .order_by("number").values_list("parent_id", "number")):
        children.setdefault(parent_id, []).append(number)
    return [_facts(p, children.get(p.pk, [])) for p in permits]


def district_names(municipality_id: int) -> dict[str, tuple[str, str]]:
    """The municipality's districts: code → (name in Arabic, name in English)."""
    return {code: (ar, en) for code, ar, en in District.objects.filter(
        municipality_id=municipality_id).values_list("code", "name_ar", "name_en")}


def sample_inspections_queued_offer() -> int:
    """Offer every queued sample to the registered handlers now (the demo, once violations has
    seeded what its handler needs); the periodic sweeper does it only after a while. Returns
    how many were handed over."""
    from .enums import SampleInspectionStatus
    from .licences.sampling import sample_inspection_offer
    from .models import SampleInspection

    handed = 0
    queued = SampleInspection.objects.filter(status=SampleInspectionStatus.QUEUED)
    for sample_id in queued.order_by("pk").values_list("pk", flat=True):
        if sample_inspection_offer(sample_id=sample_id):
            handed += 1
    return handed


def district_names_in(municipality_ids) -> dict[str, tuple[str, str]]:
    """The districts of several municipalities (all of them for None), in one query: code →
    (Arabic, English). A code two municipalities share keeps the first one's names."""
    districts = District.objects.order_by("municipality_id", "code")
    if municipality_ids is not None:
        districts = districts.filter(municipality_id__in=list(municipality_ids))
    names: dict[str, tuple[str, str]] = {}
    for code, ar, en in districts.values_list("code", "name_ar", "name_en"):
        names.setdefault(code, (ar, en))
    return names
