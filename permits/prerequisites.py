"""Prerequisites: named checks a permit type lists (PermitType.prerequisites), run when an
application is submitted. Each says everything that stands in the way, with a reason in both
languages and where to settle it; an empty list means it passes. A name no check answers to
refuses: a prerequisite must never pass because nobody could ask it.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import get_language

from amanah import clock
from amanah.dates import business_date, dual_date_format
from amanah.obligations import obligations_for

from .deeds import DeedRegistryUnavailable, deed_registry
from .enums import PermitStatus
from .models import Application

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """One reason an application cannot be submitted yet."""

    code: str
    reason_ar: str
    reason_en: str
    link: str | None = None  # where to put it right (a bill to pay, a step of the form)
    field: str | None = None
    reference: str = ""  # the number the citizen quotes (a bill, a permit)

    def reason(self, language: str | None = None) -> str:
        return self.reason_en if (language or get_language() or "ar").startswith("en") \
            else self.reason_ar


Check = Callable[..., list[Refusal]]
_checks: dict[str, Check] = {}


def prerequisite_register(name: str):
    """Decorator: `fn(*, application) -> list[Refusal]` answers to `name`."""
    def register(fn: Check) -> Check:
        _checks[name] = fn
        return fn
    return register


def prerequisite_names() -> list[str]:
    return sorted(_checks)


def prerequisites_check(*, application: Application) -> list[Refusal]:
    """Every refusal of every prerequisite the application's type names, in the type's order."""
    refusals: list[Refusal] = []
    for name in application.permit_type.prerequisites or []:
        check = _checks.get(str(name))
        if check is None:
            logger.error("permit type %s names an unknown prerequisite %r",
                         application.permit_type.code, name)
            refusals.append(Refusal(
                "permits.prerequisite_unknown",
                "تعذّر التحقق من أحد اشتراطات الخدمة؛ تواصل مع البلدية.",
                "One of the service's conditions could not be checked; please contact the "
                "municipality."))
            continue
        refusals.extend(check(application=application))
    return refusals


@prerequisite_register("no_unpaid_fines")
def no_unpaid_fines(*, application: Application) -> list[Refusal]:
    """No fine left unpaid by the owner (person or establishment) or on the parcel."""
    if application.owner_person_id is None and application.owner_establishment_id is None \
            and application.parcel_id is None:
        return []
    owed = obligations_for(person=application.owner_person,
                           establishment=application.owner_establishment,
                           parcel_ref=application.parcel.reference if application.parcel_id
                           else None,
                           categories={"fine"})
    return [Refusal(o.code, o.reason_ar, o.reason_en, link=o.pay_url, reference=o.reference)
            for o in owed]


@prerequisite_register("parcel_deed_active")
def parcel_deed_active(*, application: Application) -> list[Refusal]:
    """The parcel's deed is still active in the deed registry (asked again at submission: a
    deed can be cancelled or replaced after the parcel was set)."""
    parcel = application.parcel
    if parcel is None:
        return []  # the completeness check already says the parcel is missing
    try:
        deed = deed_registry().deed_lookup(deed_number=parcel.deed_number)
    except DeedRegistryUnavailable:
        return [Refusal("permits.deed_registry_unavailable",
                        "تعذّر التحقق من الصك لدى سجل الصكوك الآن؛ حاول لاحقًا.",
                        "The deed could not be checked with the deed registry now; please try "
                        "again later.", field="parcel", reference=parcel.deed_number)]
    if deed is not None and deed.is_active:
        return []
    return [Refusal("permits.deed_inactive",
                    f"الصك رقم {parcel.deed_number} غير ساري في سجل الصكوك (ملغى أو مستبدل).",
                    f"Deed {parcel.deed_number} is not active in the deed registry (cancelled "
                    "or replaced).", field="parcel", reference=parcel.deed_number)]


@prerequisite_register("base_permit_valid")
def base_permit_valid(*, application: Application) -> list[Refusal]:
    """An application on an existing permit names one of the right type, valid today, held
    by the owner."""
    base_type = application.permit_type.base_permit_type
    if base_type is None:
        return []
    permit = application.permit
    name_ar, name_en = base_type.name_ar, base_type.name_en or base_type.name_ar
    if permit is None or permit.permit_type_id != base_type.pk:
        return [Refusal("permits.base_permit_required",
                        f"يلزم {name_ar} سارية باسم المالك.",
                        f"A valid {name_en} held by the owner is required.",
                        field="base_permit_number")]
    held = ((application.owner_person_id is not None
             and permit.holder_person_id == application.owner_person_id)
            or (application.owner_establishment_id is not None
                and permit.holder_establishment_id == application.owner_establishment_id))
    if not held:
        return [Refusal("permits.base_permit_not_owners",
                        f"الرخصة {permit.number} ليست باسم المالك.",
                        f"Permit {permit.number} is not held by the owner.",
                        field="base_permit_number", reference=permit.number)]
    today = business_date(clock.now())
    if permit.status != PermitStatus.VALID or (permit.valid_until is not None
                                               and permit.valid_until < today):
        until_ar = (f" (انتهت في {dual_date_format(permit.valid_until, 'ar')})"
                    if permit.valid_until and permit.valid_until < today else "")
        until_en = (f" (it ended on {dual_date_format(permit.valid_until, 'en')})"
                    if permit.valid_until and permit.valid_until < today else "")
        return [Refusal("permits.base_permit_not_valid",
                        f"الرخصة {permit.number} غير سارية{until_ar}.",
                        f"Permit {permit.number} is not valid{until_en}.",
                        field="base_permit_number", reference=permit.number)]
    return []
