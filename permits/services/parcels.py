"""Parcels: confirmed against the deed registry, placed inside their district.

`parcel_confirm` is the rule for any parcel the portal records (a draft's parcel here; a parcel
corrected during review in part REVIEW): the deed exists, is active, carries the date given,
lies in this municipality and in the district chosen, and the point given falls inside that
district's bounds. `application_parcel_set` adds the rule of a draft: the deed's owner is the
owner the application names.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.db import transaction

from amanah import clock
from amanah.errors import DomainError
from amanah.identity import digits_normalise
from amanah.models import Municipality

from ..deeds import DeedRecord, DeedRegistryUnavailable, deed_number_normalise, deed_registry
from ..enums import ApplicationEventKind
from ..models import District, Parcel
from .applications import application_event_append, application_save
from .parties import application_for_filer, application_owner_ids

COORDINATE_PLACES = Decimal("0.000001")  # what Parcel stores: about 0.1 m


@dataclass(frozen=True)
class ParcelFacts:
    """What the registry and the district confirmed, before anything is written."""

    deed: DeedRecord
    district: District
    latitude: Decimal
    longitude: Decimal


def _refused(code: str, message_ar: str, message_en: str, field: str) -> DomainError:
    return DomainError(f"permits.{code}", message_ar, message_en, field=field)


def coordinate_parse(value, *, field: str, limit: int) -> Decimal:
    """A latitude (limit 90) or longitude (limit 180) in decimal degrees, to six places;
    Arabic-Indic digits and the Arabic decimal separator are accepted."""
    text = digits_normalise(str(value if value is not None else "")).replace("٫", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) > limit:
        if field == "latitude":
            raise _refused("coordinates_malformed",
                           "خط العرض رقم عشري بين -90 و90، مثل 26.250000.",
                           "A latitude is a decimal number between -90 and 90, e.g. 26.250000.",
                           field)
        raise _refused("coordinates_malformed",
                       "خط الطول رقم عشري بين -180 و180، مثل 50.150000.",
                       "A longitude is a decimal number between -180 and 180, e.g. 50.150000.",
                       field)
    return number.quantize(COORDINATE_PLACES, rounding=ROUND_HALF_EVEN)


def _deed_lookup(deed_number: str) -> DeedRecord | None:
    try:
        return deed_registry().deed_lookup(deed_number=deed_number)
    except DeedRegistryUnavailable as down:
        raise DomainError("permits.deed_registry_unavailable",
                          "تعذّر التحقق من الصك الآن؛ حاول بعد قليل.",
                          "The deed cannot be checked right now; please try again shortly.",
                          field="deed_number", status=503) from down


def parcel_check(*, municipality: Municipality, deed_number: str, deed_date: dt.date | None,
                 district_code: str, latitude, longitude) -> ParcelFacts:
    """Every rule of a parcel, read-only: refusals name the field they are about."""
    number = deed_number_normalise(deed_number)
    if number is None:
        raise _refused("deed_number_malformed", "رقم الصك أرقام فقط، كما هو مكتوب في الصك.",
                       "A deed number is digits only, as written on the deed.", "deed_number")
    if deed_date is None:
        raise _refused("deed_date_required", "اكتب تاريخ الصك.", "Enter the deed's date.",
                       "deed_date")
    deed = _deed_lookup(number)
    if deed is None:
        raise _refused("deed_unknown", "لا يوجد صك بهذا الرقم في سجل الصكوك.",
                       "The deed registry has no deed with this number.", "deed_number")
    if deed.date != deed_date:
        raise _refused("deed_date_mismatch", "تاريخ الصك لا يطابق تاريخه في سجل الصكوك.",
                       "The deed's date does not match the registry's.", "deed_date")
    if not deed.is_active:
        raise _refused("deed_inactive",
                       "هذا الصك غير ساري (ملغى أو مستبدل بصك آخر).",
                       "This deed is no longer in force (cancelled or replaced).", "deed_number")
    if deed.municipality_code != municipality.code:
        raise _refused("deed_other_municipality",
                       "هذا الصك لأرض خارج نطاق هذه البلدية.",
                       "This deed is for land outside this municipality.", "deed_number")
    district = District.objects.filter(municipality=municipality,
                                       code=(district_code or "").strip()).first()
    if district is None:
        raise _refused("district_unknown", "اختر الحي من القائمة.",
                       "Choose the district from the list.", "district_code")
    if district.code != deed.district_code:
        raise _refused("district_not_deeds", "الحي المختار ليس الحي المذكور في الصك.",
                       "The district chosen is not the deed's district.", "district_code")
    lat = coordinate_parse(latitude, field="latitude", limit=90)
    lng = coordinate_parse(longitude, field="longitude", limit=180)
    if not district.contains(lat, lng):
        field = "latitude" if not district.south <= lat <= district.north else "longitude"
        raise DomainError(
            "permits.location_outside_district",
            f"الموقع خارج حدود {district.name_ar}: خط العرض بين {district.south} و"
            f"{district.north}، وخط الطول بين {district.west} و{district.east}.",
            f"The location is outside {district.name_en}: latitude between {district.south} "
            f"and {district.north}, longitude between {district.west} and {district.east}.",
            field=field)
    return ParcelFacts(deed=deed, district=district, latitude=lat, longitude=lng)


def _parcel_write(municipality: Municipality, facts: ParcelFacts) -> Parcel:
    deed = facts.deed
    # One row per deed: confirming it again refreshes what the registry says and where it is.
    parcel, _created = Parcel.objects.update_or_create(
        deed_number=deed.number,
        defaults={"municipality": municipality, "district": facts.district,
                  "deed_date": deed.date, "owner_id": deed.owner_id,
                  "plan_number": deed.plan_number, "parcel_number": deed.parcel_number,
                  "area_m2": deed.area_m2, "zone": deed.zone, "latitude": facts.latitude,
                  "longitude": facts.longitude, "verified_at": clock.now()})
    return parcel


@transaction.atomic
def parcel_confirm(*, municipality: Municipality, deed_number: str, deed_date: dt.date | None,
                   district_code: str, latitude, longitude) -> Parcel:
    """The parcel of a deed the registry confirms, in the district chosen and inside its
    bounds; created, or refreshed from the registry (one row per deed)."""
    facts = parcel_check(municipality=municipality, deed_number=deed_number,
                         deed_date=deed_date, district_code=district_code, latitude=latitude,
                         longitude=longitude)
    return _parcel_write(municipality, facts)


@transaction.atomic
def application_parcel_set(*, application_id: int, user, deed_number: str,
                           deed_date: dt.date | None, district_code: str, latitude, longitude,
                           expected_version: int | None = None) -> Parcel:
    """Set a draft's parcel: a deed the registry confirms (see parcel_confirm) whose owner is
    the owner the application names."""
    application = application_for_filer(application_id=application_id, user=user,
                                        expected_version=expected_version)
    facts = parcel_check(municipality=application.municipality, deed_number=deed_number,
                         deed_date=deed_date, district_code=district_code, latitude=latitude,
                         longitude=longitude)
    # A shop licence's place is anyone's deed: the lease, checked at submission, gives the
    # establishment the right to use it (PermitType.deed_owner_applies off).
    owner_applies = application.permit_type.deed_owner_applies
    owner_ids = application_owner_ids(application)
    if owner_applies and not owner_ids:
        raise DomainError("permits.owner_missing",
                          "أضف المالك في خطوة الأطراف قبل تحديد الأرض.",
                          "Name the owner in the parties step before setting the parcel.",
                          field="deed_number")
    if owner_applies and facts.deed.owner_id not in owner_ids:
        raise DomainError("permits.deed_owner_mismatch",
                          "المالك في الصك ليس المالك المذكور في الطلب.",
                          "The owner on the deed is not the owner named on the application.",
                          field="deed_number")
    previous = application.parcel.deed_number if application.parcel_id else ""
    parcel = _parcel_write(application.municipality, facts)
    application.parcel = parcel
    application_event_append(
        application, kind=ApplicationEventKind.PARCEL_SET, actor=user,
        payload={"deed_number": parcel.deed_number, "district": facts.district.code,
                 "latitude": str(parcel.latitude), "longitude": str(parcel.longitude),
                 **({"previous_deed_number": previous} if previous else {})})
    application_save(application, ["parcel"])
    return parcel
