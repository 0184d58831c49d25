"""A small licensing world for tests of commercial licences (issue 10): a branch municipality
with a licensing department and its staff, a commercial district, a shop's parcel with its
deed, an establishment with its delegate (and another one, and a plain citizen, for access
tests), the licence type with its fields, fee rules and schedules, three activities (two
instant, one reviewed with the "food" tariff and a civil defence certificate), a signage
sub-permit type, and the stand-in registries' rows that make every check pass.

`licence_world()` makes it all; `licence_draft_make` and `licence_issue_make` write rows
directly (not through services) for tests of what comes after drafting or issue.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from amanah.enums import RolloutState, StaffRole
from payments.enums import FeeRuleKind
from payments.services.fees import fee_schedule_create
from permits.enums import (
    ApplicationStatus,
    FeeStage,
    FieldKind,
    FiledBy,
    PartyRole,
    RegistrationStatus,
)
from permits.models import (
    Activity,
    Application,
    ApplicationActivity,
    ApplicationParty,
    LocalCivilDefenceCertificate,
    LocalCommercialRegistration,
    LocalLease,
    Permit,
    PermitFeeRule,
    PermitType,
    PermitTypeDocument,
    PermitTypeField,
    PermitTypeParty,
)
from permits.procedures import permit_procedure
from tests.factories import (
    CitizenFactory,
    DepartmentFactory,
    EServiceFactory,
    EServiceRolloutFactory,
    EstablishmentFactory,
    MunicipalityFactory,
)
from tests.permits.factories import (
    checklist_make,
    deed_make,
    district_make,
    parcel_make,
    staff_make,
    zone_rule_make,
)
from workflow.services.definitions import definition_import

LICENCE_CODE = "commercial_license"
SIGNAGE_CODE = "signage_permit"
DEPARTMENT_CODES = ("licensing", "inspection", "legal", "customer_service", "finance",
                    "engineering")
SCHEDULES_FROM = dt.date(2020, 1, 1)
GROCERY, BARBER, RESTAURANT = "471101", "960201", "561001"
CR_NUMBER, INACTIVE_CR_NUMBER = "1010123456", "1010999999"
LEASE_NUMBER, CIVIL_DEFENCE_NUMBER = "LS-2026-0001", "CD-55501"

LICENCE_FIELDS = [
    # key, kind, label_ar, label_en, extra
    ("trade_name", FieldKind.TEXT, "الاسم التجاري", "Trade name",
     {"max_length": 120, "is_detail": True}),
    ("cr_number", FieldKind.TEXT, "رقم السجل التجاري", "Commercial registration number",
     {"pattern": r"^[0-9]{10}$", "is_detail": True}),
    ("lease_contract_number", FieldKind.TEXT, "رقم عقد الإيجار", "Lease contract number",
     {"max_length": 20, "is_detail": True}),
    ("civil_defence_number", FieldKind.TEXT, "رقم شهادة الدفاع المدني",
     "Civil defence certificate number", {"required": False, "max_length": 20}),
    ("shop_area_m2", FieldKind.DECIMAL, "مساحة المحل", "Shop area",
     {"min_value": 1, "max_value": 100000, "unit_ar": "م²", "unit_en": "m²",
      "is_detail": True}),
    ("signage_area_m2", FieldKind.DECIMAL, "مساحة اللوحة", "Signage area",
     {"required": False, "min_value": 0, "max_value": 500, "unit_ar": "م²", "unit_en": "m²",
      "is_detail": True}),
    ("validity_years", FieldKind.CHOICE, "مدة الرخصة", "Licence period",
     {"choices": [{"value": "1", "ar": "سنة", "en": "1 year"},
                  {"value": "2", "ar": "سنتان", "en": "2 years"},
                  {"value": "3", "ar": "ثلاث سنوات", "en": "3 years"}], "is_detail": True}),
]

GOOD_LICENCE_ANSWERS = {"trade_name": "بقالة النخيل", "cr_number": CR_NUMBER,
                        "lease_contract_number": LEASE_NUMBER, "civil_defence_number": "",
                        "shop_area_m2": "60.00", "signage_area_m2": "3.00",
                        "validity_years": "1"}

# Class-2 tariffs (SAR): the standard one and the "food" one for restaurants.
LICENCE_SCHEDULES = [
    # stage, kind, amount, minimum, unit (ar, en), variant
    (FeeStage.ISSUANCE, FeeRuleKind.RATE, "10.00", "300.00", ("م² سنويًا", "m² a year"), ""),
    (FeeStage.ISSUANCE, FeeRuleKind.RATE, "15.00", "500.00", ("م² سنويًا", "m² a year"), "food"),
    (FeeStage.SIGNAGE, FeeRuleKind.RATE, "200.00", None, ("م² سنويًا", "m² a year"), ""),
    (FeeStage.RENEWAL, FeeRuleKind.RATE, "10.00", "300.00", ("م² سنويًا", "m² a year"), ""),
    (FeeStage.RENEWAL, FeeRuleKind.RATE, "15.00", "500.00", ("م² سنويًا", "m² a year"), "food"),
    (FeeStage.LATE_RENEWAL, FeeRuleKind.FIXED, "500.00", None, ("", ""), ""),
    (FeeStage.AMENDMENT, FeeRuleKind.FIXED, "200.00", None, ("", ""), ""),
    (FeeStage.REPLACEMENT, FeeRuleKind.FIXED, "100.00", None, ("", ""), ""),
    (FeeStage.CANCELLATION, FeeRuleKind.RATE, "50.00", None, ("شهر متبقٍ", "month left"), ""),
]
LICENCE_RULES = [
    # stage, quantity_field, per_year
    (FeeStage.ISSUANCE, "shop_area_m2", True),
    (FeeStage.SIGNAGE, "signage_area_m2", True),
    (FeeStage.RENEWAL, "shop_area_m2", True),
    (FeeStage.LATE_RENEWAL, "", False),
    (FeeStage.AMENDMENT, "", False),
    (FeeStage.REPLACEMENT, "", False),
    (FeeStage.CANCELLATION, "", False),
]


def licence_type_make(municipality, *, rollout: str = RolloutState.LIVE) -> PermitType:
    """The commercial licence type, its e-service rolled out in `municipality`, its fees for
    the municipality's class and its review procedure (licensing review, shop inspection,
    decision) published there."""
    eservice = EServiceFactory(code=LICENCE_CODE, name_ar="رخصة محل تجاري",
                               name_en="Commercial shop licence")
    EServiceRolloutFactory(eservice=eservice, municipality=municipality, state=rollout)
    permit_type = PermitType.objects.create(
        code=LICENCE_CODE, eservice=eservice, name_ar="رخصة محل تجاري",
        name_en="Commercial shop licence", description_ar="رخصة لمزاولة نشاط تجاري في محل",
        description_en="A licence to run a business from a shop", expected_days=5,
        validity_months=12, renewal_window_days=90, late_renewal_days=180,
        workflow_code=LICENCE_CODE, number_prefix="CL", filed_by=FiledBy.ESTABLISHMENT,
        uses_activities=True, deed_owner_applies=False, validity_years_field="validity_years",
        inspection_checklist=checklist_make("shop-compliance"),
        prerequisites=["no_unpaid_fines", "licence_activities_chosen",
                       "commercial_registration_valid", "lease_valid", "civil_defence_valid",
                       "activities_zone_allowed", "activities_area_enough"])
    for order, (key, kind, label_ar, label_en, extra) in enumerate(LICENCE_FIELDS, start=1):
        PermitTypeField.objects.create(permit_type=permit_type, key=key, step=1,
                                       order=order * 10, kind=kind, label_ar=label_ar,
                                       label_en=label_en, **{"required": True, **extra})
    PermitTypeDocument.objects.create(
        permit_type=permit_type, kind="shop_photo", order=10, name_ar="صورة واجهة المحل",
        name_en="Photo of the shop front", content_types=["image/jpeg", "image/png"],
        max_bytes=2 * 1024 * 1024, required=False)
    for role, required in ((PartyRole.OWNER, True), (PartyRole.DELEGATE, True)):
        PermitTypeParty.objects.create(permit_type=permit_type, role=role, required=required)
    for stage, quantity_field, per_year in LICENCE_RULES:
        PermitFeeRule.objects.create(permit_type=permit_type, stage=stage,
                                     quantity_field=quantity_field, per_year=per_year)
    for stage, kind, amount, minimum, (unit_ar, unit_en), variant in LICENCE_SCHEDULES:
        fee_schedule_create(eservice=eservice, municipality_class=municipality.municipality_class,
                            kind=kind, amount=Decimal(amount),
                            minimum=Decimal(minimum) if minimum else None, unit_ar=unit_ar,
                            unit_en=unit_en, effective_from=SCHEDULES_FROM, component=stage,
                            variant=variant)
    definition_import(data=permit_procedure(code=LICENCE_CODE, eservice=LICENCE_CODE,
                                            name_ar="رخصة محل تجاري",
                                            name_en="Commercial shop licence",
                                            review_department="licensing", inspection=True),
                      municipality=municipality, publish=True)
    return permit_type


def signage_type_make(municipality, licence_type: PermitType) -> PermitType:
    """The signage sub-permit: hangs from a valid shop licence, reviewed without inspection,
    a fixed issuance fee of 150.00."""
    eservice = EServiceFactory(code=SIGNAGE_CODE, name_ar="رخصة لوحة تجارية",
                               name_en="Shop sign permit")
    EServiceRolloutFactory(eservice=eservice, municipality=municipality, state=RolloutState.LIVE)
    permit_type = PermitType.objects.create(
        code=SIGNAGE_CODE, eservice=eservice, name_ar="رخصة لوحة تجارية",
        name_en="Shop sign permit", expected_days=3, validity_months=12,
        renewal_window_days=60, late_renewal_days=90, workflow_code=SIGNAGE_CODE,
        number_prefix="SG", filed_by=FiledBy.ESTABLISHMENT, base_permit_type=licence_type,
        is_sub_permit=True, deed_owner_applies=False,
        prerequisites=["base_permit_valid", "sub_permit_allowed", "no_unpaid_fines"])
    PermitTypeField.objects.create(
        permit_type=permit_type, key="sign_area_m2", step=1, order=10, kind=FieldKind.DECIMAL,
        label_ar="مساحة اللوحة", label_en="Sign area", min_value=Decimal("0.5"),
        max_value=Decimal("100"), unit_ar="م²", unit_en="m²", is_detail=True)
    PermitTypeParty.objects.create(permit_type=permit_type, role=PartyRole.OWNER, required=True)
    PermitFeeRule.objects.create(permit_type=permit_type, stage=FeeStage.ISSUANCE)
    fee_schedule_create(eservice=eservice, municipality_class=municipality.municipality_class,
                        kind=FeeRuleKind.FIXED, amount=Decimal("150.00"),
                        effective_from=SCHEDULES_FROM, component=FeeStage.ISSUANCE)
    definition_import(data=permit_procedure(code=SIGNAGE_CODE, eservice=SIGNAGE_CODE,
                                            name_ar="رخصة لوحة تجارية",
                                            name_en="Shop sign permit",
                                            review_department="licensing", inspection=False),
                      municipality=municipality, publish=True)
    return permit_type


def activity_make(code: str, name_ar: str, name_en: str, **values) -> Activity:
    defaults = {"is_instant": True, "self_declaration_ar": f"أقر بأن محل {name_ar} مستوفٍ "
                                                           "للاشتراطات البلدية.",
                "self_declaration_en": f"I declare that the {name_en.lower()} meets the "
                                       "municipal requirements.",
                "allowed_zones": ["com-a"]}
    sub_permits = values.pop("sub_permit_types", ())
    activity = Activity.objects.create(code=code, name_ar=name_ar, name_en=name_en,
                                       **{**defaults, **values})
    activity.sub_permit_types.set(sub_permits)
    return activity


@dataclass
class LicenceWorld:
    municipality: object
    departments: dict
    clerk: object
    reviewer: object
    head: object
    inspector: object
    district: object
    landlord: object  # the Person whose deed the shop is on
    deed: object
    parcel: object
    establishment: object
    delegate: object  # a Person with a user, representative of `establishment`
    other_establishment: object
    other_delegate: object
    citizen: object  # a Person with a user, nobody's representative
    licence_type: object
    signage_type: object
    activities: dict  # by code: GROCERY and BARBER instant, RESTAURANT reviewed
    registration: object
    lease: object
    civil_defence: object


def licence_world(*, code: str = "M910", municipality_class: int = 2) -> LicenceWorld:
    municipality = MunicipalityFactory(code=code, municipality_class=municipality_class)
    departments = {c: DepartmentFactory(municipality=municipality, code=c)
                   for c in DEPARTMENT_CODES}
    district = district_make(municipality)
    zone_rule_make(zone="com-a", max_floors=4)
    landlord = CitizenFactory(municipality=municipality)
    deed = deed_make(owner_id=landlord.national_id, municipality_code=municipality.code,
                     number="410112345678", zone="com-a", area="400.00")
    delegate = CitizenFactory(municipality=municipality)
    establishment = EstablishmentFactory(municipality=municipality, representatives=[delegate],
                                         name_ar="مؤسسة النخيل التجارية",
                                         name_en="Al Nakheel Trading")
    other_delegate = CitizenFactory(municipality=municipality)
    other_establishment = EstablishmentFactory(municipality=municipality,
                                               representatives=[other_delegate])
    licence_type = licence_type_make(municipality)
    signage_type = signage_type_make(municipality, licence_type)
    activities = {
        GROCERY: activity_make(GROCERY, "بقالة", "Grocery", min_area_m2=Decimal("20"),
                               sample_inspection_percent=20,
                               sub_permit_types=[signage_type]),
        BARBER: activity_make(BARBER, "حلاقة رجالية", "Men's barber", min_area_m2=Decimal("12"),
                              sample_inspection_percent=10),
        RESTAURANT: activity_make(RESTAURANT, "مطعم", "Restaurant", is_instant=False,
                                  fee_variant="food", civil_defence_required=True,
                                  min_area_m2=Decimal("40"), sub_permit_types=[signage_type]),
    }
    return LicenceWorld(
        municipality=municipality, departments=departments,
        clerk=staff_make(departments["licensing"], StaffRole.CLERK),
        reviewer=staff_make(departments["licensing"], StaffRole.REVIEWER),
        head=staff_make(departments["licensing"], StaffRole.HEAD),
        inspector=staff_make(departments["inspection"], StaffRole.INSPECTOR),
        district=district, landlord=landlord, deed=deed,
        parcel=parcel_make(municipality=municipality, district=district, deed=deed),
        establishment=establishment, delegate=delegate,
        other_establishment=other_establishment, other_delegate=other_delegate,
        citizen=CitizenFactory(municipality=municipality),
        licence_type=licence_type, signage_type=signage_type, activities=activities,
        registration=LocalCommercialRegistration.objects.create(
            cr_number=CR_NUMBER, unified_number=establishment.unified_number,
            name_ar=establishment.name_ar, status=RegistrationStatus.ACTIVE,
            activity_codes=[GROCERY, BARBER, RESTAURANT], expires_on=dt.date(2031, 6, 30)),
        lease=LocalLease.objects.create(
            contract_number=LEASE_NUMBER, lessee_id=establishment.unified_number,
            deed_number=deed.deed_number, starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2030, 12, 31)),
        civil_defence=LocalCivilDefenceCertificate.objects.create(
            number=CIVIL_DEFENCE_NUMBER, unified_number=establishment.unified_number,
            deed_number=deed.deed_number, valid_until=dt.date(2028, 12, 31)),
    )


def licence_draft_make(world: LicenceWorld, *, activities=(GROCERY,),
                       answers: dict | None = None, establishment=None, delegate=None,
                       with_parcel: bool = True) -> Application:
    """A licence draft the delegate started for the establishment, activities chosen and
    answers given (rows written directly, not through services)."""
    establishment = establishment or world.establishment
    delegate = delegate or world.delegate
    application = Application.objects.create(
        permit_type=world.licence_type, municipality=world.municipality,
        parcel=world.parcel if with_parcel else None,
        answers=dict(GOOD_LICENCE_ANSWERS if answers is None else answers),
        owner_establishment=establishment, created_by=delegate.user,
        status=ApplicationStatus.DRAFT)
    ApplicationParty.objects.create(application=application, role=PartyRole.OWNER,
                                    establishment=establishment)
    ApplicationParty.objects.create(application=application, role=PartyRole.DELEGATE,
                                    person=delegate, establishment=establishment)
    for order, code in enumerate(activities, start=1):
        ApplicationActivity.objects.create(application=application,
                                           activity=world.activities[code], order=order)
    return application


def licence_issue_make(world: LicenceWorld, *, activities=(GROCERY,),
                       answers: dict | None = None, establishment=None,
                       delegate=None) -> Permit:
    """A licence issued today through permit_issue from a draft moved straight to issued (no
    case, no bills: for tests of what comes after issue)."""
    from permits.services.applications import application_lock, application_status_change
    from permits.services.permits import permit_issue

    application = licence_draft_make(world, activities=activities, answers=answers,
                                     establishment=establishment, delegate=delegate)
    with transaction.atomic():
        locked = application_lock(application.pk)
        for status in (ApplicationStatus.IN_REVIEW, ApplicationStatus.AWAITING_FEE):
            application_status_change(application=locked, to_status=status)
        permit = permit_issue(application=locked)
        application_status_change(application=locked, to_status=ApplicationStatus.ISSUED,
                                  payload={"permit": permit.number})
    return Permit.objects.get(pk=permit.pk)
