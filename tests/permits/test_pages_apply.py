"""The applying pages: start, one step per page, parcel, documents, fees, review and submit;
"My applications" and the application's page for its parties. Arabic and English, and who may
open what (404 for whoever is not a party, whatever reference they guess)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from permits.enums import ApplicationStatus
from permits.models import Application, ApplicationDocument
from permits.services.applications import application_lock, application_status_change
from tests.factories import CitizenFactory, DepartmentFactory, MunicipalityFactory
from tests.permits.factories import application_draft_make, permits_world, staff_make
from tests.samples import png, upload

from .apply_helpers import (
    STEP_1,
    application_in_review,
    draft_complete,
    draft_start,
    nothing_changed_snapshot,
    overdue_fine,
    plans_pdf,
    private_files,  # noqa: F401 - fixture
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]


@pytest.fixture
def world(clock):
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    return permits_world()


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _pages(reference: str, language: str = "en") -> dict[str, str]:
    base = f"/{language}/permits/applications/{reference}"
    return {"application": f"{base}/", "step": f"{base}/steps/1/", "parcel": f"{base}/parcel/",
            "documents": f"{base}/documents/", "fees": f"{base}/fees/",
            "review": f"{base}/review/"}


# --- Starting ---------------------------------------------------------------------------------


def test_an_office_starts_an_application_for_the_owner(client, world):
    client.force_login(world.office_worker.user)
    page = client.get("/en/permits/apply/")
    assert page.status_code == 200
    assert "New building permit" in _text(page) and "owner_national_id" in _text(page)
    response = client.post("/en/permits/apply/", {
        "permit_type": "building_new", "municipality": world.municipality.code,
        "owner_national_id": world.owner.national_id})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/permits/applications/{application.reference}/steps/1/"
    assert (application.owner_person, application.filing_office) == (world.owner, world.office)


def test_a_refused_start_says_why_next_to_the_field(client, world):
    client.force_login(world.office_worker.user)
    response = client.post("/en/permits/apply/", {
        "permit_type": "building_new", "municipality": world.municipality.code,
        "owner_national_id": "1000000008"})
    assert response.status_code == 400
    assert ('<p class="field-error" id="id_owner_national_id_error">No one is registered with '
            'this ID number') in _text(response)
    assert not Application.objects.exists()


# --- One step per page ------------------------------------------------------------------------


def test_a_step_page_shows_its_questions_progress_and_only_if_notes(client, world):
    application = draft_start(world)
    client.force_login(world.office_worker.user)
    english = _text(client.get(_pages(application.reference)["step"]))
    assert "Step 1 of 6: <strong>Questions (1)</strong>" in english
    assert "Built-up area (m²)" in english
    assert "Only if “Use” is Commercial." in english
    arabic = _text(client.get(_pages(application.reference, "ar")["step"]))
    assert 'dir="rtl"' in arabic and "مسطح البناء (م²)" in arabic
    assert "فقط إذا كان «الاستخدام» تجاري." in arabic


def test_a_step_is_saved_and_the_next_one_follows(client, world):
    application = draft_start(world)
    client.force_login(world.office_worker.user)
    pages = _pages(application.reference)
    response = client.post(pages["step"], {**STEP_1, "go": "next", "expected_version": 1})
    assert response.status_code == 302
    assert response["Location"].endswith("/steps/2/")
    application.refresh_from_db()
    assert application.answers["built_area_m2"] == "420.00"
    # "save draft" stays on the page
    stay = client.post(pages["step"], {**STEP_1, "floors": "3", "go": "stay"})
    assert stay["Location"].endswith("/steps/1/")


def test_a_wrong_answer_is_shown_next_to_its_field_and_nothing_is_saved(client, world):
    application = draft_start(world)
    client.force_login(world.office_worker.user)
    before = nothing_changed_snapshot(application.pk)
    response = client.post(_pages(application.reference, "ar")["step"],
                           {**STEP_1, "floors": "40", "use": "commercial"})
    assert response.status_code == 400
    text = _text(response)
    assert '<p class="field-error" id="id_floors_error">أكبر قيمة مسموحة 30.</p>' in text
    assert '<p class="field-error" id="id_shop_count_error">هذا الحقل مطلوب.</p>' in text
    assert nothing_changed_snapshot(application.pk) == before


def test_a_stale_step_page_is_a_conflict(client, world):
    application = draft_start(world)
    client.force_login(world.office_worker.user)
    response = client.post(_pages(application.reference)["step"],
                           {**STEP_1, "expected_version": 9})
    assert response.status_code == 409
    assert "changed since you opened it" in _text(response)


# --- Parcel, documents, fees ------------------------------------------------------------------


def test_the_parcel_step_shows_the_parcel_or_what_is_left_to_do(client, world):
    application = draft_start(world)
    client.force_login(world.office_worker.user)
    before = _text(client.get(_pages(application.reference)["parcel"]))
    assert "Step 3 of 6" in before and "No parcel is set yet." in before
    Application.objects.filter(pk=application.pk).update(parcel=world.parcel)
    after = _text(client.get(_pages(application.reference)["parcel"]))
    assert world.deed.deed_number in after and "North district" in after


def test_documents_are_uploaded_with_what_is_allowed_shown(client, world):
    application = draft_start(world)
    client.force_login(world.office_worker.user)
    url = _pages(application.reference)["documents"]
    page = _text(client.get(url))
    assert "Accepted: PDF, up to 5 MB. Supplied by: The engineering office." in page
    assert 'accept=".pdf,application/pdf"' in page
    done = client.post(url, {"kind": "architectural_plans", "file": plans_pdf()})
    assert done.status_code == 302
    wrong = client.post(url, {"kind": "site_photo", "file": upload("a.jpg", b"GIF89a....")})
    assert wrong.status_code == 400
    assert ('id="id_site_photo_file_error">This type of file is not accepted'
            in _text(wrong))
    assert list(ApplicationDocument.objects.values_list("kind", flat=True)) == [
        "architectural_plans"]
    listed = _text(client.get(url))
    assert "plans.pdf" in listed and "version 1" in listed


def test_the_fees_step_prices_the_answers(client, world):
    application = draft_start(world)
    client.force_login(world.office_worker.user)
    url = _pages(application.reference)["fees"]
    assert "Depends on “Built-up area”" in _text(client.get(url))
    client.post(_pages(application.reference)["step"], STEP_1)
    text = _text(client.get(url))
    assert "SAR 300.00" in text and "SAR 1,050.00" in text and "SAR 1,350.00" in text
    arabic = _text(client.get(_pages(application.reference, "ar")["fees"]))
    assert "1,050.00 ر.س" in arabic


# --- Review and submit ------------------------------------------------------------------------


def test_the_review_lists_what_is_missing_and_submitting_refuses_with_reasons(client, world):
    fine = overdue_fine(world)
    application = draft_complete(world, answers=(STEP_1, {}))
    client.force_login(world.office_worker.user)
    url = _pages(application.reference)["review"]
    assert "Before you can submit, put these right:" in _text(client.get(url))
    before = nothing_changed_snapshot(application.pk)
    response = client.post(url, {"expected_version": application.row_version})
    text = _text(response)
    assert response.status_code == 400
    assert "The application was not submitted." in text
    assert "“Front setback (m)”: This field is required." in text
    assert f"Fine bill {fine.billing_account} (Building violation)" in text
    assert f'href="/en/payments/bills/{fine.billing_account}/">Pay it</a>' in text
    assert nothing_changed_snapshot(application.pk) == before


def test_submitting_a_complete_application_asks_the_owner(client, world):
    application = draft_complete(world)
    client.force_login(world.office_worker.user)
    pages = _pages(application.reference)
    review = _text(client.get(pages["review"]))
    assert "Before you can submit" not in review
    assert "Change" in review and "SAR 1,350.00" in review
    assert "plans.pdf</a> <span class=\"muted small\">Architectural plans · version 1" in review
    response = client.post(pages["review"], {"expected_version": application.row_version})
    assert response.status_code == 302 and response["Location"] == pages["application"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWAITING_CONSENT
    page = _text(client.get(pages["application"]))
    assert "Waiting for the owner's consent" in page
    # the edit pages now send the filer back to the application's page
    assert client.get(pages["step"])["Location"] == pages["application"]
    owner_view = client
    owner_view.force_login(world.owner.user)
    assert "waits for your consent" in _text(owner_view.get(pages["application"]))


def test_the_application_page_shows_the_fee_to_pay_with_its_sadad_number(client, world):
    from payments.services import outbox_flush

    application = application_in_review(world)
    fee = application.fees.get()
    client.force_login(world.office_worker.user)
    # while SADAD has not accepted the bill, its number is shown with when it can be paid
    pending = _text(client.get(_pages(application.reference)["application"]))
    assert f'class="pa-number">{fee.bill.billing_account}</span>' in pending
    assert "it can be paid once SADAD accepts it" in pending
    # once it has, the biller code and bill number to pay with, each with a copy button
    outbox_flush()
    text = _text(client.get(_pages(application.reference)["application"]))
    assert "With the municipality" in text
    assert "Application fee" in text and "SAR 300.00" in text and "Unpaid" in text
    assert (f'<span class="pay-code-value" dir="ltr" id="acct-{fee.bill.pk}">'
            f'{fee.bill.billing_account}</span>') in text
    assert f'data-copy-target="acct-{fee.bill.pk}"' in text
    assert f'href="/en/transactions/mine/{application.case_id}/"' in text
    assert application.case.number in text
    # the owner sees the same, in Arabic
    client.force_login(world.owner.user)
    arabic = _text(client.get(_pages(application.reference, "ar")["application"]))
    assert "رسوم تقديم الطلب" in arabic and fee.bill.billing_account in arabic


def test_a_document_is_downloaded_by_parties_only(client, world):
    application = draft_complete(world)
    document = application.documents.get()
    url = f"/en/permits/applications/{application.reference}/documents/{document.pk}/"
    client.force_login(world.owner.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(CitizenFactory(municipality=world.municipality).user)
    assert client.get(url).status_code == 404


def test_the_filer_withdraws_a_draft(client, world):
    application = draft_start(world)
    client.force_login(world.office_worker.user)
    response = client.post(f"/en/permits/applications/{application.reference}/withdraw/",
                           {"expected_version": application.row_version})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


# --- My applications --------------------------------------------------------------------------


def test_my_applications_lists_what_one_is_a_party_to_newest_first(client, world):
    first = draft_start(world)
    second = draft_start(world)
    stranger = CitizenFactory(municipality=world.municipality)
    client.force_login(world.owner.user)
    text = _text(client.get("/en/permits/applications/"))
    assert text.index(second.reference) < text.index(first.reference)
    assert "Filed by" in text
    client.force_login(stranger.user)
    assert "You have no permit applications yet." in _text(
        client.get("/en/permits/applications/"))


def test_my_applications_runs_the_same_queries_for_10_and_50(client, world):
    client.force_login(world.office_worker.user)
    for _ in range(10):
        application_draft_make(world)
    client.get("/ar/permits/applications/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/ar/permits/applications/")
        assert response.status_code == 200
        return len(queries)

    few = count()
    for _ in range(40):
        application_draft_make(world)
    assert count() == few


# --- Who may open what ------------------------------------------------------------------------

ROLES = ["filer", "owner", "other_citizen", "staff_here", "staff_elsewhere", "anonymous"]
EDIT_PAGES = ("step", "parcel", "documents", "fees", "review")


def _user(world, role):
    return {
        "filer": lambda: world.office_worker.user,
        "owner": lambda: world.owner.user,
        "other_citizen": lambda: CitizenFactory(municipality=world.municipality).user,
        "staff_here": lambda: world.clerk,
        "staff_elsewhere": lambda: staff_make(DepartmentFactory(
            municipality=MunicipalityFactory(code="M901"), code="engineering"), "head"),
        "anonymous": lambda: None,
    }[role]()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("submitted", [False, True], ids=["draft", "submitted"])
def test_who_may_open_each_page(client, world, role, submitted):
    application = application_draft_make(world)
    if submitted:
        application_status_change(application=application_lock(application.pk),
                                  to_status=ApplicationStatus.IN_REVIEW)
    user = _user(world, role)
    if user is not None:
        client.force_login(user)
    pages = _pages(application.reference)
    sees = role in ("filer", "owner") or (role == "staff_here" and submitted)
    before = nothing_changed_snapshot(application.pk)
    for name, url in pages.items():
        response = client.get(url)
        if user is None:
            assert response.status_code == 302 and "/sign-in" in response["Location"], url
        elif not sees:
            assert response.status_code == 404, (name, response.status_code)
        elif name == "application":
            assert response.status_code == 200
        elif role != "filer":
            assert response.status_code == 403, (name, response.status_code)
        elif submitted:
            assert response["Location"] == pages["application"]
        else:
            assert response.status_code == 200, (name, response.status_code)
    # writes are refused alike, and change nothing
    if role != "filer":
        for name in ("step", "review"):
            response = client.post(pages[name], STEP_1)
            assert response.status_code in ((302,) if user is None else (403, 404)), name
        client.post(f"/en/permits/applications/{application.reference}/withdraw/")
        assert nothing_changed_snapshot(application.pk) == before
    # and a guessed reference is the same 404
    guessed = client.get("/en/permits/applications/PA000000000000/")
    assert guessed.status_code == (302 if user is None else 404)


def test_a_step_not_in_the_form_is_not_found(client, world):
    application = draft_start(world)
    client.force_login(world.office_worker.user)
    base = f"/en/permits/applications/{application.reference}/steps"
    assert client.get(f"{base}/3/").status_code == 404
    assert client.get(f"{base}/0/").status_code == 404


def test_the_menu_offers_my_applications_to_citizens(client, world):
    client.force_login(world.owner.user)
    assert 'href="/en/permits/applications/"' in _text(client.get("/en/permits/applications/"))
    client.force_login(world.clerk)
    assert 'href="/en/permits/applications/">' not in _text(client.get("/en/"))


def test_an_owner_filed_type_walks_the_whole_way_in_the_pages(client, world):
    from .apply_helpers import FENCE_STEP_1, fence_type_make

    fence_type_make(world.municipality)
    client.force_login(world.owner.user)
    started = client.post("/en/permits/apply/", {"permit_type": "fence",
                                                 "municipality": world.municipality.code})
    application = Application.objects.get(permit_type__code="fence")
    assert started["Location"].endswith("/steps/1/")
    step_2 = client.post(started["Location"], {**FENCE_STEP_1, "go": "next"})
    assert step_2["Location"].endswith("/steps/2/")
    parcel = client.post(step_2["Location"], {"gate_width_m": "3", "go": "next"})
    assert parcel["Location"].endswith("/parcel/")
    Application.objects.filter(pk=application.pk).update(parcel=world.parcel)
    documents_url = _pages(application.reference)["documents"]
    photo = client.post(documents_url, {"kind": "site_photo",
                                        "file": upload("site.png", png(), "image/png")})
    assert photo.status_code == 302
    submitted = client.post(_pages(application.reference)["review"])
    assert submitted.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    page = _text(client.get(submitted["Location"]))
    assert application.case.number in page and "SAR 100.00" in page


HOSTILE = ["12\x003", "\x1b[2J", "9" * 40, "-1", "2026-02-30", "x" * 5000, "\u202egnp.exe",
           "1' OR '1'='1", "NaN", "1e999", "٣٫٥"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_answers_are_refused_never_a_server_error(client, world, value):
    application = draft_start(world)
    client.force_login(world.office_worker.user)
    pages = _pages(application.reference)
    step = client.post(pages["step"], {key: value for key in (*STEP_1, "shop_count", "go",
                                                              "expected_version")})
    assert step.status_code in (302, 400, 409), step.status_code
    start = client.post("/en/permits/apply/", {"permit_type": value, "municipality": value,
                                               "owner_national_id": value, "office": value})
    assert start.status_code == 400
    document = client.post(pages["documents"], {"kind": value, "expected_version": value,
                                                "file": plans_pdf()})
    assert document.status_code in (400, 404)
    review = client.post(pages["review"], {"expected_version": value})
    assert review.status_code in (400, 409)
    api = client.post(f"/api/v1/permits/applications/{application.reference}/answers/",
                      {"step": 1, "answers": {key: value for key in STEP_1}},
                      content_type="application/json")
    assert api.status_code == 400
    assert Application.objects.get(pk=application.pk).answers == {}
