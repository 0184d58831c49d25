"""Miscellaneous fees (a municipal challan): cashier staff bill a configured service."""

import uuid
from decimal import Decimal

from django.db import transaction

from amanah.counter import COUNTER_FEE_ROLES, counter_department, counter_refused
from amanah.errors import DomainError, PermissionDenied
from amanah.models import EService, Establishment, Municipality, Person
from amanah.rollout import eservice_start_check

from ..enums import BillCategory
from ..models import Bill
from ..registry import MISC_FEE
from .issuing import bill_issue
from .suspense import FINANCE_ROLES, finance_departments


@transaction.atomic
def misc_fee_issue(*, actor, municipality: Municipality, eservice: EService,
                   payer_person: Person | None = None,
                   payer_establishment: Establishment | None = None,
                   quantity: Decimal | str | None = None, description_ar: str = "",
                   description_en: str = "", reference: str = "",
                   at_counter: bool = False) -> Bill:
    """A cashier of the municipality's finance department bills a service at its scheduled fee
    (the amount always comes from the fee schedule, never typed by hand), where the service's
    rollout allows it: not where it is off; a pilot only by its own staff, which a cashier
    there is.

    `reference` is the paper challan's number when there is one; otherwise one is made up.

    `at_counter`: issued for a citizen at the municipality's counter, by a cashier or clerk who
    serves it (`amanah.counter`); the bill's first event records the counter."""
    if at_counter:
        if (payer_person is None or counter_department(
                actor, municipality=municipality, roles=COUNTER_FEE_ROLES) is None):
            raise counter_refused()
    elif not (getattr(actor, "is_superuser", False) and actor.is_active) and not any(
            d.municipality_id == municipality.pk for d in finance_departments(actor,
                                                                                FINANCE_ROLES)):
        raise PermissionDenied("payments.not_cashier",
                               "إصدار الرسوم المتنوعة لأمناء الصندوق في مالية البلدية فقط.",
                               "Only cashiers of this municipality's finance department may "
                               "issue miscellaneous fees.")
    eservice_start_check(eservice=eservice, municipality=municipality, user=actor,
                         field="eservice")
    description_ar = (description_ar or "").strip()[:300]
    description_en = (description_en or "").strip()[:300]
    if not description_ar and not description_en:
        raise DomainError("bill.description_required", "اكتب وصفاً للرسوم.",
                          "Describe what the fee is for.", field="description_ar")
    reference = (reference or "").strip() or f"MF-{uuid.uuid4().hex[:12].upper()}"
    return bill_issue(
        payable_kind=MISC_FEE, payable_ref=reference,
        municipality=municipality, eservice=eservice, category=BillCategory.FEE,
        payer_person=payer_person, payer_establishment=payer_establishment,
        fee_quantity=quantity, description_ar=description_ar or description_en,
        description_en=description_en or description_ar, issued_by=actor,
        channel="counter" if at_counter else "")
