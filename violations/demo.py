"""Demo data for violations (issue 11), seeded after the licence demo: the catalogue, the two
procedures, the "violation" e-service's start page, and the whole story of a violation told
through the real services (inspection_open, finding_record, photo_add, inspection_submit, the
approval case moved by case_transition, objection_file), so that every page has something true:

- Khobar, Gulf Taste Foods' café (represented by Mohammed Arif Khan): one inspection finds
  workers without health certificates (a WARNING to correct within 14 days) and workers
  without uniforms (a FINE, approved by the inspection head: ISSUED, with its SADAD bill);
- Khobar, the demo citizen Abdullah Aldossary: waste dumped outside the places provided, a FINE
  awaiting the inspection head's approval (in the approver's queue);
- Khobar, Al Waha Contracting (represented by Abdullah Aldossary): a building's use changed
  without the municipality's approval, a FINE approved and objected to (in the legal queue);
- Dammam, City Corner Trading's barber shop: a clean inspection (every answer "yes");
- Khobar, Al Sahel Contracting's site: a ROUTINE inspection planned for today, the inspector's
  day;
- the licence demo's sampled stationery licence: its queued sample, offered again now that
  violations is in service, becomes a planned SAMPLE inspection in Dammam.

Each record is found by its stable marker, the inspection's source reference "demo:…": a
second run writes nothing. Tasks that the services queue after commit (the approval case, the
SMS, the notice PDF, the SADAD uploads) are idempotent, and the demo calls the ones the story
needs at once itself (the case is opened, routed and decided here), so a test database, where
nothing runs after commit, holds the same story.
"""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from amanah import clock
from amanah.dates import business_date
from amanah.demo import eservice_start_page_ensure
from amanah.enums import StaffRole
from amanah.errors import DomainError
from amanah.identity import luhn_check_digit
from amanah.models import Establishment, Municipality, User
from amanah.selectors import eservice_is_available
from payments.services.outbox import outbox_flush
from permits.public import establishment_licences, sample_inspections_queued_offer
from workflow.services.cases import case_route, case_transition

from .catalogue import Log, violation_catalogue_seed
from .enums import Answer, InspectionKind, NoticeKind, OffenderKind
from .models import Checklist, Inspection, Violation
from .procedures import violations_procedures_ensure
from .services.approval import approval_case_open, approval_decided
from .services.inspections import (
    finding_record,
    inspection_open,
    inspection_plan,
    inspection_submit,
    offender_resolve,
    photo_add,
)
from .services.objections import objection_file

# The offender's "my violations" page, built by the offender part.
START_PAGE = "violations:mine"
CAFE_OWNER = "7002000011"  # Gulf Taste Foods, the café of the licence demo (KHB)
CAFE_ACTIVITY = "563001"
BARBER_OWNER = "7002000029"  # City Corner Trading, the barber shop of the licence demo (DMM)
BARBER_ACTIVITY = "960201"
CONTRACTOR = "7001234567"  # Al Waha Contracting (KHB), represented by Abdullah Aldossary
SITE_CONTRACTOR = "7010200014"  # Al Sahel Contracting Co. (KHB)
CITIZEN = "101234567"  # Abdullah Aldossary (ID payload; the check digit is added)

def _photo_bytes() -> bytes:
    """A small evidence photo (a 16×16 PNG): enough for the upload check, tiny on disk."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (16, 16), (176, 132, 92)).save(out, format="PNG")
    return out.getvalue()


# marker, municipality, offender, checklist, kind, {"no" item: note}, what follows
STORIES = [
    ("demo:cafe", "KHB", "cafe", "cafe", InspectionKind.ROUTINE, {
        "HL-002": "ثلاثة عمال دون شهادات صحية سارية / three workers without valid health "
                  "certificates",
        "HL-006": "العاملون في التحضير دون قفازات أو غطاء شعر / kitchen staff without gloves "
                  "or hair covers"}, "approve"),
    ("demo:fine", "KHB", "citizen", "general-municipal", InspectionKind.COMPLAINT, {
        "PS-002": "أكياس نفايات منزلية على الرصيف المقابل / household waste bags left on the "
                  "pavement opposite"}, ""),
    ("demo:objection", "KHB", "contractor", "building-site", InspectionKind.COMPLAINT, {
        "BC-008": "تحويل الدور الأرضي السكني إلى مستودع / the residential ground floor turned "
                  "into a warehouse"}, "object"),
    ("demo:clean", "DMM", "barber", "barber", InspectionKind.ROUTINE, {}, ""),
]
OBJECTION_REASON = ("الدور الأرضي مستودع مؤقت لمواد المشروع وليس تغييرًا لاستخدام المبنى / the "
                    "ground floor holds the project's materials for now; the building's use "
                    "has not changed")
ROUTINE = "demo:routine"


def seed(*, log: Log) -> None:
    violation_catalogue_seed(log=log)
    published = violations_procedures_ensure()
    log("violations procedures @ Amanah: "
        + (", ".join(published) + " published" if published else "kept"))
    eservice_start_page_ensure(code="violation", url_name=START_PAGE, log=log)
    made = []
    for marker, municipality_code, offender, checklist, kind, no, then in STORIES:
        try:
            made.append(_story(marker=marker, municipality_code=municipality_code,
                               offender=offender, checklist_code=checklist, kind=kind, no=no,
                               then=then))
        except DomainError as refused:
            # e.g. an admin switched "violation" off in the municipality: the story is undone
            # (its savepoint), the rest of the demo goes on
            made.append(f"{marker} skipped ({refused.code})")
    try:
        made.append(_routine_plan())
    except DomainError as refused:
        made.append(f"{ROUTINE} skipped ({refused.code})")
    log("demo violations: " + "; ".join(made))
    sent = _sadad_flush()
    if sent:
        log(f"demo fine bills sent to the simulated SADAD: {sent}")
    handed = sample_inspections_queued_offer()
    if handed:
        log(f"licence samples handed over to violations: {handed}")


def _staff(municipality: Municipality, department: str, role: str) -> User | None:
    return (User.objects.filter(memberships__department__municipality=municipality,
                                memberships__department__code=department,
                                memberships__role=role, memberships__is_active=True)
            .order_by("pk").first())


def _licence_of(unified_number: str, activity: str):
    establishment = Establishment.objects.filter(unified_number=unified_number).first()
    if establishment is None:
        return None
    return next((f for f in establishment_licences(establishment.pk)
                 if f.is_valid and activity in f.activity_codes), None)


def _offender(code: str) -> dict | None:
    """What the inspector enters to name the offender (inspection_open's fields)."""
    if code in ("cafe", "barber"):
        owner, activity = ((CAFE_OWNER, CAFE_ACTIVITY) if code == "cafe"
                           else (BARBER_OWNER, BARBER_ACTIVITY))
        licence = _licence_of(owner, activity)
        if licence is None:
            return None
        return {"offender_kind": OffenderKind.ESTABLISHMENT, "permit_number": licence.number}
    if code == "contractor":
        if not Establishment.objects.filter(unified_number=CONTRACTOR).exists():
            return None
        return {"offender_kind": OffenderKind.ESTABLISHMENT, "unified_number": CONTRACTOR,
                "place_description": "شارع الأمير تركي، مبنى سكني من ثلاثة أدوار",
                "district": "rakah"}
    return {"offender_kind": OffenderKind.PERSON,
            "national_id": CITIZEN + luhn_check_digit(CITIZEN),
            "place_description": "حي العقربية، شارع الأمير فيصل بن فهد",
            "district": "aqrabiyah"}


def _story(*, marker, municipality_code, offender, checklist_code, kind, no, then) -> str:
    municipality = Municipality.objects.filter(code=municipality_code).first()
    inspector = (_staff(municipality, "inspection", StaffRole.INSPECTOR)
                 if municipality else None)
    fields = _offender(offender)
    if inspector is None or fields is None or not Checklist.objects.filter(
            code=checklist_code, is_active=True).exists():
        return f"{marker} skipped (not seeded)"
    if Inspection.objects.filter(source_reference=marker).exists():
        return f"{marker} kept"
    with transaction.atomic():
        notices = _inspect(municipality=municipality, inspector=inspector, marker=marker,
                           kind=kind, checklist_code=checklist_code, fields=fields, no=no)
        fine = next((n for n in notices if n.kind == NoticeKind.FINE), None)
        if fine is not None:
            _approval_case(fine, then=then)
            if then == "object":
                _object(fine)
    numbers = ", ".join(n.number for n in notices) or "clean"
    return f"{marker} made ({numbers})"


def _inspect(*, municipality, inspector, marker, kind, checklist_code, fields, no):
    """The inspector's visit, as the field pages and API make it: opened, every question
    answered, a photo for each "no", submitted (the evidence sealed, the notices recorded)."""
    inspection, _ = inspection_open(actor=inspector, municipality=municipality,
                                    checklist_code=checklist_code, kind=kind,
                                    source_reference=marker, client_key=marker, **fields)
    person = fields["offender_kind"] == OffenderKind.PERSON
    for question in inspection.checklist.questions.order_by("position", "id"):
        answer = (Answer.NO if question.item_code in no
                  else Answer.NOT_APPLICABLE if person else Answer.YES)
        finding_record(inspection_id=inspection.pk, actor=inspector, question_id=question.pk,
                       answer=answer, note=no.get(question.item_code, ""))
    for item_code in no:
        photo_add(inspection_id=inspection.pk, actor=inspector,
                  file=SimpleUploadedFile(f"{item_code}.png", _photo_bytes(),
                                          content_type="image/png"),
                  taken_at=clock.now(), latitude=inspection.latitude,
                  longitude=inspection.longitude, item_code=item_code,
                  client_key=f"{marker}:{item_code}")
    return inspection_submit(inspection_id=inspection.pk, actor=inspector)


def _approval_case(fine: Violation, *, then: str) -> None:
    """The approval case opened and routed to the head (what `violations.fine_submitted` and
    `workflow.case_route` do after commit) and, for an approved fine, moved by the head."""
    case = approval_case_open(violation_id=fine.pk)
    if case is None:
        return
    case_route(case_id=case.pk)
    if not then:
        return
    head = _staff(fine.municipality, "inspection", StaffRole.HEAD)
    case_transition(case_id=case.pk, action="approve", actor=head,
                    comment="ثابتة بالصور / shown by the photos")
    approval_decided(case_id=case.pk)
    # The bill reaches the simulated SADAD before anything else happens to it (an objection
    # withdraws a bill SADAD knows), as the outbox task does after commit in `make run`.
    _sadad_flush()


def _sadad_flush() -> int:
    """Send the fine bills' uploads to the simulated SADAD now, as the licence demo does: a
    test database runs no task after commit, and a second run must find nothing left to send."""
    if settings.PAYMENTS_GATEWAY != "simulator":
        return 0
    counts = outbox_flush()
    return counts["accepted"]


def _object(fine: Violation) -> None:
    """The establishment's representative objects to every line; the case goes to legal."""
    fine = Violation.objects.select_related("establishment", "person").get(pk=fine.pk)
    objector = (fine.person if fine.person_id
                else fine.establishment.representatives.order_by("pk").first())
    if objector is None or objector.user is None:
        return
    objection = objection_file(
        user=objector.user, violation_number=fine.number,
        lines=[(line.pk, OBJECTION_REASON) for line in fine.lines.order_by("id")])
    case_route(case_id=objection.case_id)


def _routine_plan() -> str:
    """A routine visit planned for today in Khobar, on the inspector's day."""
    municipality = Municipality.objects.filter(code="KHB").first()
    inspector = (_staff(municipality, "inspection", StaffRole.INSPECTOR)
                 if municipality else None)
    checklist = Checklist.objects.filter(code="building-site", is_active=True).first()
    if inspector is None or checklist is None or not Establishment.objects.filter(
            unified_number=SITE_CONTRACTOR).exists():
        return f"{ROUTINE} skipped (not seeded)"
    if Inspection.objects.filter(source_reference=ROUTINE).exists():
        return f"{ROUTINE} kept"
    if not eservice_is_available(eservice="violation", municipality_id=municipality.pk):
        # routine visits are planned only where violations are in service
        return f"{ROUTINE} skipped (violations.not_rolled_out)"
    offender = offender_resolve(municipality=municipality,
                                offender_kind=OffenderKind.ESTABLISHMENT,
                                unified_number=SITE_CONTRACTOR,
                                place_description="مشروع مجمع سكني، شارع الملك خالد",
                                district="thuqbah")
    inspection = inspection_plan(municipality=municipality, kind=InspectionKind.ROUTINE,
                                 checklist=checklist, planned_for=business_date(clock.now()),
                                 offender=offender, inspector=inspector,
                                 source_reference=ROUTINE, actor=inspector)
    return f"{ROUTINE} made ({inspection.number}, planned for {inspection.planned_for})"
