"""Inspections: opened in the field (or planned by the portal), answered question by question
with photos as evidence, sealed and submitted — the submission records the notices.

Only an inspector of the municipality records, only where the "violation" e-service is live or
in pilot. The field device may resend: an inspection and a photo are found again by their
client key, never made twice. Inspection.status is written only by
`records.inspection_status_change`; every step is a link of the inspection's chain.
"""

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from amanah import clock
from amanah.dates import business_date
from amanah.errors import Conflict, DomainError, NotFound
from amanah.models import Establishment, Municipality, Person
from amanah.selectors import eservice_is_available
from amanah.uploads import JPEG, PNG, UploadPolicy, upload_check, upload_store
from permits.public import permit_facts

from ..access import approver_municipalities, inspector_check
from ..enums import (
    Answer,
    InspectionEventKind,
    InspectionKind,
    InspectionStatus,
    OffenderKind,
    ShareSize,
)
from ..evidence import evidence_digest
from ..fines import offender_size
from ..models import Checklist, ChecklistQuestion, EvidencePhoto, Finding, Inspection, Violation
from .notices import notices_record
from .records import (
    inspection_event_append,
    inspection_lock,
    inspection_save,
    inspection_status_change,
    number_next,
)

# The e-service whose rollout in a municipality decides whether inspections are recorded there.
VIOLATION_ESERVICE = "violation"
EVIDENCE_PHOTO_POLICY = UploadPolicy(
    content_types=frozenset({JPEG, PNG}), max_bytes=10 * 1024 * 1024,
    label_ar="صور إثبات المخالفة", label_en="Evidence photos")
NOTE_MAX = 500
CLIENT_KEY_MAX = 64


# --- refusals ---------------------------------------------------------------------------------

def _not_found() -> NotFound:
    return NotFound("violations.inspection_not_found", "الجولة الرقابية غير موجودة.",
                    "There is no such inspection.")


def _not_now(status: str) -> Conflict:
    return Conflict("violations.inspection_not_draft",
                    "لا يمكن تعديل الجولة الرقابية في حالتها الحالية.",
                    f"The inspection cannot be changed while it is {status}.")


def _rollout_check(municipality_id: int) -> None:
    if not eservice_is_available(eservice=VIOLATION_ESERVICE, municipality_id=municipality_id):
        raise DomainError("violations.not_rolled_out",
                          "خدمة المخالفات غير مفعّلة في هذه البلدية.",
                          "Violations are not in service in this municipality.",
                          field="municipality")


def _locked(inspection_id: int) -> Inspection:
    inspection = inspection_lock(inspection_id)
    if inspection is None:
        raise _not_found()
    return inspection


def _recorder_check(inspection: Inspection, actor) -> None:
    """The inspection's own inspector records it (any inspector of the municipality when none
    is assigned yet)."""
    inspector_check(actor, inspection.municipality_id)
    if inspection.inspector_id is not None and inspection.inspector_id != actor.pk:
        raise Conflict("violations.inspection_other_inspector",
                       "هذه الجولة مسندة إلى مفتش آخر.",
                       "This inspection is assigned to another inspector.")


def _draft_check(inspection: Inspection) -> None:
    if inspection.status != InspectionStatus.DRAFT:
        raise _not_now(inspection.status)


def _client_key_clean(client_key: str | None) -> str | None:
    key = (client_key or "").strip()
    if not key:
        return None
    if len(key) > CLIENT_KEY_MAX:
        raise DomainError("violations.client_key_invalid",
                          "مفتاح الجهاز أطول من المسموح.",
                          f"The client key is longer than {CLIENT_KEY_MAX} characters.",
                          field="client_key")
    return key


def _id(value, field: str) -> int:
    text = str(value if value is not None else "")
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise DomainError("violations.question_not_in_checklist",
                          "السؤال ليس من أسئلة هذه الجولة.",
                          "This question is not one of this inspection's.", field=field)
    return int(text)


def coordinate_clean(value, *, field: str, limit: int) -> Decimal | None:
    """A latitude (limit 90) or longitude (limit 180) as Decimal with six places, or None."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or abs(number) > limit:
        raise DomainError("violations.coordinate_invalid", "الإحداثية غير صحيحة.",
                          "The coordinate is not valid.", field=field)
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


# --- the offender -----------------------------------------------------------------------------

def _establishment_fields(establishment: Establishment) -> dict:
    return {"establishment": establishment,
            "offender_key": f"E:{establishment.unified_number}",
            "size": offender_size(establishment.size or "")}


def _place_key(district: str, description: str) -> str:
    return f"L:{district}/{description}"[:80]


def offender_resolve(*, municipality: Municipality, offender_kind: str, permit_number: str = "",
                     unified_number: str = "", national_id: str = "",
                     place_description: str = "", district: str = "", latitude=None,
                     longitude=None) -> dict:
    """The Offender field values for an inspection: from the licence or permit when its number
    is given, else the establishment, the person, or the place as described."""
    if offender_kind not in OffenderKind.values:
        raise DomainError("violations.offender_kind_invalid", "نوع المخالف غير معروف.",
                          "Unknown kind of offender.", field="offender_kind")
    latitude = coordinate_clean(latitude, field="latitude", limit=90)
    longitude = coordinate_clean(longitude, field="longitude", limit=180)
    permit_number, unified_number, national_id = (
        (permit_number or "").strip(), (unified_number or "").strip(),
        (national_id or "").strip())
    place_description = " ".join((place_description or "").split())
    district = (district or "").strip()
    for name, value, limit in (("place_description", place_description, 300),
                               ("district", district, 100), ("permit_number", permit_number, 40)):
        if len(value) > limit:
            raise DomainError("violations.text_too_long", "النص أطول من المسموح.",
                              f"This is longer than {limit} characters.", field=name)
    values = {"offender_kind": offender_kind, "permit_number": "", "activity_codes": [],
              "size": ShareSize.INDIVIDUAL, "place_description": place_description,
              "district": district, "latitude": latitude, "longitude": longitude,
              "establishment": None, "person": None}
    if permit_number:
        facts = permit_facts(permit_number)
        if facts is None or facts.municipality_id != municipality.pk:
            raise DomainError("violations.permit_unknown",
                              "لا توجد رخصة أو تصريح بهذا الرقم في هذه البلدية.",
                              "There is no licence or permit with this number in this "
                              "municipality.", field="permit_number")
        values.update(permit_number=facts.number, activity_codes=list(facts.activity_codes),
                      offender_key=f"PM:{facts.number}",
                      district=values["district"] or facts.district,
                      latitude=latitude if latitude is not None else facts.latitude,
                      longitude=longitude if longitude is not None else facts.longitude)
        if facts.holder_establishment_id:
            values.update(_establishment_fields(
                Establishment.objects.get(pk=facts.holder_establishment_id)))
            if offender_kind == OffenderKind.PERMIT:
                values["offender_key"] = f"PM:{facts.number}"
        elif facts.holder_person_id:
            person = Person.objects.get(pk=facts.holder_person_id)
            values["person"] = person
            if offender_kind == OffenderKind.PERSON:
                values["offender_key"] = f"P:{person.national_id}"
        return values
    if offender_kind in (OffenderKind.ESTABLISHMENT, OffenderKind.PERMIT):
        if offender_kind == OffenderKind.PERMIT or not unified_number:
            raise DomainError("violations.offender_missing",
                              "أدخل رقم الرخصة أو الرقم الموحد للمنشأة.",
                              "Enter the licence number or the establishment's unified number.",
                              field="permit_number")
        establishment = Establishment.objects.filter(
            unified_number=unified_number).first()
        if establishment is None:
            raise DomainError("violations.establishment_unknown",
                              "لا توجد منشأة بهذا الرقم الموحد.",
                              "There is no establishment with this unified number.",
                              field="unified_number")
        values.update(_establishment_fields(establishment))
        return values
    if offender_kind == OffenderKind.PERSON:
        person = Person.objects.filter(national_id=national_id).first()
        if person is None:
            raise DomainError("violations.person_unknown",
                              "لا يوجد شخص مسجل بهذا الرقم.",
                              "There is no person registered with this ID number.",
                              field="national_id")
        values.update(person=person, offender_key=f"P:{person.national_id}")
        return values
    # an unlicensed place: described and located, or it cannot be found again
    if not values["place_description"]:
        raise DomainError("violations.place_required", "صِف الموقع.",
                          "Describe the place.", field="place_description")
    if latitude is None or longitude is None:
        raise DomainError("violations.coordinates_required",
                          "حدد إحداثيات الموقع.", "Give the place's coordinates.",
                          field="latitude")
    values["offender_key"] = _place_key(values["district"], values["place_description"])
    return values


def _checklist(code: str) -> Checklist:
    checklist = Checklist.objects.filter(code=code, is_active=True).first()
    if checklist is None:
        raise DomainError("violations.checklist_unknown", "قائمة الفحص غير موجودة.",
                          "There is no such checklist.", field="checklist_code")
    return checklist


def _inspection_create(*, municipality: Municipality, kind: str, status: str, checklist,
                       offender: dict, actor, inspector=None, planned_for=None,
                       follows_notice=None, only_item_codes=(), source_reference: str = "",
                       client_key: str | None = None) -> Inspection:
    now = clock.now()
    inspection = Inspection(
        number=number_next(municipality=municipality, series="INS", on=business_date(now)),
        municipality=municipality, kind=kind, status=status, checklist=checklist,
        inspector=inspector, planned_for=planned_for, follows_notice=follows_notice,
        only_item_codes=list(only_item_codes), source_reference=source_reference[:64],
        client_key=client_key, created_at=now,
        started_at=now if status == InspectionStatus.DRAFT else None, **offender)
    event = inspection_event_append(
        inspection, actor=actor, to_status=status,
        kind=(InspectionEventKind.STARTED if status == InspectionStatus.DRAFT
              else InspectionEventKind.PLANNED),
        payload={"kind": kind, "offender": inspection.offender_key,
                 "source": source_reference[:64]})
    inspection.save()
    event.inspection = inspection
    event.save()
    return inspection


# --- services ---------------------------------------------------------------------------------

def inspection_open(*, actor, municipality: Municipality, checklist_code: str, offender_kind: str,
                    permit_number: str = "", unified_number: str = "", national_id: str = "",
                    place_description: str = "", district: str = "", latitude=None,
                    longitude=None, kind: str = InspectionKind.COMPLAINT,
                    source_reference: str = "", client_key: str | None = None
                    ) -> tuple[Inspection, bool]:
    """Open an inspection in the field (DRAFT); a resend with the same client key by the same
    inspector returns the one already opened (created False)."""
    inspector_check(actor, municipality.pk)
    key = _client_key_clean(client_key)
    if key is not None:
        found = _by_client_key(key, actor)
        if found is not None:
            return found, False
    _rollout_check(municipality.pk)
    if kind not in InspectionKind.values:
        raise DomainError("violations.inspection_kind_invalid", "نوع الجولة غير معروف.",
                          "Unknown kind of inspection.", field="kind")
    checklist = _checklist(checklist_code)
    offender = offender_resolve(
        municipality=municipality, offender_kind=offender_kind, permit_number=permit_number,
        unified_number=unified_number, national_id=national_id,
        place_description=place_description, district=district, latitude=latitude,
        longitude=longitude)
    try:
        # The database decides between two concurrent sends of one key: the loser's insert
        # fails on the unique key, its savepoint (number included) is undone, and it returns
        # the winner's inspection.
        with transaction.atomic():
            inspection = _inspection_create(
                municipality=municipality, kind=kind, status=InspectionStatus.DRAFT,
                checklist=checklist, offender=offender, actor=actor, inspector=actor,
                source_reference=source_reference, client_key=key)
    except IntegrityError:
        found = _by_client_key(key, actor) if key is not None else None
        if found is None:
            raise
        return found, False
    return inspection, True


def _by_client_key(key: str, actor) -> Inspection | None:
    found = Inspection.objects.filter(client_key=key).first()
    if found is not None and found.inspector_id != getattr(actor, "pk", None):
        raise Conflict("violations.client_key_taken",
                       "هذا المفتاح مستخدم لجولة مفتش آخر.",
                       "This client key belongs to another inspector's inspection.",
                       field="client_key")
    return found


@transaction.atomic
def inspection_plan(*, municipality: Municipality, kind: str, checklist: Checklist,
                    planned_for: dt.date, offender: dict, inspector=None,
                    follows_notice: Violation | None = None, only_item_codes=(),
                    source_reference: str = "", actor=None) -> Inspection:
    """Plan an inspection (PLANNED) for a day; an inspector starts it in the field."""
    if kind not in InspectionKind.values:
        raise DomainError("violations.inspection_kind_invalid", "نوع الجولة غير معروف.",
                          "Unknown kind of inspection.", field="kind")
    return _inspection_create(
        municipality=municipality, kind=kind, status=InspectionStatus.PLANNED,
        checklist=checklist, offender=dict(offender), actor=actor, inspector=inspector,
        planned_for=planned_for, follows_notice=follows_notice,
        only_item_codes=only_item_codes, source_reference=source_reference)


@transaction.atomic
def inspection_start(*, inspection_id: int, actor) -> Inspection:
    """A planned inspection is started in the field (DRAFT) by an inspector of its
    municipality, who becomes its inspector."""
    inspection = _locked(inspection_id)
    inspector_check(actor, inspection.municipality_id)
    if inspection.status != InspectionStatus.PLANNED:
        raise Conflict("violations.inspection_not_planned",
                       "بدأت هذه الجولة أو أُغلقت.",
                       "This inspection has already been started or closed.")
    _rollout_check(inspection.municipality_id)
    inspection.inspector = actor
    inspection.started_at = clock.now()
    inspection_status_change(inspection=inspection, to_status=InspectionStatus.DRAFT,
                             kind=InspectionEventKind.STARTED, actor=actor,
                             extra_fields=["inspector", "started_at"])
    return inspection


def _questions(inspection: Inspection):
    questions = ChecklistQuestion.objects.filter(checklist_id=inspection.checklist_id)
    if inspection.only_item_codes:
        questions = questions.filter(item_code__in=inspection.only_item_codes)
    return questions


@transaction.atomic
def finding_record(*, inspection_id: int, actor, question_id: int, answer: str,
                   note: str = "") -> Finding:
    """Record (or change) the answer to one question of a draft inspection."""
    inspection = _locked(inspection_id)
    _recorder_check(inspection, actor)
    _draft_check(inspection)
    question = _questions(inspection).filter(pk=_id(question_id, "question")).first()
    if question is None:
        raise DomainError("violations.question_not_in_checklist",
                          "السؤال ليس من أسئلة هذه الجولة.",
                          "This question is not one of this inspection's.", field="question")
    if answer not in Answer.values:
        raise DomainError("violations.answer_invalid", "اختر: مطابق، غير مطابق، لا ينطبق.",
                          "Choose: complies, does not comply, not applicable.",
                          field="answer")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError("violations.note_too_long",
                          f"الملاحظة أطول من {NOTE_MAX} حرف.",
                          f"The note is longer than {NOTE_MAX} characters.", field="note")
    finding, _ = Finding.objects.update_or_create(
        inspection=inspection, question=question,
        defaults={"item_code": question.item_code, "answer": answer, "note": note,
                  "answered_at": clock.now()})
    # The answer and note are sealed in the chain: the evidence check names a changed one.
    inspection_event_append(inspection, kind=InspectionEventKind.ANSWERED, actor=actor,
                            payload={"question": question.pk, "item": question.item_code,
                                     "answer": answer, "note": note})
    inspection_save(inspection, [])
    return finding


@transaction.atomic
def photo_add(*, inspection_id: int, actor, file, taken_at: dt.datetime, latitude=None,
              longitude=None, item_code: str = "", visible_to_offender: bool = True,
              client_key: str | None = None) -> tuple[EvidencePhoto, bool]:
    """Add an evidence photo to a draft inspection; a resend with the same client key returns
    the photo already stored (created False)."""
    inspection = _locked(inspection_id)
    _recorder_check(inspection, actor)
    key = _client_key_clean(client_key)
    if key is not None:
        # Under the inspection's lock: two sends of one photo cannot both get here first.
        found = EvidencePhoto.objects.filter(inspection=inspection, client_key=key).first()
        if found is not None:
            return found, False
    _draft_check(inspection)
    item_code = (item_code or "").strip()
    if item_code and not _questions(inspection).filter(item_code=item_code).exists():
        raise DomainError("violations.photo_item_unknown",
                          "البند ليس من بنود هذه الجولة.",
                          "This item is not one of this inspection's.", field="item_code")
    if taken_at is None:
        raise DomainError("violations.photo_time_required", "حدد وقت التقاط الصورة.",
                          "Give the time the photo was taken.", field="taken_at")
    if not isinstance(taken_at, dt.datetime) or taken_at.tzinfo is None:
        raise DomainError("violations.photo_time_invalid", "وقت التقاط الصورة غير صحيح.",
                          "The time the photo was taken is not valid.", field="taken_at")
    latitude = coordinate_clean(latitude, field="latitude", limit=90)
    longitude = coordinate_clean(longitude, field="longitude", limit=180)
    upload = upload_check(file=file, policy=EVIDENCE_PHOTO_POLICY, field="photo")
    photo = EvidencePhoto(inspection=inspection, item_code=item_code,
                          content_type=upload.content_type, size=upload.size,
                          sha256=upload.sha256, taken_at=taken_at, latitude=latitude,
                          longitude=longitude, uploaded_by=actor, uploaded_at=clock.now(),
                          visible_to_offender=bool(visible_to_offender), client_key=key)
    upload_store(photo, upload)
    inspection_event_append(inspection, kind=InspectionEventKind.PHOTO_ADDED, actor=actor,
                            payload={"photo": photo.pk, "sha256": photo.sha256,
                                     "item": item_code})
    inspection_save(inspection, [])
    return photo, True


@transaction.atomic
def inspection_submit(*, inspection_id: int, actor) -> list[Violation]:
    """Submit a draft inspection: every question answered, every "no" shown by a photo of its
    item; the evidence is sealed and the notices recorded."""
    inspection = _locked(inspection_id)
    _recorder_check(inspection, actor)
    _draft_check(inspection)
    questions = list(_questions(inspection).order_by("position", "id"))
    findings = {f.question_id: f for f in inspection.findings.all()}
    for question in questions:
        if question.pk not in findings:
            raise DomainError("violations.question_unanswered",
                              f"لم تتم الإجابة عن السؤال: {question.text_ar}",
                              f"This question is not answered: {question.text_en}",
                              field=f"question_{question.pk}")
    photographed = set(inspection.photos.exclude(item_code="")
                       .values_list("item_code", flat=True))
    for question in questions:
        if findings[question.pk].answer == Answer.NO and question.item_code not in photographed:
            raise DomainError("violations.photo_required",
                              f"أرفق صورة تثبت المخالفة: {question.text_ar}",
                              f"Attach a photo showing the violation: {question.text_en}",
                              field=f"photo_{question.item_code}")
    inspection.submitted_at = clock.now()
    inspection.evidence_digest = evidence_digest(inspection)
    inspection_status_change(
        inspection=inspection, to_status=InspectionStatus.SUBMITTED,
        kind=InspectionEventKind.SUBMITTED, actor=actor,
        payload={"evidence": inspection.evidence_digest, "photos": inspection.photos.count(),
                 "findings": len(findings)},
        extra_fields=["submitted_at", "evidence_digest"])
    return notices_record(inspection=inspection, actor=actor)


@transaction.atomic
def inspection_cancel(*, inspection_id: int, actor, reason: str) -> Inspection:
    """Cancel a planned or draft inspection, saying why: a draft by its own inspector or the
    department's head, a planned one by any inspector of the municipality."""
    inspection = _locked(inspection_id)
    inspector_check(actor, inspection.municipality_id)
    if (inspection.status == InspectionStatus.DRAFT and inspection.inspector_id != actor.pk
            and inspection.municipality_id not in approver_municipalities(actor)):
        raise Conflict("violations.inspection_other_inspector",
                       "هذه الجولة مسندة إلى مفتش آخر.",
                       "This inspection is assigned to another inspector.")
    reason = re.sub(r"\s+", " ", reason or "").strip()
    if not reason:
        raise DomainError("violations.reason_required", "اذكر سبب الإلغاء.",
                          "Give the reason for cancelling.", field="reason")
    if inspection.status not in (InspectionStatus.PLANNED, InspectionStatus.DRAFT):
        raise _not_now(inspection.status)
    inspection_status_change(inspection=inspection, to_status=InspectionStatus.CANCELLED,
                             kind=InspectionEventKind.CANCELLED, actor=actor,
                             reason=reason[:500])
    return inspection
