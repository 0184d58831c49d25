"""Demo data for payments: fee schedules for the demo e-services and a few unpaid bills
registered with the simulated SADAD. Idempotent: a second run changes nothing."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings

from amanah.demo import eservice_start_page_ensure
from amanah.models import EService, Establishment, Municipality, Person

from .enums import FeeComponent, FeeRuleKind
from .models import Bill, FeeSchedule
from .registry import MISC_FEE
from .services import bill_issue, fee_schedule_create, outbox_flush

Log = Callable[[str], None]

SCHEDULES_FROM = dt.date(2026, 1, 1)

# service code → (kind, {class: amount or rate}, minimum, unit_ar, unit_en, name_ar, name_en)
FEES = {
    "misc_fee": (FeeRuleKind.FIXED, {1: "150", 2: "120", 3: "100", 4: "80", 5: "60"}, None,
                 "", "", "رسوم خدمات متنوعة", "Miscellaneous service fee"),
    "building_permit": (FeeRuleKind.RATE, {1: "3.00", 2: "2.50", 3: "2.00", 4: "1.50",
                                           5: "1.00"}, "500", "م²", "m²",
                        "رسوم رخصة البناء لكل متر مربع", "Building permit fee per m²"),
    "commercial_license": (FeeRuleKind.FIXED, {1: "1000", 2: "800", 3: "600", 4: "400",
                                               5: "300"}, None, "", "",
                           "رسوم رخصة المحل التجاري السنوية", "Annual shop licence fee"),
    "signage_permit": (FeeRuleKind.RATE, {1: "200", 2: "150", 3: "120", 4: "100", 5: "80"},
                       "200", "م²", "m²", "رسوم اللوحة لكل متر مربع", "Sign fee per m²"),
}

# (payable reference, payer national ID, Arabic description, English description)
DEMO_BILLS = [
    ("DEMO-MISC-1", "1012345672", "رسوم نسخة من مخطط معتمد", "Copy of an approved plan"),
    ("DEMO-MISC-2", "1023456781", "رسوم شهادة إشغال مؤقت للرصيف", "Temporary pavement use"),
    ("DEMO-MISC-3", "1034567899", "رسوم نقل مخلفات بناء", "Construction waste removal"),
    ("DEMO-MISC-4", "2012345670", "رسوم فحص موقع", "Site inspection fee"),
    ("DEMO-MISC-5", "2023456789", "رسوم بدل فاقد رخصة", "Replacement of a lost licence"),
    ("DEMO-MISC-6", "1012345672", "رسوم تأجير موقع فعالية", "Event site rental"),
]


def seed(*, log: Log) -> None:
    _seed_fee_schedules(log)
    counter_fee_seed(log)
    _seed_bills(log)
    eservice_start_page_ensure(code="bill_inquiry", url_name="payments:bill_inquiry", log=log)
    eservice_start_page_ensure(code="misc_fee", url_name="payments:my_bills", log=log)


def _seed_fee_schedules(log: Log) -> None:
    created = kept = 0
    for code, (kind, amounts, minimum, unit_ar, unit_en, name_ar, name_en) in FEES.items():
        service = EService.objects.filter(code=code).first()
        if service is None:
            log(f"fee schedules: e-service {code} not found (amanah demo not seeded?); skipped")
            continue
        for klass, amount in amounts.items():
            if FeeSchedule.objects.filter(eservice=service, municipality_class=klass,
                                          component=FeeComponent.MAIN,
                                          effective_from=SCHEDULES_FROM).exists():
                kept += 1
                continue
            fee_schedule_create(eservice=service, municipality_class=klass, kind=kind,
                                amount=Decimal(amount), effective_from=SCHEDULES_FROM,
                                minimum=Decimal(minimum) if minimum else None,
                                unit_ar=unit_ar, unit_en=unit_en, name_ar=name_ar,
                                name_en=name_en)
            created += 1
    log(f"fee schedules: {created} created, {kept} kept")


def _seed_bills(log: Log) -> None:
    service = EService.objects.filter(code=MISC_FEE).first()
    fallback = Municipality.objects.filter(code="KHB").first() or Municipality.objects.first()
    if service is None or fallback is None:
        log("bills: no misc_fee e-service or municipality yet; skipped")
        return
    created = kept = missing = 0
    for reference, national_id, description_ar, description_en in DEMO_BILLS:
        if Bill.objects.filter(payable_kind=MISC_FEE, payable_ref=reference).exists():
            kept += 1
            continue
        person = Person.objects.filter(national_id=national_id).first()
        if person is None:
            missing += 1
            continue
        bill_issue(payable_kind=MISC_FEE, payable_ref=reference,
                   municipality=person.municipality or fallback, eservice=service,
                   payer_person=person, description_ar=description_ar,
                   description_en=description_en)
        created += 1
    establishment = Establishment.objects.filter(unified_number="7001234567").first()
    signage = EService.objects.filter(code="signage_permit").first()
    if Bill.objects.filter(payable_kind=MISC_FEE, payable_ref="DEMO-SIGN-1").exists():
        kept += 1
    elif establishment and signage:
        bill_issue(payable_kind=MISC_FEE, payable_ref="DEMO-SIGN-1",
                   municipality=establishment.municipality or fallback, eservice=signage,
                   payer_establishment=establishment, fee_quantity="4.5",
                   description_ar="رسوم لوحة محل تجاري ٤٫٥ م²",
                   description_en="Shop sign fee, 4.5 m²")
        created += 1
    if missing:
        log(f"bills: {missing} demo citizens not found (amanah demo not seeded?); skipped them")
    if settings.PAYMENTS_GATEWAY == "simulator":
        counts = outbox_flush()
        log(f"bills: {created} created, {kept} kept; uploads to the simulated SADAD: "
            f"{counts['accepted']} accepted")
    else:
        log(f"bills: {created} created, {kept} kept; uploads wait for SADAD in the outbox")


# A fee issued at Khobar's counter for a walk-in citizen by the customer-service clerk.
COUNTER_FEE = ("DEMO-COUNTER-1", "1012345672", "رسوم شهادة مطابقة (صدرت في الكاونتر)",
               "Compliance certificate (issued at the counter)")


def counter_fee_seed(log: Log) -> None:
    from amanah.models import User

    from .services.misc_fees import misc_fee_issue

    reference, national_id, description_ar, description_en = COUNTER_FEE
    if Bill.objects.filter(payable_kind=MISC_FEE, payable_ref=reference).exists():
        log("counter fee: kept")
        return
    person = Person.objects.filter(national_id=national_id).select_related(
        "municipality").first()
    clerk = User.objects.filter(username="khb.customer_service.clerk", is_active=True).first()
    service = EService.objects.filter(code=MISC_FEE).first()
    if person is None or clerk is None or service is None or person.municipality is None:
        log("counter fee: demo citizen, clerk or misc_fee missing; skipped")
        return
    misc_fee_issue(actor=clerk, municipality=person.municipality, eservice=service,
                   payer_person=person, description_ar=description_ar,
                   description_en=description_en, reference=reference, at_counter=True)
    log("counter fee: 1 created")
