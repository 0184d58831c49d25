"""A small violations world for tests (issue 11): a class-2 branch municipality with its
inspection, legal and finance departments and their staff, an inspector of another
municipality, a citizen, an establishment (small) with its delegate, the "violation" and
"violation_objection" e-services live, the size shares, a three-item catalogue and a general
checklist asking about each item.

Items (class 2 ranges; shares large 100, medium 75, small 50, micro 25, individual 50):
- WARN: non-serious, 7 days to correct, 1,000–2,000, ×1/×2/×3 capped at 2× max (4,000)
- FINE: non-serious, no correction period (fined at once), 500–1,000; suspends the licence
  until paid
- SERIOUS: serious, 5,000–10,000, closure for 3 days (lifts when served), objections 10 days

`inspection_make` and `submitted_inspection_make` write rows directly and call
`notices_record` (not `inspection_submit`, which also seals evidence); `fine_issued_make` makes
an approved, billed fine whose bill SADAD accepted, without the approval case — for tests of
what comes after approval.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from amanah import clock
from amanah.dates import business_date
from amanah.enums import EstablishmentSize, OwningApp, RolloutState, StaffRole
from payments.enums import BillCategory
from payments.services.bills import bill_mark_registered
from payments.services.issuing import bill_issue
from tests.factories import (
    CitizenFactory,
    DepartmentFactory,
    EServiceFactory,
    EServiceRolloutFactory,
    EstablishmentFactory,
    MunicipalityFactory,
)
from tests.permits.factories import staff_make
from violations.enums import (
    Answer,
    InspectionEventKind,
    InspectionKind,
    InspectionStatus,
    LineStatus,
    OffenderKind,
    PenaltyKind,
    PenaltyLift,
    ShareSize,
    ViolationEventKind,
    ViolationStatus,
)
from violations.models import (
    Checklist,
    ChecklistQuestion,
    Finding,
    Inspection,
    ItemFine,
    SizeShare,
    Violation,
    ViolationGroup,
    ViolationItem,
)
from violations.payables import PAYABLE_KIND
from violations.services.notices import notices_record
from violations.services.records import (
    inspection_event_append,
    inspection_lock,
    inspection_status_change,
    line_status_change,
    number_next,
    violation_lock,
    violation_status_change,
)

SHARES = {ShareSize.LARGE: "100", ShareSize.MEDIUM: "75", ShareSize.SMALL: "50",
          ShareSize.MICRO: "25", ShareSize.INDIVIDUAL: "50"}
EPOCH = dt.date(2020, 1, 1)


@dataclass
class ViolationsWorld:
    municipality: object
    other_municipality: object
    inspection_department: object
    legal_department: object
    finance_department: object
    inspector: object  # inspection / inspector
    approver: object  # inspection / head
    legal_reviewer: object  # legal / reviewer
    legal_head: object  # legal / head
    cashier: object  # finance / cashier
    other_inspector: object  # inspector of the other municipality
    citizen: object  # a person with an account
    delegate: object  # represents the establishment
    establishment: object
    outsider: object  # a citizen unrelated to anything
    eservice: object
    objection_eservice: object
    checklist: Checklist


def catalogue_make() -> dict[str, ViolationItem]:
    for size, percent in SHARES.items():
        SizeShare.objects.get_or_create(size=size, effective_from=EPOCH,
                                        defaults={"percent": Decimal(percent)})
    group, _ = ViolationGroup.objects.get_or_create(
        code="test", defaults={"name_ar": "مجموعة اختبار", "name_en": "Test group"})
    specs = {
        "WARN": dict(name_ar="عدم نظافة الواجهة", name_en="Dirty shop front",
                     correction_days=7, repeat_multipliers=["1", "2", "3"],
                     repeat_cap_factor=Decimal("2"), fines=("1000", "2000")),
        "FINE": dict(name_ar="عرض البضائع على الرصيف", name_en="Goods displayed on the pavement",
                     repeat_multipliers=["1", "2"], repeat_cap_factor=Decimal("1.5"),
                     penalty_kind=PenaltyKind.LICENCE_SUSPENSION,
                     penalty_lifts_on=PenaltyLift.PAID, fines=("500", "1000")),
        "SERIOUS": dict(name_ar="مواد غذائية منتهية الصلاحية", name_en="Expired food on sale",
                        is_serious=True, objection_days=10, repeat_multipliers=["1", "2"],
                        repeat_cap_factor=Decimal("2"), penalty_kind=PenaltyKind.CLOSURE,
                        penalty_days=3, penalty_lifts_on=PenaltyLift.SERVED,
                        fines=("5000", "10000")),
    }
    items = {}
    for code, spec in specs.items():
        fine_min, fine_max = spec.pop("fines")
        item, _ = ViolationItem.objects.get_or_create(
            code=code, effective_from=EPOCH, defaults={"group": group, **spec})
        for klass in range(1, 6):
            factor = Decimal(6 - klass) / Decimal(4)  # class 2 → ×1
            ItemFine.objects.get_or_create(
                item=item, municipality_class=klass,
                defaults={"fine_min": Decimal(fine_min) * factor,
                          "fine_max": Decimal(fine_max) * factor})
        items[code] = item
    return items


def checklist_make(items: dict[str, ViolationItem], *, code: str = "general") -> Checklist:
    checklist, _ = Checklist.objects.get_or_create(
        code=code, defaults={"name_ar": "قائمة عامة", "name_en": "General checklist",
                             "is_general": True})
    for position, (item_code, item) in enumerate(items.items(), start=1):
        ChecklistQuestion.objects.get_or_create(
            checklist=checklist, item_code=item_code,
            defaults={"position": position, "text_ar": f"هل المنشأة سليمة من: {item.name_ar}؟",
                      "text_en": f"Is the place free of: {item.name_en}?"})
    return checklist


def violations_world(*, code: str = "M911", municipality_class: int = 2) -> ViolationsWorld:
    municipality = MunicipalityFactory(code=code, municipality_class=municipality_class)
    other = MunicipalityFactory(code=f"{code[:3]}X", municipality_class=municipality_class)
    departments = {name: DepartmentFactory(municipality=municipality, code=name)
                   for name in ("inspection", "legal", "finance")}
    other_inspection = DepartmentFactory(municipality=other, code="inspection")
    eservice = EServiceFactory(code="violation", owning_app=OwningApp.VIOLATIONS,
                               name_ar="المخالفات البلدية", name_en="Municipal violations")
    objection_eservice = EServiceFactory(code="violation_objection",
                                         owning_app=OwningApp.VIOLATIONS,
                                         name_ar="الاعتراض على المخالفات",
                                         name_en="Objecting to a violation")
    for service in (eservice, objection_eservice):
        for place in (municipality, other):
            EServiceRolloutFactory(eservice=service, municipality=place, state=RolloutState.LIVE)
    delegate = CitizenFactory()
    establishment = EstablishmentFactory(municipality=municipality, size=EstablishmentSize.SMALL,
                                         representatives=[delegate])
    items = catalogue_make()
    return ViolationsWorld(
        municipality=municipality, other_municipality=other,
        inspection_department=departments["inspection"], legal_department=departments["legal"],
        finance_department=departments["finance"],
        inspector=staff_make(departments["inspection"], StaffRole.INSPECTOR),
        approver=staff_make(departments["inspection"], StaffRole.HEAD),
        legal_reviewer=staff_make(departments["legal"], StaffRole.REVIEWER),
        legal_head=staff_make(departments["legal"], StaffRole.HEAD),
        cashier=staff_make(departments["finance"], StaffRole.CASHIER),
        other_inspector=staff_make(other_inspection, StaffRole.INSPECTOR),
        citizen=CitizenFactory(), delegate=delegate, establishment=establishment,
        outsider=CitizenFactory(), eservice=eservice, objection_eservice=objection_eservice,
        checklist=checklist_make(items))


def offender_fields(world: ViolationsWorld, offender: str = "establishment") -> dict:
    if offender == "establishment":
        return {"offender_kind": OffenderKind.ESTABLISHMENT,
                "offender_key": f"E:{world.establishment.unified_number}",
                "establishment": world.establishment, "size": ShareSize.SMALL,
                "place_description": "محل تجاري", "district": "north",
                "latitude": Decimal("26.250000"), "longitude": Decimal("50.150000")}
    if offender == "person":
        person = world.citizen  # CitizenFactory makes the Person (with its user)
        return {"offender_kind": OffenderKind.PERSON, "offender_key": f"P:{person.national_id}",
                "person": person, "size": ShareSize.INDIVIDUAL, "district": "north"}
    return {"offender_kind": OffenderKind.PLACE, "offender_key": "L:north/plot-7",
            "size": ShareSize.INDIVIDUAL, "place_description": "أرض فضاء، قطعة ٧",
            "district": "north", "latitude": Decimal("26.251000"),
            "longitude": Decimal("50.151000")}


@transaction.atomic
def inspection_make(world: ViolationsWorld, *, offender: str = "establishment",
                    kind: str = InspectionKind.ROUTINE, inspector=None,
                    status: str = InspectionStatus.DRAFT, **values) -> Inspection:
    """An inspection in `status` (PLANNED or DRAFT), with its first event."""
    on = business_date(clock.now())
    inspection = Inspection(
        number=number_next(municipality=world.municipality, series="INS", on=on),
        municipality=world.municipality, kind=kind, status=InspectionStatus.PLANNED,
        checklist=world.checklist, inspector=inspector or world.inspector, planned_for=on,
        **{**offender_fields(world, offender), **values})
    event = inspection_event_append(inspection, kind=InspectionEventKind.PLANNED,
                                    actor=world.inspector, to_status=InspectionStatus.PLANNED)
    inspection.save()
    event.inspection = inspection
    event.save()
    if status == InspectionStatus.DRAFT:
        inspection = inspection_lock(inspection.pk)
        inspection.started_at = clock.now()
        inspection_status_change(inspection=inspection, to_status=InspectionStatus.DRAFT,
                                 kind=InspectionEventKind.STARTED, actor=world.inspector,
                                 extra_fields=["started_at"])
    return inspection


def findings_make(inspection: Inspection, *, no=(), na=()) -> None:
    """Answer every question of the inspection's checklist: "no" for the items in `no`."""
    questions = inspection.checklist.questions.all()
    if inspection.only_item_codes:
        questions = questions.filter(item_code__in=inspection.only_item_codes)
    for question in questions:
        answer = (Answer.NO if question.item_code in no
                  else Answer.NOT_APPLICABLE if question.item_code in na else Answer.YES)
        Finding.objects.update_or_create(
            inspection=inspection, question=question,
            defaults={"item_code": question.item_code, "answer": answer})


@transaction.atomic
def submitted_inspection_make(world: ViolationsWorld, *, no=("FINE",), **values
                              ) -> tuple[Inspection, list[Violation]]:
    """A submitted inspection and the notices its "no" answers made (evidence not sealed)."""
    inspection = inspection_make(world, **values)
    findings_make(inspection, no=no)
    inspection = inspection_lock(inspection.pk)
    inspection.submitted_at = clock.now()
    inspection_status_change(inspection=inspection, to_status=InspectionStatus.SUBMITTED,
                             kind=InspectionEventKind.SUBMITTED, actor=world.inspector,
                             extra_fields=["submitted_at"])
    return inspection, notices_record(inspection=inspection, actor=world.inspector)


@transaction.atomic
def fine_issued_make(world: ViolationsWorld, *, no=("FINE",), registered: bool = True,
                     **values) -> Violation:
    """An approved fine notice (ISSUED, lines PAYABLE) with one FINE bill for its total, which
    SADAD accepted unless `registered` is False. No approval case, no penalty, no notice."""
    _, notices = submitted_inspection_make(world, no=no, **values)
    fine = next(n for n in notices if n.kind == "fine")
    fine = violation_lock(fine.pk)
    fine.approved_at, fine.approved_by = clock.now(), world.approver
    violation_status_change(violation=fine, to_status=ViolationStatus.ISSUED,
                            kind=ViolationEventKind.APPROVED, actor=world.approver,
                            extra_fields=["approved_at", "approved_by"])
    on = business_date(clock.now())
    payer = ({"payer_establishment": fine.establishment} if fine.establishment_id
             else {"payer_person": fine.person})
    bill = bill_issue(payable_kind=PAYABLE_KIND, payable_ref=fine.number,
                      municipality=world.municipality, eservice=world.eservice,
                      category=BillCategory.FINE, amount=fine.total,
                      due_date=on + dt.timedelta(days=30), issued_by=world.approver, **payer)
    for line in fine.lines.order_by("id"):
        line.bill = bill
        line.objection_due = on + dt.timedelta(days=line.item.objection_days)
        line_status_change(violation=fine, line=line, to_status=LineStatus.PAYABLE,
                           actor=world.approver, extra_fields=["bill", "objection_due"])
    if registered:
        bill_mark_registered(bill_id=bill.pk, version=bill.version)
    return Violation.objects.get(pk=fine.pk)


# --- approval part (issue 11): the procedures, an approval case walked through ----------------


def procedures_make(world: ViolationsWorld) -> list[str]:
    """Publish "violation_approval" (and "violation_objection", once its guard and effect are
    registered) in the world's municipality."""
    from violations.procedures import violations_procedures_ensure

    return violations_procedures_ensure(municipality=world.municipality)


def approval_case_make(world: ViolationsWorld, fine: Violation):
    """The fine's approval case, opened and routed to the approval step (as the tasks do)."""
    from violations.services.approval import approval_case_open
    from workflow.services.cases import case_route

    case = approval_case_open(violation_id=fine.pk)
    return case_route(case_id=case.pk)


def fine_approved_make(world: ViolationsWorld, *, no=("FINE",), **values) -> Violation:
    """A fine approved through its case by the head (bill issued, penalties applied), as the
    `violations.approval_decided` task would do it."""
    from violations.services.approval import approval_decided, violation_approve
    from workflow.services.cases import case_transition

    procedures_make(world)
    _, notices = submitted_inspection_make(world, no=no, **values)
    fine = next(n for n in notices if n.kind == "fine")
    if not (fine.person_id or fine.establishment_id):  # no case: decided on the page
        violation_approve(violation_id=fine.pk, actor=world.approver)
        return Violation.objects.get(pk=fine.pk)
    case = approval_case_make(world, fine)
    case_transition(case_id=case.pk, action="approve", actor=world.approver, comment="ثابتة")
    approval_decided(case_id=case.pk)
    return Violation.objects.get(pk=fine.pk)
