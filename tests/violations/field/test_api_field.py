"""The field API (issue 11): an inspector's device opens an inspection (once per idempotency
key), reads its day, answers the checklist, adds photos and submits — and everyone else is
refused with a code, having written nothing."""

import pytest

from amanah.enums import StaffRole
from tests.permits.factories import staff_make
from violations.enums import Answer, InspectionKind, InspectionStatus, NoticeKind, ViolationStatus
from violations.models import EvidencePhoto, Finding, Inspection, Violation

from ..factories import inspection_make
from .helpers import API, field_world, open_body, photo_file, rows, signed_in, unassigned

pytestmark = pytest.mark.django_db

KEY = "device-0001-abc"


@pytest.fixture
def world(clock):
    return field_world(clock)


def _open(client, world, key=KEY, **changes):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(f"{API}/", open_body(world, **changes), content_type="application/json",
                       **headers)


def _answer_all(client, inspection, *, no=()):
    for question in inspection.checklist.questions.order_by("position"):
        answer = Answer.NO if question.item_code in no else Answer.YES
        response = client.put(f"{API}/{inspection.number}/findings/{question.pk}/",
                              {"answer": answer, "note": f"note {question.item_code}"},
                              content_type="application/json")
        assert response.status_code == 200, response.json()


def _photo(client, inspection, *, item_code="", key="photo-key-0001"):
    return client.post(f"{API}/{inspection.number}/photos/",
                       {"file": photo_file(), "taken_at": "2026-12-01T09:05:00+03:00",
                        "latitude": "26.250100", "longitude": "50.150100",
                        "item_code": item_code}, HTTP_IDEMPOTENCY_KEY=key)


# --- opening -------------------------------------------------------------------------------


def test_open_creates_a_draft_and_a_resend_with_the_same_key_returns_the_same(world):
    client = signed_in(world.inspector)
    # when the device sends the same request twice with one key (the answer was lost)
    first = _open(client, world)
    second = _open(client, world)
    # then the first creates (201), the second finds it (200), and one inspection exists
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    body = first.json()
    assert (body["status"], body["kind"], body["municipality"], body["checklist"],
            body["source_reference"], body["mine"]) == (
        InspectionStatus.DRAFT, InspectionKind.COMPLAINT, world.municipality.code,
        world.checklist.code, "CMP-1", True)
    assert body["offender"]["kind"] == "establishment"
    assert body["offender"]["name_ar"] == world.establishment.name_ar
    assert [q["item_code"] for q in body["questions"]] == ["WARN", "FINE", "SERIOUS"]
    assert {q["answer"] for q in body["questions"]} == {None}
    assert (body["photos"], body["notices"]) == ([], [])
    inspection = Inspection.objects.get()
    assert (inspection.number, inspection.client_key, inspection.inspector) == (
        body["number"], KEY, world.inspector)


@pytest.mark.parametrize("key", [None, "short", "x" * 65])
def test_open_without_a_proper_key_is_refused_and_writes_nothing(world, key):
    client = signed_in(world.inspector)
    before = rows()
    response = _open(client, world, key=key)
    assert response.status_code == 400
    assert response.json()["code"] == "violations.idempotency_key_required"
    assert response.json()["field"] == "idempotency_key"
    assert rows() == before


def test_another_inspector_reusing_a_key_gets_409_and_nothing_changes(world):
    colleague = staff_make(world.inspection_department, StaffRole.INSPECTOR)
    assert _open(signed_in(world.inspector), world).status_code == 201
    before = rows()
    # when a colleague's device sends the same key
    response = _open(signed_in(colleague), world)
    # then it is a conflict with a code, and the first inspection is untouched
    assert (response.status_code, response.json()["code"]) == (409, "violations.client_key_taken")
    assert rows() == before
    assert Inspection.objects.get().inspector == world.inspector


def test_open_in_an_unknown_municipality_is_404_with_a_code(world):
    before = rows()
    response = _open(signed_in(world.inspector), world, municipality="ZZZ9")
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        404, "violations.municipality_not_found", "municipality")
    assert rows() == before


def test_open_with_invalid_input_is_a_validation_error(world):
    before = rows()
    response = _open(signed_in(world.inspector), world, offender_kind="martian",
                     latitude="123")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert set(response.json()["errors"]) == {"offender_kind", "latitude"}
    assert rows() == before


# --- who may call ----------------------------------------------------------------------------


def _calls(world, inspection):
    question = inspection.checklist.questions.first()
    return [
        ("post", f"{API}/", {"data": open_body(world), "content_type": "application/json",
                             "HTTP_IDEMPOTENCY_KEY": KEY}),
        ("get", f"{API}/", {}),
        ("get", f"{API}/{inspection.number}/", {}),
        ("put", f"{API}/{inspection.number}/findings/{question.pk}/",
         {"data": {"answer": "no"}, "content_type": "application/json"}),
        ("post", f"{API}/{inspection.number}/photos/",
         {"data": {"file": photo_file(), "taken_at": "2026-12-01T09:05:00+03:00"},
          "HTTP_IDEMPOTENCY_KEY": KEY}),
        ("post", f"{API}/{inspection.number}/submit/", {}),
    ]


@pytest.mark.parametrize("who", ["other_inspector", "citizen", "delegate", "legal_reviewer",
                                 "cashier"])
def test_anyone_but_an_inspector_of_the_municipality_is_refused_403(world, who):
    inspection = inspection_make(world)
    client = signed_in(getattr(world, who))
    before = rows()
    for method, url, kwargs in _calls(world, inspection):
        response = getattr(client, method)(url, **{k: v for k, v in kwargs.items()
                                                   if k != "data"}, data=kwargs.get("data"))
        if who == "other_inspector" and (method, url) == ("get", f"{API}/"):
            # an inspector elsewhere has a day of their own, without this municipality's
            assert (response.status_code, response.json()) == (200, []), (method, url)
            continue
        assert (response.status_code, response.json()["code"]) == (
            403, "violations.not_inspector"), (method, url)
    # and nothing was written anywhere
    assert rows() == before
    assert Inspection.objects.get().status == InspectionStatus.DRAFT


def test_anonymous_callers_are_refused(world):
    inspection = inspection_make(world)
    before = rows()
    for method, url, kwargs in _calls(world, inspection):
        response = getattr(signed_in(None), method)(
            url, **{k: v for k, v in kwargs.items() if k != "data"}, data=kwargs.get("data"))
        assert response.status_code == 403, (method, url)
        assert response.json()["code"] == "auth.not_authenticated"
    assert rows() == before


def test_an_unknown_inspection_is_404_with_a_code(world):
    response = signed_in(world.inspector).get(f"{API}/INS-NOPE/")
    assert (response.status_code, response.json()["code"]) == (
        404, "violations.inspection_not_found")


# --- the day ---------------------------------------------------------------------------------



def test_the_list_gives_the_plan_and_my_drafts(world, clock):
    planned = unassigned(inspection_make(world, status=InspectionStatus.PLANNED))
    mine = inspection_make(world)
    colleague = staff_make(world.inspection_department, StaffRole.INSPECTOR)
    inspection_make(world, inspector=colleague)  # a colleague's draft: not mine
    inspection_make(world, status=InspectionStatus.PLANNED, inspector=colleague)  # theirs
    client = signed_in(world.inspector)
    both = client.get(f"{API}/").json()
    assert [(r["number"], r["status"]) for r in both] == [
        (planned.number, "planned"), (mine.number, "draft")]
    assert [r["number"] for r in client.get(f"{API}/", {"status": "planned"}).json()] == [
        planned.number]
    assert [r["number"] for r in client.get(f"{API}/", {"status": "draft"}).json()] == [
        mine.number]
    assert both[0]["mine"] is False and both[1]["mine"] is True
    assert both[0]["earlier_fines"] == 0


def test_the_list_refuses_an_unknown_status(world):
    response = signed_in(world.inspector).get(f"{API}/", {"status": "submitted"})
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400, "violations.status_unknown", "status")


# --- answering, photos, submitting -----------------------------------------------------------


def test_answering_twice_keeps_one_finding_with_the_last_answer(world):
    inspection = inspection_make(world)
    question = inspection.checklist.questions.get(item_code="WARN")
    client = signed_in(world.inspector)
    url = f"{API}/{inspection.number}/findings/{question.pk}/"
    first = client.put(url, {"answer": "no", "note": "dirty"}, content_type="application/json")
    again = client.put(url, {"answer": "no", "note": "dirty"}, content_type="application/json")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"id": question.pk, "position": question.position,
                            "text_ar": question.text_ar, "text_en": question.text_en,
                            "item_code": "WARN", "answer": "no", "note": "dirty", "photos": 0}
    assert list(Finding.objects.values_list("item_code", "answer", "note")) == [
        ("WARN", "no", "dirty")]


def test_an_invalid_answer_is_a_validation_error_and_writes_nothing(world):
    inspection = inspection_make(world)
    question = inspection.checklist.questions.first()
    before = rows()
    response = signed_in(world.inspector).put(
        f"{API}/{inspection.number}/findings/{question.pk}/", {"answer": "maybe"},
        content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "validation_error")
    assert rows() == before


def test_a_photo_resent_with_the_same_key_is_stored_once(world):
    inspection = inspection_make(world)
    client = signed_in(world.inspector)
    first = _photo(client, inspection, item_code="FINE")
    again = _photo(client, inspection, item_code="FINE")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    photo = EvidencePhoto.objects.get()
    assert (first.json()["id"], first.json()["item_code"], first.json()["sha256"]) == (
        photo.pk, "FINE", photo.sha256)
    assert len(photo.sha256) == 64
    detail = client.get(f"{API}/{inspection.number}/").json()
    assert [q["photos"] for q in detail["questions"]] == [0, 1, 0]


def test_a_photo_without_a_key_is_refused(world):
    inspection = inspection_make(world)
    before = rows()
    response = signed_in(world.inspector).post(
        f"{API}/{inspection.number}/photos/",
        {"file": photo_file(), "taken_at": "2026-12-01T09:05:00+03:00"})
    assert (response.status_code, response.json()["code"]) == (
        400, "violations.idempotency_key_required")
    assert rows() == before


def test_submit_records_the_notices_and_a_resend_answers_the_same(world):
    client = signed_in(world.inspector)
    number = _open(client, world).json()["number"]
    inspection = Inspection.objects.get(number=number)
    _answer_all(client, inspection, no=("WARN", "FINE"))
    assert _photo(client, inspection, item_code="WARN", key="photo-warn-1").status_code == 201
    assert _photo(client, inspection, item_code="FINE", key="photo-fine-1").status_code == 201
    # when the device submits, and then resends the submission
    first = client.post(f"{API}/{number}/submit/")
    again = client.post(f"{API}/{number}/submit/")
    # then both answer 200 with the same warning and fine, recorded once
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == again.json()
    body = first.json()
    assert body["status"] == InspectionStatus.SUBMITTED
    assert len(body["evidence_digest"]) == 64
    assert [(n["kind"], n["status"]) for n in body["notices"]] == [
        (NoticeKind.FINE, ViolationStatus.PENDING_APPROVAL),
        (NoticeKind.WARNING, ViolationStatus.WARNED)]
    fine, warning = body["notices"]
    assert (fine["total"], [x["item_code"] for x in fine["lines"]]) == ("500.00", ["FINE"])
    assert warning["correction_due"] == "2026-12-08"
    assert Violation.objects.count() == 2


def test_submit_without_a_photo_for_a_no_is_refused_naming_the_item(world):
    client = signed_in(world.inspector)
    inspection = inspection_make(world)
    _answer_all(client, inspection, no=("FINE",))
    before = rows()
    response = client.post(f"{API}/{inspection.number}/submit/")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("violations.photo_required", "photo_FINE")
    # and nothing was recorded
    assert rows() == before
    assert Inspection.objects.get().status == InspectionStatus.DRAFT
