"""The applying API: public service cards and fee preview; applications started, answered,
documented, submitted, read and listed through the same services and the same access rule."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from permits.enums import ApplicationStatus
from permits.models import Application, ApplicationDocument
from permits.services.applications import application_lock, application_status_change
from tests.factories import CitizenFactory, DepartmentFactory, MunicipalityFactory
from tests.permits.factories import application_draft_make, permits_world, staff_make

from .apply_helpers import (
    STEP_1,
    STEP_2,
    draft_complete,
    draft_start,
    nothing_changed_snapshot,
    overdue_fine,
    plans_pdf,
    private_files,  # noqa: F401 - fixture
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]
API = "/api/v1/permits"


@pytest.fixture
def world(clock):
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    return permits_world()


def _as(client, user):
    client.force_login(user)
    return client


# --- Service cards and the fee preview ----------------------------------------------------------


def test_anyone_lists_the_services_and_reads_a_card_with_its_fees(client, world):
    listing = client.get(f"{API}/types/")
    assert listing.status_code == 200
    assert [(t["code"], t["filed_by"], t["owner_consent_required"]) for t in listing.json()] \
        == [("building_new", "design_office", True)]
    card = client.get(f"{API}/types/building_new/", {"municipality_class": 2})
    assert card.status_code == 200
    body = card.json()
    assert [f["key"] for f in body["fields"]][:5] == ["floors", "built_area_m2",
                                                      "footprint_m2", "use", "shop_count"]
    assert body["fields"][4]["shown_when"] == {"field": "use", "in": ["commercial"]}
    assert [(d["kind"], d["content_types"], d["max_bytes"], d["required"])
            for d in body["documents"]] == [
        ("architectural_plans", ["application/pdf"], 5 * 1024 * 1024, True),
        ("site_photo", ["image/jpeg", "image/png"], 2 * 1024 * 1024, False)]
    assert body["requirements_en"] == ["A valid title deed",
                                       "Plans by a licensed engineering office"]
    assert [(f["stage"], f["amount"], f["pending_en"]) for f in body["fees"]] == [
        ("application", "300.00", ""), ("issuance", None, "Depends on “Built-up area”")]
    # without a municipality or class, no fees are priced
    assert client.get(f"{API}/types/building_new/").json()["fees"] is None
    assert client.get(f"{API}/types/nope/").json()["code"] == "permits.type_not_found"
    bad_class = client.get(f"{API}/types/building_new/", {"municipality_class": 9})
    assert (bad_class.status_code, bad_class.json()["code"]) == (400, "validation_error")


def test_the_fee_preview_prices_the_answers(client, world):
    response = client.post(f"{API}/fee-preview/", {
        "permit_type": "building_new", "municipality": world.municipality.code,
        "answers": {"built_area_m2": "420.00"}}, content_type="application/json")
    assert response.status_code == 200
    assert [(line["stage"], line["amount"], line["quantity"], line["minimum_applied"])
            for line in response.json()["lines"]] == [
        ("application", "300.00", None, False), ("issuance", "1050.00", "420.00", False)]
    assert response.json()["total"] == "1350.00"
    small = client.post(f"{API}/fee-preview/", {
        "permit_type": "building_new", "municipality": world.municipality.code,
        "answers": {"built_area_m2": 100}}, content_type="application/json").json()
    assert (small["lines"][1]["amount"], small["lines"][1]["minimum_applied"],
            small["total"]) == ("500.00", True, "800.00")
    unknown = client.post(f"{API}/fee-preview/", {"permit_type": "building_new",
                                                  "municipality": "XXX"},
                          content_type="application/json")
    assert (unknown.status_code, unknown.json()["code"]) == (
        404, "permits.municipality_not_found")


# --- An application from start to submission --------------------------------------------------


def test_an_office_drafts_answers_uploads_and_submits(client, world):
    api = _as(client, world.office_worker.user)
    # when the office starts a draft for the owner
    created = api.post(f"{API}/applications/", {
        "permit_type": "building_new", "municipality": world.municipality.code,
        "owner_national_id": world.owner.national_id}, content_type="application/json")
    assert created.status_code == 201, created.json()
    draft = created.json()
    reference = draft["reference"]
    assert (draft["status"], draft["steps"], draft["is_editable"], draft["owner_name_ar"]) == (
        "draft", [1, 2], True, world.owner.name_ar)
    assert sorted(p["role"] for p in draft["parties"]) == ["design_office", "owner"]
    # and answers a step wrongly, then rightly
    wrong = api.post(f"{API}/applications/{reference}/answers/",
                     {"step": 1, "answers": {**STEP_1, "floors": 99}},
                     content_type="application/json")
    assert wrong.status_code == 400
    assert (wrong.json()["code"], wrong.json()["errors"]) == (
        "permits.answers_invalid", {"floors": ["أكبر قيمة مسموحة 30."]})
    for step, answers in ((1, STEP_1), (2, STEP_2)):
        saved = api.post(f"{API}/applications/{reference}/answers/",
                         {"step": step, "answers": answers}, content_type="application/json",
                         HTTP_ACCEPT_LANGUAGE="en")
        assert saved.status_code == 200
    assert saved.json()["answers"]["built_area_m2"] == "420.00"
    # a submission now is refused with every reason
    refused = api.post(f"{API}/applications/{reference}/submit/", {},
                       content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "permits.submission_refused"
    assert set(refused.json()["errors"]) == {"parcel", "document:architectural_plans"}
    # when the plans are uploaded and the parcel set
    uploaded = api.post(f"{API}/applications/{reference}/documents/",
                        {"kind": "architectural_plans", "file": plans_pdf()})
    assert uploaded.status_code == 201
    assert [(d["kind"], d["version"], d["content_type"]) for d in uploaded.json()["documents"]] \
        == [("architectural_plans", 1, "application/pdf")]
    Application.objects.filter(reference=reference).update(parcel=world.parcel)
    submitted = api.post(f"{API}/applications/{reference}/submit/",
                         {"expected_version": uploaded.json()["row_version"]},
                         content_type="application/json")
    # then it waits for the owner's consent
    assert submitted.status_code == 200
    assert (submitted.json()["status"], submitted.json()["is_editable"]) == (
        "awaiting_consent", False)
    again = api.post(f"{API}/applications/{reference}/submit/", {},
                     content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "permits.already_submitted")


def test_a_refused_document_says_why_and_stores_nothing(client, world):
    application = draft_start(world)
    api = _as(client, world.office_worker.user)
    response = api.post(f"{API}/applications/{application.reference}/documents/",
                        {"kind": "architectural_plans", "file": plans_pdf("x.png")},
                        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201  # a PDF by content, whatever its name
    from tests.samples import png, upload

    wrong = api.post(f"{API}/applications/{application.reference}/documents/",
                     {"kind": "architectural_plans",
                      "file": upload("plans.pdf", png(), "application/pdf")})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "upload.type_not_allowed")
    assert ApplicationDocument.objects.count() == 1


def test_a_fine_refuses_the_submission_with_its_reason(client, world):
    fine = overdue_fine(world)
    application = draft_complete(world)
    before = nothing_changed_snapshot(application.pk)
    response = _as(client, world.office_worker.user).post(
        f"{API}/applications/{application.reference}/submit/", {},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    [reason] = response.json()["errors"]["payments.bill_overdue"]
    assert reason.startswith(f"Fine bill {fine.billing_account} (Building violation) for SAR "
                             "500.00 is unpaid")
    assert nothing_changed_snapshot(application.pk) == before


def test_the_owner_cannot_start_an_office_type(client, world):
    response = _as(client, world.owner.user).post(
        f"{API}/applications/", {"permit_type": "building_new"},
        content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "permits.office_required")
    assert not Application.objects.exists()


# --- Who may do what --------------------------------------------------------------------------

ROLES = ["filer", "owner", "other_citizen", "staff_here", "staff_elsewhere", "anonymous"]


def _user(world, role):
    if role == "filer":
        return world.office_worker.user
    if role == "owner":
        return world.owner.user
    if role == "other_citizen":
        return CitizenFactory(municipality=world.municipality).user
    if role == "staff_here":
        return world.clerk
    if role == "staff_elsewhere":
        return staff_make(DepartmentFactory(municipality=MunicipalityFactory(code="M901"),
                                            code="engineering"), "head")
    return None


# (reads, edits) each role gets on a draft, and once it is with the municipality
DRAFT = {"filer": (200, 200), "owner": (200, 403), "other_citizen": (404, 404),
         "staff_here": (404, 404), "staff_elsewhere": (404, 404), "anonymous": (403, 403)}
SUBMITTED = {"filer": (200, 409), "owner": (200, 403), "other_citizen": (404, 404),
             "staff_here": (200, 403), "staff_elsewhere": (404, 404), "anonymous": (403, 403)}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("submitted", [False, True], ids=["draft", "submitted"])
def test_access_to_every_operation_on_an_application(client, world, role, submitted):
    application = application_draft_make(world)
    if submitted:
        application_status_change(application=application_lock(application.pk),
                                  to_status=ApplicationStatus.IN_REVIEW)
    user = _user(world, role)
    if user is not None:
        client.force_login(user)
    reads, edits = (SUBMITTED if submitted else DRAFT)[role]
    base = f"{API}/applications/{application.reference}"
    before = nothing_changed_snapshot(application.pk)
    assert client.get(f"{base}/").status_code == reads
    answers = client.post(f"{base}/answers/", {"step": 1, "answers": STEP_1},
                          content_type="application/json")
    assert answers.status_code == edits
    if edits != 200:
        assert nothing_changed_snapshot(application.pk) == before
        document = client.post(f"{base}/documents/", {"kind": "architectural_plans",
                                                      "file": plans_pdf()})
        assert document.status_code == edits
        submit = client.post(f"{base}/submit/", {}, content_type="application/json")
        assert submit.status_code == (409 if (role, submitted) == ("filer", True) else edits)
        assert nothing_changed_snapshot(application.pk) == before
    if reads == 404:
        assert answers.json()["code"] == "permits.application_not_found"
    # a guessed reference is the same 404 for everyone signed in
    guessed = client.get(f"{API}/applications/PA000000000000/")
    assert guessed.status_code == (403 if user is None else 404)
    listed = client.get(f"{API}/applications/")
    if user is None:
        assert listed.status_code == 403
    else:
        mine = [a["reference"] for a in listed.json()["results"]]
        # "my applications" are those one is a party to: never staff's municipality view
        assert mine == ([application.reference] if role in ("filer", "owner") else [])


def test_the_list_runs_the_same_queries_for_10_and_50_applications(client, world):
    api = _as(client, world.office_worker.user)
    for _ in range(10):
        application_draft_make(world)
    api.get(f"{API}/applications/")  # warm the session and the user's caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{API}/applications/")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    few = count()
    for _ in range(40):
        application_draft_make(world)
    many = count()
    assert (few[1], many[1]) == (10, 50)
    assert few[0] == many[0]
