"""The prerequisites of a commercial licence (named on its PermitType.prerequisites), run at
submission with the rest (permits/prerequisites.py). Each says every reason it refuses, in
both languages, naming the thing to correct (the CR number, the activity, the lease with its
end date, the zone) and the form field where it is corrected. A registry that cannot answer
refuses with "try again later": a check never passes because nobody could ask.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from amanah import clock
from amanah.dates import business_date, dual_date_format

from ..enums import RegistrationStatus
from ..models import Activity, Application
from ..prerequisites import Refusal, prerequisite_register
from ..services.fees import application_activities, validity_years
from ..services.permits import permit_valid_until
from .registries import (
    RegistryUnavailable,
    civil_defence_registry,
    commercial_registry,
    lease_registry,
)


def _today() -> dt.date:
    return business_date(clock.now())


def _answer(application: Application, key: str) -> str:
    return str((application.answers or {}).get(key) or "").strip()


def _unavailable(code: str, name_ar: str, name_en: str, field: str,
                 reference: str) -> list[Refusal]:
    return [Refusal(code, f"تعذّر التحقق لدى {name_ar} الآن؛ حاول لاحقًا.",
                    f"The {name_en} could not be asked now; please try again later.",
                    field=field, reference=reference)]


def _establishment_number(application: Application) -> str:
    establishment = application.owner_establishment
    return establishment.unified_number if establishment is not None else ""


def _activity_name(activity: Activity, language: str) -> str:
    name = activity.name_en or activity.name_ar if language == "en" else activity.name_ar
    return f"{name} ({activity.code})"


def licence_ends_on(application: Application, *, today: dt.date) -> dt.date | None:
    """The last day the licence would be valid if issued today, for the years chosen (one
    when not answered yet)."""
    permit_type = application.permit_type
    years = validity_years(permit_type, application.answers) or 1
    return permit_valid_until(start=today, validity_months=permit_type.validity_months * years)


@prerequisite_register("licence_activities_chosen")
def licence_activities_chosen(*, application: Application) -> list[Refusal]:
    if not application.permit_type.uses_activities or application_activities(application):
        return []
    return [Refusal("permits.activities_missing", "لم تُختر أنشطة الرخصة.",
                    "The licence's activities are not chosen.", field="activities")]


@prerequisite_register("commercial_registration_valid")
def commercial_registration_valid(*, application: Application) -> list[Refusal]:
    """The CR exists, is active and in date, is the establishment's, and lists every activity
    chosen."""
    number = _answer(application, "cr_number")
    if not number:
        return []  # the completeness check already asks for it
    try:
        record = commercial_registry().registration_lookup(cr_number=number)
    except RegistryUnavailable:
        return _unavailable("permits.commercial_registry_unavailable", "وزارة التجارة",
                            "commercial registry", "cr_number", number)
    if record is None:
        return [Refusal("permits.cr_not_found",
                        f"لا يوجد سجل تجاري برقم {number}.",
                        f"There is no commercial registration number {number}.",
                        field="cr_number", reference=number)]
    refusals = []
    if record.status != RegistrationStatus.ACTIVE:
        status_ar = {RegistrationStatus.SUSPENDED: "موقوف",
                     RegistrationStatus.STRUCK_OFF: "مشطوب"}.get(record.status, record.status)
        status_en = {RegistrationStatus.SUSPENDED: "suspended",
                     RegistrationStatus.STRUCK_OFF: "struck off"}.get(record.status,
                                                                      record.status)
        refusals.append(Refusal(
            "permits.cr_inactive",
            f"السجل التجاري رقم {number} غير نشط ({status_ar}).",
            f"Commercial registration {number} is not active ({status_en}).",
            field="cr_number", reference=number))
    elif record.expires_on < _today():
        refusals.append(Refusal(
            "permits.cr_expired",
            f"السجل التجاري رقم {number} منتهٍ في {dual_date_format(record.expires_on, 'ar')}.",
            f"Commercial registration {number} expired on "
            f"{dual_date_format(record.expires_on, 'en')}.",
            field="cr_number", reference=number))
    if record.unified_number != _establishment_number(application):
        refusals.append(Refusal(
            "permits.cr_not_establishments",
            f"السجل التجاري رقم {number} ليس مسجلًا باسم المنشأة مقدّمة الطلب.",
            f"Commercial registration {number} is not registered to the applying "
            "establishment.", field="cr_number", reference=number))
    for activity in application_activities(application):
        if activity.code not in record.activity_codes:
            refusals.append(Refusal(
                "permits.activity_not_on_cr",
                f"نشاط {_activity_name(activity, 'ar')} غير مقيد في السجل التجاري رقم "
                f"{number}.",
                f"The activity {_activity_name(activity, 'en')} is not on commercial "
                f"registration {number}.", field="activities", reference=number))
    return refusals


@prerequisite_register("lease_valid")
def lease_valid(*, application: Application) -> list[Refusal]:
    """The lease exists and is active, the establishment is its lessee, it is of the parcel's
    deed, it has started and it runs at least as long as the licence would."""
    number = _answer(application, "lease_contract_number")
    if not number:
        return []
    try:
        record = lease_registry().lease_lookup(contract_number=number)
    except RegistryUnavailable:
        return _unavailable("permits.lease_registry_unavailable", "منصة إيجار",
                            "lease registry", "lease_contract_number", number)
    field = "lease_contract_number"
    if record is None:
        return [Refusal("permits.lease_not_found", f"لا يوجد عقد إيجار برقم {number}.",
                        f"There is no lease contract number {number}.", field=field,
                        reference=number)]
    today = _today()
    refusals = []
    if not record.is_active:
        refusals.append(Refusal("permits.lease_terminated",
                                f"عقد الإيجار رقم {number} منتهٍ بالفسخ.",
                                f"Lease contract {number} was terminated.", field=field,
                                reference=number))
    if record.lessee_id != _establishment_number(application):
        refusals.append(Refusal("permits.lease_not_establishments",
                                f"المستأجر في عقد الإيجار رقم {number} ليس المنشأة مقدّمة الطلب.",
                                f"The lessee of lease contract {number} is not the applying "
                                "establishment.", field=field, reference=number))
    parcel = application.parcel
    if parcel is not None and record.deed_number != parcel.deed_number:
        refusals.append(Refusal("permits.lease_other_place",
                                f"عقد الإيجار رقم {number} ليس على الصك رقم {parcel.deed_number}.",
                                f"Lease contract {number} is not for deed {parcel.deed_number}.",
                                field=field, reference=number))
    if record.starts_on > today:
        refusals.append(Refusal(
            "permits.lease_not_started",
            f"عقد الإيجار رقم {number} يبدأ في {dual_date_format(record.starts_on, 'ar')}.",
            f"Lease contract {number} starts on {dual_date_format(record.starts_on, 'en')}.",
            field=field, reference=number))
    if record.ends_on < today:
        refusals.append(Refusal(
            "permits.lease_expired",
            f"عقد الإيجار رقم {number} منتهٍ في {dual_date_format(record.ends_on, 'ar')}.",
            f"Lease contract {number} expired on {dual_date_format(record.ends_on, 'en')}.",
            field=field, reference=number))
    else:
        ends = licence_ends_on(application, today=today)
        if ends is not None and record.ends_on < ends:
            refusals.append(Refusal(
                "permits.lease_too_short",
                f"عقد الإيجار رقم {number} ينتهي في {dual_date_format(record.ends_on, 'ar')} "
                f"قبل نهاية مدة الرخصة في {dual_date_format(ends, 'ar')}.",
                f"Lease contract {number} ends on {dual_date_format(record.ends_on, 'en')}, "
                f"before the licence would end on {dual_date_format(ends, 'en')}.",
                field=field, reference=number))
    return refusals


@prerequisite_register("civil_defence_valid")
def civil_defence_valid(*, application: Application) -> list[Refusal]:
    """Only when a chosen activity needs one: the civil defence certificate answered, active,
    of this establishment and place, valid today."""
    needing = [a for a in application_activities(application) if a.civil_defence_required]
    if not needing:
        return []
    field = "civil_defence_number"
    number = _answer(application, field)
    if not number:
        names_ar = "، ".join(_activity_name(a, "ar") for a in needing)
        names_en = ", ".join(_activity_name(a, "en") for a in needing)
        return [Refusal("permits.civil_defence_required",
                        f"يلزم رقم شهادة الدفاع المدني لنشاط {names_ar}.",
                        f"A civil defence certificate number is required for {names_en}.",
                        field=field)]
    try:
        record = civil_defence_registry().certificate_lookup(number=number)
    except RegistryUnavailable:
        return _unavailable("permits.civil_defence_registry_unavailable", "الدفاع المدني",
                            "civil defence registry", field, number)
    if record is None:
        return [Refusal("permits.civil_defence_not_found",
                        f"لا توجد شهادة دفاع مدني برقم {number}.",
                        f"There is no civil defence certificate number {number}.",
                        field=field, reference=number)]
    refusals = []
    if not record.is_active:
        refusals.append(Refusal("permits.civil_defence_inactive",
                                f"شهادة الدفاع المدني رقم {number} ملغاة.",
                                f"Civil defence certificate {number} is cancelled.",
                                field=field, reference=number))
    if record.unified_number != _establishment_number(application):
        refusals.append(Refusal("permits.civil_defence_not_establishments",
                                f"شهادة الدفاع المدني رقم {number} ليست باسم المنشأة.",
                                f"Civil defence certificate {number} is not the "
                                "establishment's.", field=field, reference=number))
    parcel = application.parcel
    if parcel is not None and record.deed_number != parcel.deed_number:
        refusals.append(Refusal("permits.civil_defence_other_place",
                                f"شهادة الدفاع المدني رقم {number} ليست للصك رقم "
                                f"{parcel.deed_number}.",
                                f"Civil defence certificate {number} is not for deed "
                                f"{parcel.deed_number}.", field=field, reference=number))
    if record.valid_until < _today():
        refusals.append(Refusal(
            "permits.civil_defence_expired",
            f"شهادة الدفاع المدني رقم {number} منتهية في "
            f"{dual_date_format(record.valid_until, 'ar')}.",
            f"Civil defence certificate {number} expired on "
            f"{dual_date_format(record.valid_until, 'en')}.", field=field, reference=number))
    return refusals


@prerequisite_register("activities_zone_allowed")
def activities_zone_allowed(*, application: Application) -> list[Refusal]:
    """The parcel's zone is one each activity allows (an activity naming no zone allows any)."""
    parcel = application.parcel
    if parcel is None:
        return []
    zone = parcel.zone or ""
    return [Refusal("permits.activity_zone_not_allowed",
                    f"نشاط {_activity_name(a, 'ar')} غير مسموح في منطقة التنظيم «{zone}» "
                    f"للصك رقم {parcel.deed_number}.",
                    f"The activity {_activity_name(a, 'en')} is not allowed in zone “{zone}” "
                    f"of deed {parcel.deed_number}.", field="activities", reference=zone)
            for a in application_activities(application)
            if a.allowed_zones and zone not in a.allowed_zones]


@prerequisite_register("activities_area_enough")
def activities_area_enough(*, application: Application) -> list[Refusal]:
    """The shop area is at least each activity's minimum."""
    try:
        area = Decimal(_answer(application, "shop_area_m2"))
    except InvalidOperation:
        return []  # not answered (or not a number): the completeness check says so
    return [Refusal("permits.activity_area_too_small",
                    f"مساحة المحل {area} م² أقل من الحد الأدنى لنشاط "
                    f"{_activity_name(a, 'ar')} وهو {a.min_area_m2} م².",
                    f"The shop area of {area} m² is below the minimum of {a.min_area_m2} m² "
                    f"for {_activity_name(a, 'en')}.", field="shop_area_m2")
            for a in application_activities(application)
            if a.min_area_m2 is not None and area < a.min_area_m2]
