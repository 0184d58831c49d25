"""The staff page of an application: for the municipality's staff only, everything side by
side in the page's language, a fixed number of queries, documents through the access rule,
and the way to and from the workflow case page."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from amanah.dates import RIYADH
from permits.enums import ApplicationEventKind, ApplicationStatus
from permits.models import Application, CorrectionRequest, PlanCheck
from permits.services.applications import (
    application_event_append,
    application_lock,
    application_save,
)
from permits.services.plan_check import plan_check_run
from tests.factories import CitizenFactory, DepartmentFactory, MunicipalityFactory
from tests.permits.factories import (
    GOOD_ANSWERS,
    application_document_make,
    application_submitted_make,
    permits_world,
    staff_make,
)
from tests.samples import pdf

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=RIYADH)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def world(clock):
    clock.set(NOW)
    return permits_world()


@pytest.fixture
def submitted(world):
    application = application_submitted_make(world)
    application_document_make(application)
    return application


def _url(application, language: str = "ar") -> str:
    return f"/{language}/permits/staff/applications/{application.reference}/"


def _user(world, who: str):
    if who == "anonymous":
        return None
    return {
        "clerk": world.clerk, "inspector": world.inspector, "head": world.head,
        "owner": world.owner.user, "office": world.office_worker.user,
        "other_citizen": CitizenFactory(municipality=world.municipality).user,
        "other_municipality_staff": staff_make(DepartmentFactory(
            municipality=MunicipalityFactory(code="M901"), code="engineering"), "head"),
    }[who]


@pytest.mark.parametrize(("who", "status"), [
    ("clerk", 200), ("inspector", 200), ("head", 200),
    ("other_municipality_staff", 404), ("owner", 404), ("office", 404),
    ("other_citizen", 404), ("anonymous", 302),
])
def test_only_the_municipalitys_staff_open_the_page(client, world, submitted, who, status):
    user = _user(world, who)
    if user is not None:
        client.force_login(user)
    response = client.get(_url(submitted))
    assert response.status_code == status
    if status == 302:
        assert "/account/" in response["Location"]


def test_a_guessed_or_draft_reference_is_404_even_for_staff(client, world):
    from tests.permits.factories import application_draft_make

    draft = application_draft_make(world)
    client.force_login(world.clerk)
    assert client.get(_url(draft)).status_code == 404
    assert client.get("/ar/permits/staff/applications/PA000000000000/").status_code == 404


def test_the_page_shows_everything_side_by_side_in_the_pages_language(client, world,
                                                                     submitted):
    plan_check_run(application_id=submitted.pk, actor=world.clerk)
    client.force_login(world.clerk)
    english = client.get(_url(submitted, "en")).content.decode()
    arabic = client.get(_url(submitted, "ar")).content.decode()
    # answers with their labels and units, in each language
    assert "Number of floors" in english and "عدد الأدوار" in arabic
    assert "Built-up area" in english and "420.00</bdi> m²" in english
    assert "Residential" in english and "سكني" in arabic
    # parties, the parcel with district, zone and coordinates
    assert world.office.licence_number in english
    assert "North district" in english and "حي الشمال" in arabic
    assert "26.250000, 50.150000" in english and "res-a" in english
    # the document through the permission-checked download
    assert f"/en/permits/applications/{submitted.reference}/documents/" in english
    # the plan check in words, per rule
    assert "The plan passes every limit." in english
    assert "Floors</strong>: <bdi>2</bdi> — at most 3 — <span class=\"pr-verdict\">passes" \
        in english
    # the fee billed, and the way back to the case
    assert "SAR 300.00" in english
    assert f"/en/transactions/cases/{submitted.case_id}/" in english


def test_the_case_page_links_staff_to_the_staff_page_and_the_applicant_to_their_part(
        client, world, submitted):
    from permits.services.corrections import application_correction_request

    client.force_login(world.clerk)
    page = client.get(f"/en/transactions/cases/{submitted.case_id}/").content.decode()
    assert f'href="/en/permits/staff/applications/{submitted.reference}/"' in page
    client.force_login(world.owner.user)
    mine = client.get(f"/en/transactions/mine/{submitted.case_id}/").content.decode()
    assert "/permits/staff/applications/" not in mine
    assert f'<a href="/en/permits/applications/{submitted.reference}/">' in mine
    # when corrections are asked for, the applicant's case page leads to them
    application_correction_request(application_id=submitted.pk, actor=world.clerk,
                                   fields=["floors"], documents=[], note="صحح عدد الأدوار")
    mine = client.get(f"/en/transactions/mine/{submitted.case_id}/").content.decode()
    assert (f'<a href="/en/permits/applications/{submitted.reference}/correction/">'
            "Make the corrections the municipality asked for</a>") in mine


def test_staff_check_the_plan_and_ask_for_corrections_from_the_page(client, world, submitted):
    client.force_login(world.clerk)
    response = client.post(_url(submitted), {"op": "plan_check"})
    assert response.status_code == 302
    assert PlanCheck.objects.filter(application=submitted, passed=True).count() == 1
    response = client.post(_url(submitted), {
        "op": "correction", "fields": ["floors", "use"], "documents": ["architectural_plans"],
        "note": "صحح عدد الأدوار"})
    assert response.status_code == 302
    correction = CorrectionRequest.objects.get(application=submitted)
    assert (correction.fields, correction.documents) == (["floors", "use"],
                                                         ["architectural_plans"])


def test_a_refused_correction_is_shown_next_to_its_field_and_changes_nothing(client, world,
                                                                            submitted):
    client.force_login(world.clerk)
    before = Application.objects.values_list("row_version", "status").get(pk=submitted.pk)
    response = client.post(_url(submitted, "en"), {"op": "correction", "fields": ["floors"],
                                                   "note": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="note-error">Tell the applicant what to correct and why.</p>' in page
    # what was ticked stays ticked
    assert 'name="fields" value="floors" checked' in page
    assert Application.objects.values_list("row_version", "status").get(
        pk=submitted.pk) == before
    assert not CorrectionRequest.objects.exists()


@pytest.mark.parametrize(("who", "status"), [
    ("clerk", 200), ("owner", 200), ("office", 200), ("other_municipality_staff", 404),
    ("other_citizen", 404),
])
def test_documents_download_through_the_access_rule(client, world, who, status):
    application = application_submitted_make(world)
    content = pdf(pages=2)
    document = application_document_make(application, content=content)
    client.force_login(_user(world, who))
    response = client.get(f"/ar/permits/applications/{application.reference}/documents/"
                          f"{document.pk}/")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == content
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "application/pdf"


def _applications_bulk(world, count: int) -> None:
    """`count` submitted applications of other owners in the municipality (rows written
    directly: only their number matters here)."""
    owners = [CitizenFactory(municipality=world.municipality) for _ in range(3)]
    Application.objects.bulk_create([Application(
        permit_type=world.permit_type, municipality=world.municipality,
        answers=dict(GOOD_ANSWERS), owner_person=owners[i % 3], filing_office=world.office,
        created_by=world.office_worker.user, status=ApplicationStatus.IN_REVIEW,
        submitted_at=NOW) for i in range(count)])


def _more_history(application, *, documents: int, events: int, start: int = 0) -> None:
    for number in range(start, start + documents):
        application_document_make(application, kind=f"extra_{number}")
    with transaction.atomic():
        locked = application_lock(application.pk)
        for i in range(events):
            application_event_append(locked, kind=ApplicationEventKind.ANSWERS_SAVED,
                                     payload={"step": i})
        application_save(locked, [])


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_page_runs_the_same_queries_for_10_and_50_applications(client, world, submitted):
    # given one application with a plan check, a fee, some documents and events, among 10
    plan_check_run(application_id=submitted.pk, actor=world.clerk)
    _applications_bulk(world, 9)
    _more_history(submitted, documents=2, events=3)
    client.force_login(world.clerk)
    url = _url(submitted)
    client.get(url)  # the session and the process's caches are warm from here on
    few = _count(client, url)
    # when there are 50 applications and it has many more documents and events
    _applications_bulk(world, 40)
    _more_history(submitted, documents=20, events=40, start=2)
    plan_check_run(application_id=submitted.pk, actor=world.clerk)
    # then the page runs exactly as many queries
    assert _count(client, url) == few, few
