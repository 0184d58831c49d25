"""The parcel and parties steps, the owner's consent page and the office workspace: who may open
each (and who gets 404 or 403), what the forms do, and the workspace's fixed query count."""

import datetime as dt
import sys
import types

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.enums import StaffRole
from permits.enums import ApplicationStatus, ConsentStatus, PartyRole
from permits.models import Application, ApplicationParty, Parcel
from tests.factories import CitizenFactory, DepartmentFactory, MunicipalityFactory
from tests.permits.factories import (
    application_draft_make,
    deed_make,
    office_make,
    permits_world,
    staff_make,
)

from .parties_factories import agent_make, consent_ask, contractor_party_make, snapshot

pytestmark = pytest.mark.django_db

WHO = ["owner", "agent", "office worker", "contractor worker", "other citizen",
       "staff of the municipality", "staff of another municipality", "anonymous"]


@pytest.fixture
def world(clock):
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    return permits_world()


@pytest.fixture
def application(world):
    """An office's draft naming a contractor and an agent of the owner."""
    application = application_draft_make(world)
    contractor_party_make(world, application)
    world.agent = agent_make(world, application)
    return application


def _user(world, who):
    return {
        "owner": lambda: world.owner.user,
        "agent": lambda: world.agent.user,
        "office worker": lambda: world.office_worker.user,
        "contractor worker": lambda: world.contractor_worker.user,
        "other citizen": lambda: CitizenFactory(municipality=world.municipality).user,
        "staff of the municipality": lambda: world.head,
        "staff of another municipality": lambda: staff_make(DepartmentFactory(
            municipality=MunicipalityFactory(code="M901"), code="engineering"),
            StaffRole.HEAD),
        "anonymous": lambda: None,
    }[who]()


def _as(client, world, who):
    user = _user(world, who)
    if user is not None:
        client.force_login(user)
    return client


def _is_sign_in(response) -> bool:
    from urllib.parse import urlparse

    from django.urls import resolve

    location = urlparse(response["Location"])
    return resolve(location.path).view_name == "amanah:sign_in" and "next=" in location.query


def _url(application, page, language="ar"):
    page = {"parcel": "location"}.get(page, page)  # the parcel step's address
    return f"/{language}/permits/applications/{application.reference}/{page}/"


# --- the access matrix -----------------------------------------------------------------------

DRAFT_PAGES = {
    # who → status of the parcel and parties steps of a draft (read only for other parties)
    "owner": 200, "agent": 200, "office worker": 200, "contractor worker": 200,
    "other citizen": 404, "staff of the municipality": 404,  # a draft is not the municipality's
    "staff of another municipality": 404, "anonymous": 302,
}


@pytest.mark.parametrize("page", ["parcel", "parties"])
@pytest.mark.parametrize("who", WHO)
def test_who_opens_a_drafts_steps(client, world, application, page, who):
    response = _as(client, world, who).get(_url(application, page))
    assert response.status_code == DRAFT_PAGES[who]
    if who == "anonymous":
        assert _is_sign_in(response)
    if response.status_code == 200:
        # only those preparing it get the forms
        assert response.context["may_edit"] is (who == "office worker")


@pytest.mark.parametrize("who", WHO)
def test_after_submission_the_municipality_reads_the_steps_and_no_one_edits(client, world,
                                                                            application, who):
    from permits.services.applications import application_lock, application_status_change

    application_status_change(application=application_lock(application.pk),
                              to_status=ApplicationStatus.IN_REVIEW)
    expected = {**DRAFT_PAGES, "staff of the municipality": 200}[who]
    client = _as(client, world, who)
    for page in ("parcel", "parties"):
        response = client.get(_url(application, page))
        assert response.status_code == expected
        if expected == 200:
            assert response.context["may_edit"] is False


CONSENT_PAGE = {"owner": 200, "agent": 200, "office worker": 403, "contractor worker": 403,
                "other citizen": 404, "staff of the municipality": 404,
                "staff of another municipality": 404, "anonymous": 302}


@pytest.mark.parametrize("who", WHO)
def test_who_opens_the_consent_page(client, world, application, who):
    consent_ask(application)
    response = _as(client, world, who).get(_url(application, "consent"))
    assert response.status_code == CONSENT_PAGE[who]
    if response.status_code == 200:
        assert response.context["awaited"] is True


WORKSPACE = {"owner": 403, "agent": 403, "office worker": 200, "contractor worker": 200,
             "other citizen": 403, "staff of the municipality": 403,
             "staff of another municipality": 403, "anonymous": 302}


@pytest.mark.parametrize("who", WHO)
def test_who_opens_the_office_workspace(client, world, application, who):
    response = _as(client, world, who).get("/ar/permits/office/")
    assert response.status_code == WORKSPACE[who]


@pytest.mark.parametrize("page", ["parcel", "parties", "consent"])
def test_a_guessed_reference_is_not_found_for_everyone(client, world, application, page):
    for who in ("owner", "office worker", "staff of the municipality"):
        client.logout()
        guessed = Application(reference=f"PA{'0' * 12}")
        response = _as(client, world, who).get(_url(guessed, page))
        assert response.status_code == 404


# --- what the steps' forms do, by who --------------------------------------------------------

POST_EDIT = {"owner": 403, "agent": 403, "office worker": 302, "contractor worker": 403,
             "other citizen": 404, "staff of the municipality": 404,
             "staff of another municipality": 404, "anonymous": 302}


@pytest.mark.parametrize("who", WHO)
def test_only_the_office_sets_the_parcel_through_the_page(client, world, application, who):
    deed_make(owner_id=world.owner.national_id, municipality_code="M900", number="310199990001")
    before = snapshot(application)
    response = _as(client, world, who).post(_url(application, "parcel"), {
        "expected_version": application.row_version, "deed_number": "٣١٠١٩٩٩٩٠٠٠١",
        "deed_calendar": "hijri", "deed_date": "1440-07-07", "district_code": "north",
        "latitude": "26.21", "longitude": "50.12"})
    assert response.status_code == POST_EDIT[who]
    application.refresh_from_db()
    if who == "office worker":
        assert response["Location"] == _url(application, "parcel")
        assert application.parcel.deed_number == "310199990001"
        assert application.parcel.deed_date == dt.date(2019, 3, 14)  # 7 Rajab 1440
    else:
        assert snapshot(application) == before


@pytest.mark.parametrize("who", WHO)
def test_only_the_office_names_parties_through_the_page(client, world, application, who):
    before = snapshot(application)
    supervisor, _worker = office_make(world.municipality, licence_number="EO-SUP-9")
    response = _as(client, world, who).post(_url(application, "parties"), {
        "role_form": "supervising_office",
        "supervising_office-expected_version": application.row_version,
        "supervising_office-office_licence_number": "EO-SUP-9"})
    assert response.status_code == POST_EDIT[who]
    if who == "office worker":
        assert application.parties.filter(role=PartyRole.SUPERVISING_OFFICE,
                                           office=supervisor).exists()
    else:
        assert snapshot(application) == before


@pytest.mark.parametrize("who", WHO)
def test_only_the_office_removes_a_party_through_the_page(client, world, application, who):
    contractor = application.parties.get(role=PartyRole.CONTRACTOR)
    before = snapshot(application)
    response = _as(client, world, who).post(
        _url(application, f"parties/{contractor.pk}/remove"),
        {"expected_version": application.row_version})
    assert response.status_code == POST_EDIT[who]
    if who == "office worker":
        assert not ApplicationParty.objects.filter(pk=contractor.pk).exists()
    else:
        assert snapshot(application) == before


@pytest.mark.parametrize("who", WHO)
def test_only_the_office_takes_a_declined_application_back(client, world, application, who):
    from permits.services.parties import application_consent_decline

    consent_ask(application)
    application_consent_decline(application_id=application.pk, user=world.owner.user,
                                reason="المساحة خطأ")
    before = snapshot(application)
    response = _as(client, world, who).post(_url(application, "reopen"),
                                            {"expected_version": before["row_version"]})
    assert response.status_code == POST_EDIT[who]
    application.refresh_from_db()
    if who == "office worker":
        assert application.status == ApplicationStatus.DRAFT
        assert response["Location"] == (
            f"/ar/permits/office/?office={world.office.pk}&tab=drafts")
    else:
        assert snapshot(application) == before


POST_CONSENT = {"owner": 302, "agent": 302, "office worker": 403, "contractor worker": 403,
                "other citizen": 404, "staff of the municipality": 404,
                "staff of another municipality": 404, "anonymous": 302}


@pytest.mark.parametrize("who", WHO)
def test_only_the_owner_side_declines_through_the_page(client, world, application, who):
    consent_ask(application)
    before = snapshot(application)
    response = _as(client, world, who).post(_url(application, "consent"), {
        "decision": "decline", "reason": "المساحة خطأ", "confirmed": "on",
        "expected_version": application.row_version})
    assert response.status_code == POST_CONSENT[who]
    application.refresh_from_db()
    if who in ("owner", "agent"):
        assert application.status == ApplicationStatus.CONSENT_DECLINED
    else:
        assert snapshot(application) == before


# --- the pages' flows --------------------------------------------------------------------------


def test_a_refused_parcel_is_said_next_to_its_field_and_nothing_is_saved(client, world):
    draft = application_draft_make(world, with_parcel=False)
    other = deed_make(owner_id=CitizenFactory().national_id, municipality_code="M900",
                      number="310177770001")
    before = snapshot(draft)
    client.force_login(world.office_worker.user)
    response = client.post(_url(draft, "parcel", "en"), {
        "expected_version": 1, "deed_number": other.deed_number, "deed_calendar": "gregorian",
        "deed_date": "2019-03-14", "district_code": "north", "latitude": "26.21",
        "longitude": "50.12"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"deed_number": [
        "The owner on the deed is not the owner named on the application."]}
    assert snapshot(draft) == before
    assert not Parcel.objects.filter(deed_number=other.deed_number).exists()


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"deed_date": "1440-13-01"}, "deed_date", "There is no such date in this calendar."),
    ({"deed_date": "14/3/2019"}, "deed_date",
     "Write the date as year-month-day, e.g. 1440-07-07."),
    ({"latitude": "north"}, "latitude",
     "A latitude is a decimal number between -90 and 90, e.g. 26.250000."),
    ({"longitude": "50.25"}, "longitude",
     "The location is outside North district: latitude between 26.200000 and 26.300000, "
     "longitude between 50.100000 and 50.200000."),
])
def test_parcel_form_errors_sit_next_to_their_fields(client, world, values, field, message):
    draft = application_draft_make(world, with_parcel=False)
    client.force_login(world.office_worker.user)
    response = client.post(_url(draft, "parcel", "en"), {
        "expected_version": 1, "deed_number": world.deed.deed_number,
        "deed_calendar": "hijri", "deed_date": "1440-07-07", "district_code": "north",
        "latitude": "26.21", "longitude": "50.12", **values})
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    draft.refresh_from_db()
    assert draft.parcel is None


def test_the_parcel_page_draws_the_districts_and_the_point(client, world, application):
    client.force_login(world.office_worker.user)
    response = client.get(_url(application, "parcel"))
    page = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    drawn = response.context["map"]
    assert [(b.code, b.is_selected) for b in drawn.boxes] == [("north", True)]
    assert drawn.point is not None and 'class="pp-point"' in page
    # the form shows the parcel's deed date in Hijri, as deeds carry it
    assert response.context["form"].initial["deed_date"] == "1440-07-07"
    assert "https://" not in page.split("<main")[1]  # no outside map tiles or scripts


def test_a_role_the_type_does_not_name_is_refused_above_the_forms(client, world, application):
    before = snapshot(application)
    client.force_login(world.office_worker.user)
    response = client.post(_url(application, "parties", "en"), {
        "role_form": "delegate", "delegate-expected_version": application.row_version,
        "delegate-national_id": CitizenFactory().national_id})
    # the world's type names no delegates: no form is offered for one, the refusal is on top
    assert response.status_code == 400
    assert response.context["error"] == (
        "This kind of application does not name a party in this role.")
    assert snapshot(application) == before


def test_an_expired_authorisation_is_said_next_to_its_date(client, world, application):
    from permits.models import PermitTypeParty

    PermitTypeParty.objects.create(permit_type=world.permit_type, role=PartyRole.AGENT,
                                   required=False)
    before = snapshot(application)
    client.force_login(world.office_worker.user)
    response = client.post(_url(application, "parties", "en"), {
        "role_form": "agent", "agent-expected_version": application.row_version,
        "agent-national_id": CitizenFactory().national_id,
        "agent-authorisation_number": "4410999", "agent-authorisation_scope": "كل شيء",
        "agent-authorisation_expires_on": "2026-11-30"})
    assert response.status_code == 400
    agent_form = next(f for f in response.context["forms"] if f.role == "agent")
    assert agent_form.errors == {"authorisation_expires_on": [
        "The authorisation has expired; it must be valid beyond today."]}
    assert snapshot(application) == before


def test_removing_a_party_through_the_page(client, world, application):
    contractor = application.parties.get(role=PartyRole.CONTRACTOR)
    client.force_login(world.office_worker.user)
    page = client.get(_url(application, "parties"))
    assert contractor.pk in page.context["removable"]
    filing = application.parties.get(role=PartyRole.DESIGN_OFFICE)
    assert filing.pk not in page.context["removable"]
    response = client.post(_url(application, f"parties/{contractor.pk}/remove"),
                           {"expected_version": application.row_version})
    assert response.status_code == 302
    assert not ApplicationParty.objects.filter(pk=contractor.pk).exists()
    # a stale page is refused, and says so
    stale = client.post(_url(application, f"parties/{filing.pk}/remove"),
                        {"expected_version": 1})
    assert stale.status_code == 409


def test_consent_is_confirmed_before_it_is_given(client, world, application, monkeypatch):
    calls = []
    monkeypatch.setitem(sys.modules, "permits.services.submission", types.SimpleNamespace(
        application_submission_continue=lambda *, application_id: calls.append(application_id)))
    consent_ask(application)
    client.force_login(world.owner.user)
    page = client.get(_url(application, "consent", "en"))
    text = page.content.decode()
    # the owner reads what they consent to: the type, the office, the answers as labelled
    assert "New building permit" in text and world.office.licence_number in text
    assert [(a.label, a.value) for a in page.context["summary"].answers][:4] == [
        ("Number of floors", "2"), ("Built-up area", "420.00"),
        ("Ground floor footprint", "300.00"), ("Use", "Residential")]
    # pressing "I consent" asks once more, and nothing is recorded yet
    before = snapshot(application)
    confirm = client.post(_url(application, "consent", "en"), {
        "decision": "give", "expected_version": application.row_version})
    assert confirm.status_code == 200
    assert "Confirm your consent" in confirm.content.decode()
    assert snapshot(application) == before and calls == []
    # confirming records it and continues the submission
    done = client.post(_url(application, "consent", "en"), {
        "decision": "give", "expected_version": application.row_version, "confirmed": "on"})
    assert done.status_code == 302
    assert application.parties.get(role=PartyRole.OWNER).consent == ConsentStatus.GIVEN
    assert calls == [application.pk]


def test_declining_without_a_reason_is_asked_again(client, world, application):
    consent_ask(application)
    before = snapshot(application)
    client.force_login(world.owner.user)
    response = client.post(_url(application, "consent", "en"), {
        "decision": "decline", "reason": " ", "expected_version": application.row_version})
    assert response.status_code == 400
    assert response.context["form"].errors == {"reason": [
        "Say why you decline, so the office knows what to change."]}
    assert snapshot(application) == before


# --- the office workspace ----------------------------------------------------------------------


def _fill(world, count: int, start: int = 0):
    """`count` applications of the office, spread over the statuses the workspace shows."""
    statuses = [ApplicationStatus.DRAFT, ApplicationStatus.AWAITING_CONSENT,
                ApplicationStatus.CONSENT_DECLINED, ApplicationStatus.IN_REVIEW,
                ApplicationStatus.ISSUED]
    made = []
    for i in range(count):
        application = application_draft_make(world)
        made.append((application.pk, statuses[(start + i) % len(statuses)]))
    for pk, status in made:
        Application.objects.filter(pk=pk).update(status=status)
    return made


def test_the_workspace_counts_and_lists_what_the_office_prepares(client, world):
    _fill(world, 10)
    # an application of another office is not the office's
    other_office, _worker = office_make(world.municipality)
    theirs, named = application_draft_make(world), application_draft_make(world)
    Application.objects.filter(pk__in=[theirs.pk, named.pk]).update(filing_office=other_office)
    ApplicationParty.objects.filter(application__in=[theirs, named],
                                    role=PartyRole.DESIGN_OFFICE).update(
        office=other_office, establishment=other_office.establishment)
    # the second names this office as its supervising office
    ApplicationParty.objects.create(application=named, role=PartyRole.SUPERVISING_OFFICE,
                                    office=world.office, establishment=world.office.establishment)
    client.force_login(world.office_worker.user)
    response = client.get("/en/permits/office/")
    assert response.status_code == 200
    assert [(t["name"], t["count"]) for t in response.context["tabs"]] == [
        ("drafts", 5), ("waiting", 2), ("submitted", 2), ("closed", 2)]
    listed = {a.reference: a for a in response.context["page"].object_list}
    assert named.reference in listed and theirs.reference not in listed
    assert listed[named.reference].office_role_label == "Supervising office"
    waiting = client.get("/en/permits/office/?tab=waiting")
    assert {a.status for a in waiting.context["page"].object_list} == {
        ApplicationStatus.AWAITING_CONSENT}


def test_the_workspace_shows_why_the_owner_declined(client, world):
    from permits.services.parties import application_consent_decline

    application = consent_ask(application_draft_make(world))
    application_consent_decline(application_id=application.pk, user=world.owner.user,
                                reason="عدد الأدوار خطأ")
    client.force_login(world.office_worker.user)
    response = client.get("/ar/permits/office/?tab=drafts")
    row = response.context["page"].object_list[0]
    assert (row.reference, row.decline_reason) == (application.reference, "عدد الأدوار خطأ")
    assert "عدد الأدوار خطأ" in response.content.decode()


def test_people_of_several_offices_switch_between_them(client, world):
    second, _worker = office_make(world.municipality, licence_number="EO-2ND-1")
    second.establishment.representatives.add(world.office_worker)
    theirs = application_draft_make(world)
    Application.objects.filter(pk=theirs.pk).update(filing_office=second)
    client.force_login(world.office_worker.user)
    first_page = client.get("/ar/permits/office/")
    assert len(first_page.context["offices"]) == 2
    response = client.get(f"/ar/permits/office/?office={second.pk}")
    assert response.context["office"] == second
    assert [a.reference for a in response.context["page"].object_list] == [theirs.reference]
    # an office they do not work for, or nonsense, is not found
    stranger_office, _w = office_make(world.municipality)
    assert client.get(f"/ar/permits/office/?office={stranger_office.pk}").status_code == 404
    assert client.get("/ar/permits/office/?office=x").status_code == 404


def _workspace_queries(client) -> list[int]:
    counts = []
    for url in ("/ar/permits/office/", "/en/permits/office/?tab=waiting",
                "/ar/permits/office/?tab=drafts&page=2"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    return counts


def test_the_workspace_runs_the_same_queries_for_10_and_50_applications(client, world):
    from permits.services.parties import application_consent_decline

    _fill(world, 9)
    declined = consent_ask(application_draft_make(world))
    application_consent_decline(application_id=declined.pk, user=world.owner.user,
                                reason="سبب")
    client.force_login(world.office_worker.user)
    few = _workspace_queries(client)
    _fill(world, 40, start=1)
    many = _workspace_queries(client)
    assert few == many
