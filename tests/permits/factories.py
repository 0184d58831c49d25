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


# --- Submitted applications and what review needs (part REVIEW) ----------------------------


def application_fee_bill_make(application, *, stage: str = FeeStage.APPLICATION,
                              paid: bool = False):
    """Bill a stage of `application` through APPLY's application_fee_bill; `paid` marks the fee
    paid as the "permit_fee" on_paid would (the row written directly: for tests of what comes
    after)."""
    from django.db import transaction

    from permits.models import ApplicationFee
    from permits.services.applications import application_lock
    from permits.services.fees import application_fee_bill

    with transaction.atomic():
        fee = application_fee_bill(application=application_lock(application.pk), stage=stage)
    if paid:
        ApplicationFee.objects.filter(pk=fee.pk).update(paid_at=clock.now())
    return ApplicationFee.objects.select_related("bill").get(pk=fee.pk)


def application_submitted_make(world: PermitsWorld, *, answers: dict | None = None,
                               application_fee: str | None = "paid") -> Application:
    """A draft submitted as APPLY's application_submit leaves it: the case opened by the
    filing office's person for the owner, the application in review with its case, the case
    routed to "review". The application fee (when the type bills one) is "paid", "billed"
    or not billed (None)."""
    from django.db import transaction

    from permits.services.applications import (
        application_lock,
        application_save,
        application_status_change,
    )
    from workflow.services import case_route, case_submit

    application = application_draft_make(world, answers=answers)
    case = case_submit(kind=world.permit_type.workflow_code, municipality=world.municipality,
                       subject=f"{world.permit_type.name_ar} {application.reference}",
                       submitted_by=world.office_worker.user, applicant_person=world.owner)
    with transaction.atomic():
        locked = application_lock(application.pk)
        locked.case = case
        application_save(locked, ["case"])
        application_status_change(application=locked, to_status=ApplicationStatus.IN_REVIEW,
                                  actor=world.office_worker.user)
    case_route(case_id=case.pk)
    application = Application.objects.get(pk=application.pk)
    if application_fee and world.permit_type.fee_rules.filter(
            stage=FeeStage.APPLICATION).exists():
        application_fee_bill_make(application, paid=application_fee == "paid")
    return Application.objects.select_related("case__state").get(pk=application.pk)


def application_at_inspection_make(world: PermitsWorld, **kwargs) -> Application:
    """A submitted application whose plan passed and whose case a clerk sent for inspection."""
    from permits.services.plan_check import plan_check_run
    from workflow.services import case_transition

    application = application_submitted_make(world, **kwargs)
    plan_check_run(application_id=application.pk, actor=world.clerk)
    case_transition(case_id=application.case_id, action="send_to_inspection", actor=world.clerk)
    return Application.objects.select_related("case__state").get(pk=application.pk)


def slot_make(world: PermitsWorld, *, starts_at, capacity: int = 1, hours: int = 1):
    from permits.models import InspectionSlot

    return InspectionSlot.objects.create(
        department=world.departments["inspection"], inspector=world.inspector,
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=hours), capacity=capacity)


def application_document_make(application, *, kind: str = "architectural_plans",
                              content: bytes | None = None, user=None, version: int = 1):
    """A stored document of `application` (written directly, as the draft's upload left it)."""
    import hashlib

    from django.core.files.base import ContentFile

    from permits.models import ApplicationDocument
    from tests.samples import pdf

    data = content if content is not None else pdf()
    document = ApplicationDocument(
        application=application, kind=kind, version=version, original_name=f"{kind}.pdf",
        content_type="application/pdf", size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=user or application.created_by)
    document.file.save(f"{kind}-v{version}.pdf", ContentFile(data), save=False)
    document.save()
    return document


def application_decision_make(world: PermitsWorld, *, now, application=None,
                              **kwargs) -> Application:
    """An application (a new one submitted, or `application` in review) through the plan
    check and a passed site visit, its case at "decision" (the clock is left on the visit's
    day)."""
    from amanah import clock as amanah_clock
    from permits.services.inspections import inspection_book, inspection_record
    from permits.services.plan_check import plan_check_run
    from workflow.services import case_transition

    if application is None:
        application = application_at_inspection_make(world, **kwargs)
    else:
        plan_check_run(application_id=application.pk, actor=world.clerk)
        case_transition(case_id=application.case_id, action="send_to_inspection",
                        actor=world.clerk)
    slot = slot_make(world, starts_at=now + dt.timedelta(days=1), capacity=5)
    visit = inspection_book(application_id=application.pk, user=world.owner.user,
                            slot_id=slot.pk, purpose=world.permit_type.inspection_purpose)
    amanah_clock.freeze(slot.starts_at + dt.timedelta(minutes=30))
    inspection_record(inspection_id=visit.pk, inspector=world.inspector,
                      findings={item.code: {"answer": "yes"} for item in
                                world.permit_type.inspection_checklist.items.all()},
                      photos={})
    case_transition(case_id=application.case_id, action="inspection_passed",
                    actor=world.inspector)
    return Application.objects.select_related("case__state").get(pk=application.pk)


# --- The seeded excavation type in a branch (part EXCAVATION) --------------------------------


@dataclass
class ExcavationWorld:
    municipality: object  # branch KHB, class 1
    departments: dict
    clerk: object
    reviewer: object
    inspector: object
    owner: object
    parcel: object
    contractor: object
    contractor_worker: object
    other_contractor_worker: object
    permit_type: object


EXCAVATION_STEP_1 = {"utility": "water", "purpose": "إصلاح كسر خط مياه رئيسي",
                     "route": "26.2601,50.1801\n26.2611,50.1815", "route_length_m": "150",
                     "width_m": "0.8", "depth_m": "1.5", "surface": "asphalt"}
EXCAVATION_STEP_2 = {"start_date": "2026-03-01", "duration_days": "5"}


def excavation_world() -> ExcavationWorld:
    """The seeded catalogue loaded (the Amanah and its branches), the excavation e-service live
    in branch KHB (class 1) with its engineering and inspection departments and staff, an
    owner with a parcel in Al Olaya, and two contractors each with one person."""
    from permits.catalogue import catalogue_load
    from tests.permits.catalogue_world import catalogue_world_make

    world = catalogue_world_make()
    catalogue_load(log=lambda _: None)
    branch = world.branches["KHB"]
    permit_type = PermitType.objects.get(code="excavation_permit")
    EServiceRolloutFactory(eservice=permit_type.eservice, municipality=branch,
                           state=RolloutState.LIVE)
    departments = {c: DepartmentFactory(municipality=branch, code=c)
                   for c in ("engineering", "inspection")}
    owner = CitizenFactory(municipality=branch)
    deed = deed_make(owner_id=owner.national_id, municipality_code=branch.code,
                     number="410112345678", district_code="olaya")
    district = District.objects.get(municipality=branch, code="olaya")
    contractor, contractor_worker = office_make(branch, kind=OfficeKind.CONTRACTOR)
    _other, other_worker = office_make(branch, kind=OfficeKind.CONTRACTOR)
    return ExcavationWorld(
        municipality=branch, departments=departments,
        clerk=staff_make(departments["engineering"], StaffRole.CLERK),
        reviewer=staff_make(departments["engineering"], StaffRole.REVIEWER),
        inspector=staff_make(departments["inspection"], StaffRole.INSPECTOR),
        owner=owner, parcel=parcel_make(municipality=branch, district=district, deed=deed,
                                        latitude="26.260000", longitude="50.180000"),
        contractor=contractor, contractor_worker=contractor_worker,
        other_contractor_worker=other_worker, permit_type=permit_type)


def excavation_draft_complete(world: ExcavationWorld):
    """A complete excavation draft the contractor prepared for the owner, through the drafting
    services (the parcel written directly, as PARTIES' deed check would leave it)."""
    from permits.services.drafts import (
        application_answers_save,
        application_document_upload,
        application_draft_create,
    )
    from tests.samples import pdf, upload

    user = world.contractor_worker.user
    application = application_draft_create(
        user=user, permit_type_code="excavation_permit", municipality=world.municipality,
        on_behalf_of_owner_id=world.owner.national_id)
    application_answers_save(application_id=application.pk, user=user, step=1,
                             data=EXCAVATION_STEP_1)
    application_answers_save(application_id=application.pk, user=user, step=2,
                             data=EXCAVATION_STEP_2)
    Application.objects.filter(pk=application.pk).update(parcel=world.parcel)
    for kind in ("route_drawing", "traffic_plan", "utility_approval"):
        application_document_upload(application_id=application.pk, user=user, kind=kind,
                                    file=upload(f"{kind}.pdf", pdf(), "application/pdf"))
    return Application.objects.select_related("permit_type").get(pk=application.pk)
