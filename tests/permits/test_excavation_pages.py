"""The pages of part EXCAVATION: the emergency section of a draft and the clearance page,
and who gets 404 on them (everyone but the contractor's side; the owner too on the draft's)."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from amanah.dates import RIYADH
from permits.enums import ApplicationStatus
from permits.models import Application, Inspection
from permits.services.applications import application_lock, application_status_change
from permits.services.permits import permit_issue
from permits.services.submission import application_submit
from tests.factories import CitizenFactory, DepartmentFactory, MunicipalityFactory
from tests.permits.factories import (
    excavation_draft_complete,
    excavation_world,
    slot_make,
    staff_make,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=RIYADH)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def world(clock):
    clock.set(NOW)
    return excavation_world()


def _users(world) -> dict:
    other_municipality = MunicipalityFactory(code="ZZZ")
    return {
        "other contractor": world.other_contractor_worker.user,
        "other citizen": CitizenFactory(municipality=world.municipality).user,
        "staff of another municipality": staff_make(
            DepartmentFactory(municipality=other_municipality, code="engineering"), "head"),
        "anonymous": None,
    }


def test_the_contractor_marks_the_draft_as_emergency_on_its_page(client, world):
    application = excavation_draft_complete(world)
    url = reverse("permits:excavation_emergency", args=[application.reference])
    client.force_login(world.contractor_worker.user)
    # the draft's steps link to the emergency section
    step = client.get(reverse("permits:apply_step", args=[application.reference, 1]))
    assert url in step.content.decode()
    # when the contractor says the digging started at 06:30 Riyadh time today
    response = client.post(url, {"is_emergency": "on", "work_started_at": "2026-03-10T06:30",
                                 "expected_version": application.row_version})
    assert (response.status_code, response["Location"]) == (302, url)
    application = Application.objects.get(pk=application.pk)
    assert (application.is_emergency, application.work_started_at) == (
        True, dt.datetime(2026, 3, 10, 6, 30, tzinfo=RIYADH))


def test_a_refused_start_is_shown_next_to_its_field_and_nothing_is_saved(client, world):
    application = excavation_draft_complete(world)
    url = reverse("permits:excavation_emergency", args=[application.reference])
    client.force_login(world.contractor_worker.user)
    response = client.post(url, {"is_emergency": "on", "work_started_at": "2026-03-10T12:00"})
    assert response.status_code == 400
    assert "وقت بدء الحفر في المستقبل" in response.content.decode()
    assert Application.objects.get(pk=application.pk).is_emergency is False
    # and a time that is no time is a field error, never a 500
    response = client.post(url, {"is_emergency": "on", "work_started_at": "yesterday"})
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["owner", "other contractor", "other citizen",
                                 "staff of another municipality", "anonymous"])
def test_the_emergency_page_is_404_for_everyone_but_the_filer(client, world, who):
    application = excavation_draft_complete(world)
    user = world.owner.user if who == "owner" else _users(world)[who]
    if user is not None:
        client.force_login(user)
    url = reverse("permits:excavation_emergency", args=[application.reference])
    assert client.get(url).status_code == 404
    assert client.post(url, {"is_emergency": "on",
                             "work_started_at": "2026-03-10T06:30"}).status_code == 404
    assert Application.objects.get(pk=application.pk).is_emergency is False


def _issued(world) -> Application:
    application = excavation_draft_complete(world)
    application_submit(application_id=application.pk, user=world.contractor_worker.user)
    with transaction.atomic():
        locked = application_lock(application.pk)
        permit_issue(application=locked)
        application_status_change(application=locked, to_status=ApplicationStatus.ISSUED)
    return Application.objects.get(pk=application.pk)


def test_the_staff_page_shows_the_emergency_badge(client, world):
    application = excavation_draft_complete(world)
    Application.objects.filter(pk=application.pk).update(
        is_emergency=True, work_started_at=NOW - dt.timedelta(hours=2))
    application_submit(application_id=application.pk, user=world.contractor_worker.user)
    client.force_login(world.clerk)
    page = client.get(reverse("permits:staff_application", args=[application.reference]))
    assert page.status_code == 200
    assert 'id="application-emergency"' in page.content.decode()


@pytest.mark.parametrize("who", ["contractor", "owner"])
def test_the_applicant_side_books_the_reinstatement_on_the_clearance_page(client, world, who):
    application = _issued(world)
    slot = slot_make(world, starts_at=NOW + dt.timedelta(days=2))
    client.force_login(world.contractor_worker.user if who == "contractor"
                       else world.owner.user)
    # the application's page links to the clearance page
    assert reverse("permits:excavation_clearance", args=[application.reference]) in client.get(
        reverse("permits:application", args=[application.reference])).content.decode()
    url = reverse("permits:excavation_clearance", args=[application.reference])
    page = client.get(url)
    assert page.status_code == 200 and f'value="{slot.pk}"' in page.content.decode()
    assert client.post(url, {"op": "book", "slot": slot.pk}).status_code == 302
    assert Inspection.objects.get(application=application).purpose == "reinstatement"


@pytest.mark.parametrize("who", ["other contractor", "other citizen",
                                 "staff of another municipality", "anonymous", "own staff"])
def test_the_clearance_page_is_404_for_everyone_else(client, world, who):
    application = _issued(world)
    slot = slot_make(world, starts_at=NOW + dt.timedelta(days=2))
    user = world.clerk if who == "own staff" else _users(world)[who]
    if user is not None:
        client.force_login(user)
    url = reverse("permits:excavation_clearance", args=[application.reference])
    assert client.get(url).status_code == 404
    assert client.post(url, {"op": "book", "slot": slot.pk}).status_code == 404
    assert not Inspection.objects.filter(application=application).exists()


def test_a_guessed_reference_is_404(client, world):
    client.force_login(world.contractor_worker.user)
    for name in ("permits:excavation_clearance", "permits:excavation_emergency"):
        assert client.get(reverse(name, args=["PA000000000000"])).status_code == 404
