"""A small permits world for tests: one branch municipality with its departments and staff, a
district with its bounds and zone, deeds in the local registry, an owner, an engineering office
and a contractor, and a building permit type with its fields, documents, parties and procedure.

Each part can also be made alone; `permits_world()` makes them all and returns them by name.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from amanah import clock
from amanah.enums import RolloutState, StaffRole
from payments.enums import FeeRuleKind
from payments.services.fees import fee_schedule_create
from permits.enums import (
    ApplicationStatus,
    DocumentSupplier,
    FeeStage,
    FieldKind,
    FiledBy,
    OfficeKind,
    PartyRole,
)
from permits.models import (
    Application,
    ApplicationParty,
    Checklist,
    ChecklistItem,
    District,
    LocalDeed,
    Parcel,
    PermitFeeRule,
    PermitType,
    PermitTypeDocument,
    PermitTypeField,
    PermitTypeParty,
    RegisteredOffice,
    ZoneRule,
)
from permits.procedures import permit_procedure
from tests.factories import (
    CitizenFactory,
    DepartmentFactory,
    EServiceFactory,
    EServiceRolloutFactory,
    EstablishmentFactory,
    MunicipalityFactory,
    StaffMembershipFactory,
    StaffUserFactory,
)
from workflow.services.definitions import definition_import

DEPARTMENT_CODES = ("engineering", "inspection", "legal", "customer_service", "finance")


def staff_make(department, role: str, username: str | None = None):
    user = StaffUserFactory(**({"username": username} if username else {}))
    StaffMembershipFactory(user=user, department=department, role=role)
    return user


def district_make(municipality, *, code: str = "north", zone: str = "res-a"):
    return District.objects.create(
        municipality=municipality, code=code, name_ar="حي الشمال", name_en="North district",
        south=Decimal("26.200000"), north=Decimal("26.300000"), west=Decimal("50.100000"),
        east=Decimal("50.200000"))


def zone_rule_make(*, zone: str = "res-a", municipality=None, **limits):
    values = {"max_floors": 3, "max_coverage_percent": Decimal("60.00"),
              "min_front_setback_m": Decimal("4.00"), "min_side_setback_m": Decimal("2.00"),
              "min_rear_setback_m": Decimal("2.00"), **limits}
    return ZoneRule.objects.create(municipality=municipality, zone=zone, name_ar="سكني أ",
                                   name_en="Residential A", **values)


def deed_make(*, owner_id: str, municipality_code: str, number: str = "310112345678",
              district_code: str = "north", area: str = "600.00", zone: str = "res-a",
              is_active: bool = True):
    return LocalDeed.objects.create(
        deed_number=number, deed_date=dt.date(2019, 3, 14), owner_id=owner_id,
        owner_name_ar="مالك تجريبي", municipality_code=municipality_code,
        district_code=district_code, plan_number="2145", parcel_number=number[-4:],
        area_m2=Decimal(area), zone=zone, is_active=is_active)


def parcel_make(*, municipality, district, deed, latitude="26.250000", longitude="50.150000"):
    return Parcel.objects.create(
        municipality=municipality, district=district, deed_number=deed.deed_number,
        deed_date=deed.deed_date, owner_id=deed.owner_id, plan_number=deed.plan_number,
        parcel_number=deed.parcel_number, area_m2=deed.area_m2, zone=deed.zone,
        latitude=Decimal(latitude), longitude=Decimal(longitude), verified_at=clock.now())


def office_make(municipality, *, kind: str = OfficeKind.ENGINEERING_OFFICE,
                licence_number: str | None = None, expires: dt.date | None = None):
    """A registered office with one person (who can sign in) working for it."""
    worker = CitizenFactory(municipality=municipality)
    establishment = EstablishmentFactory(municipality=municipality, representatives=[worker])
    office = RegisteredOffice.objects.create(
        establishment=establishment, kind=kind,
        licence_number=licence_number or f"EO-{establishment.unified_number[-6:]}",
        classification="A", licence_expires_on=expires or dt.date(2030, 1, 1))
    return office, worker


def checklist_make(code: str = "site-building"):
    checklist = Checklist.objects.create(code=code, name_ar="كشف موقع البناء",
                                         name_en="Building site inspection")
    for order, (item_code, ar, en) in enumerate([
            ("fence", "الموقع مسوّر", "The site is fenced"),
            ("setbacks", "الارتدادات مطابقة للمخطط", "Setbacks match the plan"),
            ("safety", "لوحة السلامة مثبتة", "The safety board is up")], start=1):
        ChecklistItem.objects.create(checklist=checklist, order=order * 10, code=item_code,
                                     text_ar=ar, text_en=en, photo_required_on_no=True)
    return checklist


BUILDING_FIELDS = [
    # key, step, kind, label_ar, label_en, extra
    ("floors", 1, FieldKind.INTEGER, "عدد الأدوار", "Number of floors",
     {"min_value": 1, "max_value": 30, "is_detail": True}),
    ("built_area_m2", 1, FieldKind.DECIMAL, "مسطح البناء", "Built-up area",
     {"min_value": 1, "unit_ar": "م²", "unit_en": "m²", "is_detail": True}),
    ("footprint_m2", 1, FieldKind.DECIMAL, "مساحة الدور الأرضي", "Ground floor footprint",
     {"min_value": 1, "unit_ar": "م²", "unit_en": "m²"}),
    ("use", 1, FieldKind.CHOICE, "الاستخدام", "Use",
     {"choices": [{"value": "residential", "ar": "سكني", "en": "Residential"},
                  {"value": "commercial", "ar": "تجاري", "en": "Commercial"}],
      "is_detail": True}),
    ("shop_count", 1, FieldKind.INTEGER, "عدد المحلات", "Number of shops",
     {"required": True, "min_value": 1, "shown_when": {"field": "use", "in": ["commercial"]}}),
    ("front_setback_m", 2, FieldKind.DECIMAL, "الارتداد الأمامي", "Front setback",
     {"min_value": 0, "unit_ar": "م", "unit_en": "m"}),
    ("side_setback_m", 2, FieldKind.DECIMAL, "الارتداد الجانبي", "Side setback",
     {"min_value": 0, "unit_ar": "م", "unit_en": "m"}),
    ("rear_setback_m", 2, FieldKind.DECIMAL, "الارتداد الخلفي", "Rear setback",
     {"min_value": 0, "unit_ar": "م", "unit_en": "m"}),
    ("notes", 2, FieldKind.TEXTAREA, "ملاحظات", "Notes", {"required": False, "max_length": 500}),
]


def building_type_make(municipality, *, code: str = "building_new", checklist=None,
                       inspection: bool = True, rollout: str = RolloutState.LIVE,
                       fee_stages=(FeeStage.APPLICATION, FeeStage.ISSUANCE)):
    """A building permit type filed by a design office with the owner's consent, its procedure
    published for `municipality` and its e-service rolled out there."""
    eservice = EServiceFactory(code=code, name_ar="رخصة بناء جديدة", name_en="New building permit")
    EServiceRolloutFactory(eservice=eservice, municipality=municipality, state=rollout)
    permit_type = PermitType.objects.create(
        code=code, eservice=eservice, name_ar="رخصة بناء جديدة", name_en="New building permit",
        description_ar="إصدار رخصة بناء لمبنى جديد", description_en="A permit to build anew",
        requirements_ar="صك ملكية ساري\nمخططات معتمدة من مكتب هندسي",
        requirements_en="A valid title deed\nPlans by a licensed engineering office",
        expected_days=10, validity_months=36, renewal_window_days=90, late_renewal_days=180,
        workflow_code=code, number_prefix="BP", filed_by=FiledBy.DESIGN_OFFICE,
        owner_consent_required=True, plan_check=True,
        inspection_checklist=(checklist or checklist_make()) if inspection else None,
        prerequisites=["no_unpaid_fines"])
    for order, (key, step, kind, label_ar, label_en, extra) in enumerate(BUILDING_FIELDS):
        PermitTypeField.objects.create(permit_type=permit_type, key=key, step=step,
                                       order=order * 10, kind=kind, label_ar=label_ar,
                                       label_en=label_en, **{"required": True, **extra})
    PermitTypeDocument.objects.create(
        permit_type=permit_type, kind="architectural_plans", order=10,
        name_ar="المخططات المعمارية", name_en="Architectural plans",
        content_types=["application/pdf"], max_bytes=5 * 1024 * 1024,
        supplied_by=DocumentSupplier.OFFICE)
    PermitTypeDocument.objects.create(
        permit_type=permit_type, kind="site_photo", order=20, name_ar="صورة الموقع",
        name_en="Site photo", content_types=["image/jpeg", "image/png"],
        max_bytes=2 * 1024 * 1024, supplied_by=DocumentSupplier.APPLICANT, required=False)
    for role, required in ((PartyRole.OWNER, True), (PartyRole.DESIGN_OFFICE, True),
                           (PartyRole.SUPERVISING_OFFICE, False),
                           (PartyRole.CONTRACTOR, False)):
        PermitTypeParty.objects.create(permit_type=permit_type, role=role, required=required)
    for stage in fee_stages:
        PermitFeeRule.objects.create(
            permit_type=permit_type, stage=stage,
            quantity_field="built_area_m2" if stage == FeeStage.ISSUANCE else "")
    # Application: a fixed 300.00; issuance: 2.50 per m² built, at least 500.00.
    if FeeStage.APPLICATION in fee_stages:
        fee_schedule_create(eservice=eservice, municipality_class=municipality.municipality_class,
                            kind=FeeRuleKind.FIXED, amount=Decimal("300.00"),
                            effective_from=dt.date(2020, 1, 1), component=FeeStage.APPLICATION)
    if FeeStage.ISSUANCE in fee_stages:
        fee_schedule_create(eservice=eservice, municipality_class=municipality.municipality_class,
                            kind=FeeRuleKind.RATE, amount=Decimal("2.50"),
                            minimum=Decimal("500.00"), unit_ar="م²", unit_en="m²",
                            effective_from=dt.date(2020, 1, 1), component=FeeStage.ISSUANCE)
    definition_import(data=permit_procedure(code=code, eservice=code, name_ar="رخصة بناء",
                                            name_en="Building permit", inspection=inspection),
                      municipality=municipality, publish=True)
    return permit_type


GOOD_ANSWERS = {"floors": 2, "built_area_m2": "420.00", "footprint_m2": "300.00",
                "use": "residential", "front_setback_m": "5.00", "side_setback_m": "2.50",
                "rear_setback_m": "2.00", "notes": ""}


@dataclass
class PermitsWorld:
    municipality: object
    departments: dict
    clerk: object
    reviewer: object
    head: object
    inspector: object
    district: object
    zone_rule: object
    owner: object  # a Person with a user
    deed: object
    parcel: object
    office: object
    office_worker: object  # a Person with a user, representative of the office
    contractor: object
    contractor_worker: object
    permit_type: object


def permits_world(*, code: str = "M900", municipality_class: int = 2,
                  inspection: bool = True) -> PermitsWorld:
    municipality = MunicipalityFactory(code=code, municipality_class=municipality_class)
    departments = {c: DepartmentFactory(municipality=municipality, code=c)
                   for c in DEPARTMENT_CODES}
    district = district_make(municipality)
    owner = CitizenFactory(municipality=municipality)
    deed = deed_make(owner_id=owner.national_id, municipality_code=municipality.code)
    office, office_worker = office_make(municipality)
    contractor, contractor_worker = office_make(municipality, kind=OfficeKind.CONTRACTOR)
    return PermitsWorld(
        municipality=municipality, departments=departments,
        clerk=staff_make(departments["engineering"], StaffRole.CLERK),
        reviewer=staff_make(departments["engineering"], StaffRole.REVIEWER),
        head=staff_make(departments["engineering"], StaffRole.HEAD),
        inspector=staff_make(departments["inspection"], StaffRole.INSPECTOR),
        district=district, zone_rule=zone_rule_make(), owner=owner, deed=deed,
        parcel=parcel_make(municipality=municipality, district=district, deed=deed),
        office=office, office_worker=office_worker, contractor=contractor,
        contractor_worker=contractor_worker,
        permit_type=building_type_make(municipality, inspection=inspection))


def application_draft_make(world: PermitsWorld, *, answers: dict | None = None,
                           with_parcel: bool = True) -> Application:
    """A draft an office prepared for the owner (rows written directly, not through services:
    for tests of what comes after drafting)."""
    application = Application.objects.create(
        permit_type=world.permit_type, municipality=world.municipality,
        parcel=world.parcel if with_parcel else None,
        answers=dict(GOOD_ANSWERS if answers is None else answers),
        owner_person=world.owner, filing_office=world.office,
        created_by=world.office_worker.user, status=ApplicationStatus.DRAFT)
    ApplicationParty.objects.create(application=application, role=PartyRole.OWNER,
                                    person=world.owner)
    ApplicationParty.objects.create(application=application, role=PartyRole.DESIGN_OFFICE,
                                    office=world.office, establishment=world.office.establishment)
    return application
