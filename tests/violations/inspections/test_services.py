"""The inspection services: opening (offender, rollout, who), answering, photos, submitting
with the evidence sealed, cancelling — and what a refusal leaves untouched."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah import clock
from amanah.enums import RolloutState
from amanah.errors import Conflict, DomainError, PermissionDenied
from amanah.models import EServiceRollout
from tests.violations.factories import violations_world
from violations.enums import (
    Answer,
    InspectionEventKind,
    InspectionKind,
    InspectionStatus,
    LineStatus,
    NoticeKind,
    OffenderKind,
    ShareSize,
    ViolationStatus,
)
from violations.evidence import evidence_digest
from violations.models import EvidencePhoto, Finding, Inspection, Violation
from violations.services.inspections import (
    finding_record,
    inspection_cancel,
    inspection_open,
    inspection_plan,
    inspection_start,
    inspection_submit,
    photo_add,
)

from .helpers import answer_all, photo_file

pytestmark = pytest.mark.django_db


def _open(world, **values):
    values = {"actor": world.inspector, "municipality": world.municipality,
              "checklist_code": "general", "offender_kind": OffenderKind.ESTABLISHMENT,
              "unified_number": world.establishment.unified_number, **values}
    return inspection_open(**values)


def _kinds(inspection):
    return list(inspection.events.order_by("seq").values_list("kind", flat=True))


def test_an_inspector_opens_a_draft_for_an_establishment_by_its_unified_number():
    world = violations_world()
    # when the inspector opens an inspection for the (small) establishment
    inspection, created = _open(world, district="north")
    # then a draft numbered in the municipality's INS series, the establishment as offender
    assert created is True
    assert (inspection.status, inspection.kind, inspection.inspector) == (
        InspectionStatus.DRAFT, InspectionKind.COMPLAINT, world.inspector)
    assert inspection.number.startswith("INS-M911-")
    assert (inspection.offender_key, inspection.establishment, inspection.size) == (
        f"E:{world.establishment.unified_number}", world.establishment, ShareSize.SMALL)
    assert _kinds(inspection) == [InspectionEventKind.STARTED]


def test_a_person_and_a_place_are_offenders_too():
    world = violations_world()
    by_person, _ = _open(world, offender_kind=OffenderKind.PERSON, unified_number="",
                         national_id=world.citizen.national_id)
    place, _ = _open(world, offender_kind=OffenderKind.PLACE, unified_number="",
                     place_description="أرض  فضاء  قطعة 7", district="north",
                     latitude=Decimal("26.1"), longitude=Decimal("50.1"))
    assert (by_person.person, by_person.offender_key, by_person.size) == (
        world.citizen, f"P:{world.citizen.national_id}", ShareSize.INDIVIDUAL)
    assert (place.offender_key, place.size) == ("L:north/أرض فضاء قطعة 7", ShareSize.INDIVIDUAL)


@pytest.mark.parametrize(("values", "code", "field"), [
    ({"offender_kind": OffenderKind.PLACE, "unified_number": "", "place_description": "x"},
     "violations.coordinates_required", "latitude"),
    ({"offender_kind": OffenderKind.PLACE, "unified_number": "",
      "latitude": Decimal("1"), "longitude": Decimal("1")},
     "violations.place_required", "place_description"),
    ({"unified_number": "7000000009"}, "violations.establishment_unknown", "unified_number"),
    ({"offender_kind": OffenderKind.PERSON, "national_id": "1000000009"},
     "violations.person_unknown", "national_id"),
    ({"permit_number": "NOPE-1"}, "violations.permit_unknown", "permit_number"),
    ({"checklist_code": "nope"}, "violations.checklist_unknown", "checklist_code"),
])
def test_an_inspection_that_cannot_be_opened_is_refused_next_to_its_field(values, code, field):
    world = violations_world()
    with pytest.raises(DomainError) as refused:
        _open(world, **values)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Inspection.objects.count() == 0


def test_only_an_inspector_of_the_municipality_opens_and_only_where_violations_are_rolled_out():
    world = violations_world()
    # an inspector of another municipality is refused
    with pytest.raises(PermissionDenied) as refused:
        _open(world, actor=world.other_inspector)
    assert refused.value.code == "violations.not_inspector"
    # and where the service is not rolled out, nobody records
    EServiceRollout.objects.filter(eservice=world.eservice, municipality=world.municipality
                                   ).update(state=RolloutState.OFF)
    with pytest.raises(DomainError) as refused:
        _open(world)
    assert refused.value.code == "violations.not_rolled_out"
    assert Inspection.objects.count() == 0


def test_a_resend_with_the_same_client_key_finds_the_same_inspection():
    world = violations_world()
    first, created = _open(world, client_key="dev-1/abc")
    again, created_again = _open(world, client_key="dev-1/abc")
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Inspection.objects.count() == 1
    # another inspector with that key is told it is taken, and nothing is made
    other = world.approver  # the head inspects too
    with pytest.raises(Conflict) as refused:
        _open(world, actor=other, client_key="dev-1/abc")
    assert refused.value.code == "violations.client_key_taken"
    assert Inspection.objects.count() == 1


def test_a_planned_inspection_is_started_by_an_inspector():
    world = violations_world()
    planned = inspection_plan(municipality=world.municipality, kind=InspectionKind.ROUTINE,
                              checklist=world.checklist, planned_for=dt.date(2026, 12, 10),
                              offender={"offender_kind": OffenderKind.ESTABLISHMENT,
                                        "offender_key": "E:x", "size": ShareSize.SMALL})
    assert (planned.status, planned.inspector, _kinds(planned)) == (
        InspectionStatus.PLANNED, None, [InspectionEventKind.PLANNED])
    with pytest.raises(PermissionDenied):
        inspection_start(inspection_id=planned.pk, actor=world.other_inspector)
    started = inspection_start(inspection_id=planned.pk, actor=world.inspector)
    assert (started.status, started.inspector) == (InspectionStatus.DRAFT, world.inspector)
    with pytest.raises(Conflict):
        inspection_start(inspection_id=planned.pk, actor=world.inspector)
    assert _kinds(started) == [InspectionEventKind.PLANNED, InspectionEventKind.STARTED]


def test_answers_are_recorded_changed_and_chained():
    world = violations_world()
    inspection, _ = _open(world)
    question = world.checklist.questions.get(item_code="WARN")
    finding_record(inspection_id=inspection.pk, actor=world.inspector, question_id=question.pk,
                   answer=Answer.YES)
    finding_record(inspection_id=inspection.pk, actor=world.inspector, question_id=question.pk,
                   answer=Answer.NO, note="  واجهة متسخة ")
    finding = Finding.objects.get(inspection=inspection)
    assert (finding.item_code, finding.answer, finding.note) == ("WARN", Answer.NO,
                                                                  "واجهة متسخة")
    events = list(inspection.events.filter(kind=InspectionEventKind.ANSWERED)
                  .order_by("seq").values_list("payload", flat=True))
    assert [e["answer"] for e in events] == [Answer.YES, Answer.NO]


@pytest.mark.parametrize(("change", "code"), [
    ({"answer": "maybe"}, "violations.answer_invalid"),
    ({"question_id": 0}, "violations.question_not_in_checklist"),
    ({"note": "x" * 501}, "violations.note_too_long"),
])
def test_a_bad_answer_is_refused_and_nothing_is_recorded(change, code):
    world = violations_world()
    inspection, _ = _open(world)
    question = world.checklist.questions.get(item_code="WARN")
    values = {"question_id": question.pk, "answer": Answer.NO, "note": "", **change}
    with pytest.raises(DomainError) as refused:
        finding_record(inspection_id=inspection.pk, actor=world.inspector, **values)
    assert refused.value.code == code
    assert Finding.objects.count() == 0
    assert _kinds(inspection) == [InspectionEventKind.STARTED]


def test_another_inspector_cannot_answer_someone_elses_inspection():
    world = violations_world()
    inspection, _ = _open(world)
    question = world.checklist.questions.get(item_code="WARN")
    with pytest.raises(Conflict) as refused:
        finding_record(inspection_id=inspection.pk, actor=world.approver,
                       question_id=question.pk, answer=Answer.NO)
    assert refused.value.code == "violations.inspection_other_inspector"
    assert Finding.objects.count() == 0


def test_a_photo_is_stored_hashed_and_a_resend_finds_it():
    world = violations_world()
    inspection, _ = _open(world)
    photo, created = photo_add(inspection_id=inspection.pk, actor=world.inspector,
                               file=photo_file(), taken_at=clock.now(), item_code="WARN",
                               latitude=Decimal("26.2"), longitude=Decimal("50.1"),
                               client_key="p1")
    again, created_again = photo_add(inspection_id=inspection.pk, actor=world.inspector,
                                     file=photo_file(width=80), taken_at=clock.now(),
                                     item_code="WARN", client_key="p1")
    assert (created, created_again, again.pk) == (True, False, photo.pk)
    assert EvidencePhoto.objects.count() == 1
    import hashlib

    with photo.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == photo.sha256
    event = inspection.events.get(kind=InspectionEventKind.PHOTO_ADDED)
    assert event.payload == {"photo": photo.pk, "sha256": photo.sha256, "item": "WARN"}


def test_a_file_that_is_no_image_is_refused_by_the_upload_check():
    world = violations_world()
    inspection, _ = _open(world)
    from tests.samples import upload

    with pytest.raises(DomainError) as refused:
        photo_add(inspection_id=inspection.pk, actor=world.inspector,
                  file=upload("x.jpg", b"not an image at all", "image/jpeg"),
                  taken_at=clock.now(), item_code="WARN")
    assert (refused.value.code, refused.value.field) == ("upload.type_not_allowed", "photo")
    assert EvidencePhoto.objects.count() == 0
    assert _kinds(inspection) == [InspectionEventKind.STARTED]


def test_submit_needs_every_answer_and_a_photo_for_each_no():
    world = violations_world()
    inspection, _ = _open(world)
    questions = {q.item_code: q for q in world.checklist.questions.all()}
    finding_record(inspection_id=inspection.pk, actor=world.inspector,
                   question_id=questions["WARN"].pk, answer=Answer.NO)
    # then: unanswered questions refuse it
    with pytest.raises(DomainError) as refused:
        inspection_submit(inspection_id=inspection.pk, actor=world.inspector)
    assert refused.value.code == "violations.question_unanswered"
    for code in ("FINE", "SERIOUS"):
        finding_record(inspection_id=inspection.pk, actor=world.inspector,
                       question_id=questions[code].pk, answer=Answer.YES)
    # a "no" without a photo of its item (a general photo does not count) refuses it
    photo_add(inspection_id=inspection.pk, actor=world.inspector, file=photo_file(),
              taken_at=clock.now())
    with pytest.raises(DomainError) as refused:
        inspection_submit(inspection_id=inspection.pk, actor=world.inspector)
    assert (refused.value.code, refused.value.field) == ("violations.photo_required",
                                                         "photo_WARN")
    inspection.refresh_from_db()
    assert (inspection.status, inspection.evidence_digest) == (InspectionStatus.DRAFT, "")
    assert Violation.objects.count() == 0


def test_submit_seals_the_evidence_and_records_the_notices(clock):
    clock.set(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC))
    world = violations_world()
    inspection, _ = _open(world)
    answer_all(inspection, world.inspector, no=("WARN", "FINE"))
    # when it is submitted
    notices = inspection_submit(inspection_id=inspection.pk, actor=world.inspector)
    # then it is sealed: the digest on the row and in the SUBMITTED event
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    assert inspection.evidence_digest == evidence_digest(inspection)
    event = inspection.events.get(kind=InspectionEventKind.SUBMITTED)
    assert event.payload == {"evidence": inspection.evidence_digest, "photos": 2,
                             "findings": 3}
    # and a warning and a fine awaiting approval are recorded
    assert [(n.kind, n.status) for n in notices] == [
        (NoticeKind.WARNING, ViolationStatus.WARNED),
        (NoticeKind.FINE, ViolationStatus.PENDING_APPROVAL)]
    assert notices[1].lines.get().status == LineStatus.PROPOSED
    # and nothing more can be answered
    with pytest.raises(Conflict):
        finding_record(inspection_id=inspection.pk, actor=world.inspector,
                       question_id=world.checklist.questions.first().pk, answer=Answer.YES)
    with pytest.raises(Conflict):
        inspection_submit(inspection_id=inspection.pk, actor=world.inspector)
    assert Violation.objects.count() == 2


def test_a_clean_submission_records_no_notice():
    world = violations_world()
    inspection, _ = _open(world)
    answer_all(inspection, world.inspector)
    assert inspection_submit(inspection_id=inspection.pk, actor=world.inspector) == []
    assert Violation.objects.count() == 0


def test_cancel_needs_a_reason_and_only_before_submission():
    world = violations_world()
    inspection, _ = _open(world)
    with pytest.raises(DomainError) as refused:
        inspection_cancel(inspection_id=inspection.pk, actor=world.inspector, reason="  ")
    assert refused.value.code == "violations.reason_required"
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT
    cancelled = inspection_cancel(inspection_id=inspection.pk, actor=world.inspector,
                                  reason="المحل مغلق")
    assert cancelled.status == InspectionStatus.CANCELLED
    assert inspection.events.get(kind=InspectionEventKind.CANCELLED).reason == "المحل مغلق"


def test_a_reinspection_asks_only_the_warned_items():
    world = violations_world()
    inspection = inspection_plan(
        municipality=world.municipality, kind=InspectionKind.REINSPECTION,
        checklist=world.checklist, planned_for=dt.date(2026, 12, 10),
        offender={"offender_kind": OffenderKind.ESTABLISHMENT, "offender_key": "E:x",
                  "size": ShareSize.SMALL}, only_item_codes=["WARN"], inspector=world.inspector)
    inspection_start(inspection_id=inspection.pk, actor=world.inspector)
    other = world.checklist.questions.get(item_code="FINE")
    with pytest.raises(DomainError) as refused:
        finding_record(inspection_id=inspection.pk, actor=world.inspector,
                       question_id=other.pk, answer=Answer.NO)
    assert refused.value.code == "violations.question_not_in_checklist"
    with pytest.raises(DomainError) as refused:
        photo_add(inspection_id=inspection.pk, actor=world.inspector, file=photo_file(),
                  taken_at=clock.now(), item_code="FINE")
    assert refused.value.code == "violations.photo_item_unknown"
    assert (Finding.objects.count(), EvidencePhoto.objects.count()) == (0, 0)


@pytest.mark.parametrize(("values", "code", "field"), [
    ({"latitude": "91", "longitude": "50"}, "violations.coordinate_invalid", "latitude"),
    ({"latitude": "26", "longitude": "abc"}, "violations.coordinate_invalid", "longitude"),
    ({"latitude": "NaN", "longitude": "50"}, "violations.coordinate_invalid", "latitude"),
    ({"district": "x" * 101}, "violations.text_too_long", "district"),
    ({"offender_kind": "alien"}, "violations.offender_kind_invalid", "offender_kind"),
])
def test_hostile_opening_input_is_refused_next_to_its_field(values, code, field):
    world = violations_world()
    with pytest.raises(DomainError) as refused:
        _open(world, **values)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Inspection.objects.count() == 0


def test_hostile_answer_and_photo_input_is_refused():
    world = violations_world()
    inspection, _ = _open(world)
    with pytest.raises(DomainError) as refused:
        finding_record(inspection_id=inspection.pk, actor=world.inspector,
                       question_id="1 OR 1=1", answer=Answer.NO)
    assert refused.value.field == "question"
    with pytest.raises(DomainError) as refused:
        photo_add(inspection_id=inspection.pk, actor=world.inspector, file=photo_file(),
                  taken_at=dt.datetime(2026, 12, 2, 9, 0), item_code="WARN")
    assert refused.value.code == "violations.photo_time_invalid"
    with pytest.raises(DomainError) as refused:
        photo_add(inspection_id=inspection.pk, actor=world.inspector, file=photo_file(),
                  taken_at=clock.now(), latitude="1e999", item_code="WARN")
    assert refused.value.code == "violations.coordinate_invalid"
    assert (Finding.objects.count(), EvidencePhoto.objects.count()) == (0, 0)
