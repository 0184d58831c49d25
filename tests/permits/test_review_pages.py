"""The applicant's and the inspector's pages of the review: answering a correction (only what
was asked is shown or accepted), booking and moving the visit, the inspector's day and the
checklist form. Others get 404."""

import datetime as dt

import pytest

from amanah.dates import RIYADH
from permits.enums import ApplicationStatus, InspectionOutcome, InspectionStatus
from permits.models import Application, Inspection
from permits.services.corrections import application_correction_request
from permits.services.inspections import inspection_book
from tests.factories import CitizenFactory
from tests.permits.factories import (
    application_at_inspection_make,
    application_document_make,
    application_submitted_make,
    permits_world,
    slot_make,
)
from tests.samples import jpeg, pdf, upload

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
def asked(world):
    """A submitted application whose floors and plans staff asked to correct."""
    application = application_submitted_make(world)
    application_document_make(application)
    application_correction_request(application_id=application.pk, actor=world.clerk,
                                   fields=["floors"], documents=["architectural_plans"],
                                   note="عدد الأدوار في النموذج لا يطابق المخططات")
    return application


def _correction_url(application, language="ar"):
    return f"/{language}/permits/applications/{application.reference}/correction/"


def test_the_correction_page_shows_the_note_and_only_what_was_asked(client, world, asked):
    client.force_login(world.office_worker.user)
    page = client.get(_correction_url(asked, "en")).content.decode()
    assert "عدد الأدوار في النموذج لا يطابق المخططات" in page
    assert 'name="floors"' in page and 'value="2"' in page
    assert 'name="document_architectural_plans"' in page
    for not_asked in ("use", "front_setback_m", "built_area_m2", "document_site_photo"):
        assert f'name="{not_asked}"' not in page


@pytest.mark.parametrize("who", ["clerk", "stranger"])
def test_only_the_applicants_side_opens_the_correction_page(client, world, asked, who):
    user = world.clerk if who == "clerk" else CitizenFactory(
        municipality=world.municipality).user
    client.force_login(user)
    assert client.get(_correction_url(asked)).status_code == 404
    assert client.post(_correction_url(asked), {"floors": "3"}).status_code == 404


def test_the_applicant_sends_the_corrections(client, world, asked):
    client.force_login(world.owner.user)
    response = client.post(_correction_url(asked), {
        "floors": "3", "note": "تم التصحيح",
        "document_architectural_plans": upload("plans.pdf", pdf(), "application/pdf")})
    assert response.status_code == 302
    asked.refresh_from_db()
    assert (asked.status, asked.answers["floors"], asked.answers_version) == (
        ApplicationStatus.IN_REVIEW, 3, 2)
    # and the page now says nothing waits for them
    page = client.get(_correction_url(asked, "en")).content.decode()
    assert 'id="nothing-to-correct"' in page


def test_a_posted_answer_that_was_not_asked_for_is_refused(client, world, asked):
    client.force_login(world.owner.user)
    before = Application.objects.values_list("answers", "answers_version", "row_version").get(
        pk=asked.pk)
    response = client.post(_correction_url(asked, "en"), {
        "floors": "3", "use": "commercial",
        "document_architectural_plans": upload("plans.pdf", pdf(), "application/pdf")})
    assert response.status_code == 400
    assert "Only the answers asked for can be changed." in response.content.decode()
    assert Application.objects.values_list("answers", "answers_version", "row_version").get(
        pk=asked.pk) == before


def test_an_invalid_answer_is_shown_next_to_its_field(client, world, asked):
    client.force_login(world.owner.user)
    response = client.post(_correction_url(asked, "en"), {
        "floors": "99",
        "document_architectural_plans": upload("plans.pdf", pdf(), "application/pdf")})
    assert response.status_code == 400
    page = response.content.decode()
    assert ('id="id_floors_error">Number of floors: The largest value allowed is 30.</p>'
            in page)
    assert 'value="99"' in page


# --- The visit ---------------------------------------------------------------------------


def _booking_url(application, language="ar"):
    return f"/{language}/permits/applications/{application.reference}/inspection/"


def test_the_applicant_books_and_moves_the_visit_from_the_page(client, world):
    application = application_at_inspection_make(world)
    first = slot_make(world, starts_at=NOW + dt.timedelta(days=2))
    second = slot_make(world, starts_at=NOW + dt.timedelta(days=3))
    client.force_login(world.owner.user)
    # the owner's case page leads here
    mine = client.get(f"/en/transactions/mine/{application.case_id}/").content.decode()
    assert f'<a href="{_booking_url(application, "en")}">Book or move the site visit</a>' in mine
    page = client.get(_booking_url(application, "en")).content.decode()
    assert f'value="{first.pk}"' in page and f'value="{second.pk}"' in page
    assert client.post(_booking_url(application), {"op": "book",
                                                   "slot": first.pk}).status_code == 302
    inspection = Inspection.objects.get(application=application)
    assert inspection.slot_id == first.pk
    page = client.get(_booking_url(application, "en")).content.decode()
    assert 'id="booked"' in page and "Move the visit" in page
    assert client.post(_booking_url(application), {"op": "move",
                                                   "slot": second.pk}).status_code == 302
    inspection.refresh_from_db()
    assert inspection.slot_id == second.pk


def test_a_refused_booking_is_explained_and_changes_nothing(client, world):
    application = application_at_inspection_make(world)
    full = slot_make(world, starts_at=NOW + dt.timedelta(days=2))
    inspection_book(application_id=application_at_inspection_make(world).pk,
                    user=world.owner.user, slot_id=full.pk, purpose="site")
    client.force_login(world.owner.user)
    response = client.post(_booking_url(application, "en"), {"op": "book", "slot": full.pk})
    assert response.status_code == 409
    assert "This time slot is full; choose another." in response.content.decode()
    assert not Inspection.objects.filter(application=application).exists()


def test_before_it_is_sent_for_inspection_nothing_can_be_booked(client, world):
    application = application_submitted_make(world)
    slot_make(world, starts_at=NOW + dt.timedelta(days=2))
    client.force_login(world.owner.user)
    page = client.get(_booking_url(application, "en")).content.decode()
    assert "A visit is booked once the municipality sends the application" in page
    assert 'name="slot"' not in page


def test_others_do_not_see_the_booking_page(client, world):
    application = application_at_inspection_make(world)
    for user in (world.clerk, CitizenFactory(municipality=world.municipality).user):
        client.force_login(user)
        assert client.get(_booking_url(application)).status_code == 404


# --- The inspector -----------------------------------------------------------------------------


@pytest.fixture
def visit(world, clock):
    application = application_at_inspection_make(world)
    slot = slot_make(world, starts_at=NOW + dt.timedelta(hours=2))
    inspection = inspection_book(application_id=application.pk, user=world.owner.user,
                                 slot_id=slot.pk, purpose="site")
    clock.set(slot.starts_at + dt.timedelta(minutes=10))
    return inspection


def test_the_inspector_sees_the_days_visits_and_others_do_not(client, world, visit):
    client.force_login(world.inspector)
    page = client.get("/en/permits/inspections/").content.decode()
    assert visit.application.reference in page
    assert f"/en/permits/inspections/{visit.pk}/" in page
    tomorrow = (NOW + dt.timedelta(days=1)).date().isoformat()
    assert visit.application.reference not in client.get(
        f"/en/permits/inspections/?day={tomorrow}").content.decode()
    client.force_login(world.clerk)
    assert client.get("/en/permits/inspections/").status_code == 404
    assert client.get(f"/en/permits/inspections/{visit.pk}/").status_code == 404


def test_the_checklist_form_wants_a_photo_with_a_no(client, world, visit):
    client.force_login(world.inspector)
    url = f"/en/permits/inspections/{visit.pk}/"
    page = client.get(url).content.decode()
    assert page.count('type="radio"') == 9  # three items × yes / no / not applicable
    answers = {"answer_fence": "no", "answer_setbacks": "yes", "answer_safety": "na"}
    response = client.post(url, answers)
    assert response.status_code == 400
    assert "Attach a photo of what fails the item: The site is fenced" in \
        response.content.decode()
    visit.refresh_from_db()
    assert visit.status == InspectionStatus.BOOKED
    response = client.post(url, {**answers, "note_fence": "السور ناقص",
                                 "photo_fence": upload("fence.jpg", jpeg(), "image/jpeg")})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.outcome) == (InspectionStatus.DONE, InspectionOutcome.FAILED)


HOSTILE = ["9" * 40, "x" * 3000, "-1", "1e999", "NaN", "١٢", "' OR 1=1 --", "\u202e3"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_on_the_review_pages_is_refused_never_a_500(client, world, asked,
                                                                  value):
    # the staff page's forms
    client.force_login(world.clerk)
    staff_url = f"/en/permits/staff/applications/{asked.reference}/"
    for data in ({"op": "correction", "fields": [value], "documents": [value], "note": value},
                 {"op": value}, {"op": "plan_check", "fields": value}):
        assert client.post(staff_url, data).status_code < 500
    # the applicant's correction and visit pages
    client.force_login(world.owner.user)
    assert client.post(_correction_url(asked), {"floors": value, "note": value,
                                                "document_x": value}).status_code < 500
    for op in ("book", "move", "cancel", value):
        assert client.post(_booking_url(asked), {"op": op, "slot": value}).status_code < 500
    assert client.get(f"/en/permits/inspections/?day={value}").status_code < 500
    asked.refresh_from_db()
    assert asked.status == ApplicationStatus.AWAITING_CORRECTION


def test_hostile_checklist_answers_are_refused_never_a_500(client, world, visit):
    client.force_login(world.inspector)
    url = f"/en/permits/inspections/{visit.pk}/"
    for value in HOSTILE:
        response = client.post(url, {"answer_fence": value, "answer_setbacks": "yes",
                                     "answer_safety": "yes", "note_fence": value,
                                     "notes": value})
        assert response.status_code == 400
    visit.refresh_from_db()
    assert visit.status == InspectionStatus.BOOKED
