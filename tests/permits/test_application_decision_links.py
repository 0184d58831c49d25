"""The application page leads a decided application on: an issued one to its permit's page, a
rejected one (for its parties, while the 60 days run) to the objection page — and the
objection filed from there opens its case."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from permits.enums import ApplicationStatus
from permits.models import PermitObjection
from permits.services.applications import application_lock, application_status_change
from permits.services.lifecycle import permit_amend, permit_amendment_start
from tests.factories import CitizenFactory
from tests.permits.factories import application_submitted_make, permits_world

from .lifecycle_helpers import day, objection_procedure_publish, permit_make

pytestmark = pytest.mark.django_db

OBJECT_WORDS = ("الاعتراض على هذا القرار", "Object to this decision")
PERMIT_WORDS = ("عرض الرخصة", "Open the permit")


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def world(clock):
    clock.set(day(2026, 12, 1))
    world = permits_world()
    objection_procedure_publish(world)
    return world


def _rejected(world):
    """An application the municipality received and rejected on 1 December 2026."""
    application = application_submitted_make(world)
    application = application_lock(application.pk)
    application_status_change(application=application, to_status=ApplicationStatus.REJECTED,
                              actor=world.reviewer, reason="المخطط لا يطابق الاشتراطات")
    return application


def _page(client, user, application, language="ar") -> str:
    client.force_login(user)
    response = client.get(f"/{language}/permits/applications/{application.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+/(?:object|permit/[^"/]+)/)"', html)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_owner_of_a_rejected_application_is_led_to_object(client, world, language):
    # given a rejected application
    rejected = _rejected(world)
    # when its owner opens its page
    html = _page(client, world.owner.user, rejected, language)
    # then the page leads to the objection page, and says until when (60 days)
    assert _links(html) == [f"/{language}/permits/application/{rejected.reference}/object/"]
    assert OBJECT_WORDS[language == "en"] in html
    until = ("30 يناير 2027 م" if language == "ar" else "30 January 2027")
    assert until in html


def test_the_objection_page_works_from_the_link(client, world):
    rejected = _rejected(world)
    html = _page(client, world.owner.user, rejected)
    [url] = _links(html)
    # when the owner follows it and sends grounds
    assert client.get(url).status_code == 200
    response = client.post(url, {"grounds": "المخطط مطابق وأرفقنا ما يثبت ذلك"})
    # then the objection is filed about the application, its case opened for the owner
    objection = PermitObjection.objects.select_related("case").get()
    assert (response.status_code, response["Location"]) == (
        302, reverse("workflow:my_case", args=[objection.case_id]))
    assert (objection.application_id, objection.permit_id, objection.due_on) == (
        rejected.pk, None, dt.date(2027, 1, 30))
    assert objection.case.applicant_person_id == world.owner.pk


def test_no_objection_link_for_staff_or_after_60_days(client, world, clock):
    rejected = _rejected(world)
    # staff read the page but do not object (the objection page is the applicant side's)
    assert _links(_page(client, world.clerk, rejected)) == []
    # the office, a party, may object
    assert len(_links(_page(client, world.office_worker.user, rejected))) == 1
    # and once the 60 days have run, nobody is led there
    clock.set(day(2027, 1, 31))
    html = _page(client, world.owner.user, rejected)
    assert _links(html) == []
    assert OBJECT_WORDS[0] not in html
    assert PermitObjection.objects.count() == 0


@pytest.mark.parametrize("language", ["ar", "en"])
def test_an_issued_application_leads_to_its_permit(client, world, language):
    # given an issued permit (on an application filed by the office)
    permit = permit_make(world)
    # when its owner, or the office that filed it, opens the application's page
    for user in (world.owner.user, world.office_worker.user):
        html = _page(client, user, permit.application, language)
        # then it leads to the permit's page by its number, and that page opens for them
        assert _links(html) == [f"/{language}/permits/permit/{permit.number}/"]
        assert PERMIT_WORDS[language == "en"] in html and permit.number in html
        assert client.get(_links(html)[0]).status_code == 200
        assert OBJECT_WORDS[language == "en"] not in html


def test_an_issued_amendment_leads_to_the_permit_it_amended(client, world):
    permit = permit_make(world)
    amendment = permit_amendment_start(permit_id=permit.pk, user=world.owner.user,
                                       answers={"floors": "3"})
    locked = application_lock(amendment.pk)
    permit_amend(application=locked, actor=world.head)
    application_status_change(application=locked, to_status=ApplicationStatus.ISSUED)
    assert _links(_page(client, world.owner.user, amendment)) == [
        f"/ar/permits/permit/{permit.number}/"]


def test_an_application_in_review_leads_nowhere_yet(client, world):
    application = application_submitted_make(world)
    html = _page(client, world.owner.user, application)
    assert _links(html) == []
    for words in OBJECT_WORDS + PERMIT_WORDS:
        assert words not in html
    # and a stranger still cannot open it
    client.force_login(CitizenFactory(municipality=world.municipality).user)
    assert client.get(f"/ar/permits/applications/{application.reference}/").status_code == 404
