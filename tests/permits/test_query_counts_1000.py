"""The issue's numbers: the staff queue with permit cases in it, the staff application page, the
API list of applications and "My applications" run exactly as many SQL queries at 1,000
applications as at 10.

The 990 extra applications and their cases are written with bulk_create: it is the pages'
reads under test, not how the rows came to be (the services that write them one by one are
tested with them)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.dates import RIYADH
from permits.enums import ApplicationStatus, PartyRole
from permits.models import Application, ApplicationParty
from tests.factories import CitizenFactory
from tests.permits.factories import (
    GOOD_ANSWERS,
    application_document_make,
    application_submitted_make,
    permits_world,
)
from workflow.models import Case

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=RIYADH)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


def _applications_bulk(world, template: Application, count: int, *, start: int,
                       owners) -> None:
    """`count` applications like `template` (filed by the world's office, in review), each
    with its own case at the same step of the same procedure, and its owner and office
    parties: three INSERTs of up to 500 rows each."""
    case = template.case
    cases = Case.objects.bulk_create([
        Case(number=f"BULK-{start + i:06d}", municipality=case.municipality,
             definition_id=case.definition_id, version_id=case.version_id,
             subject=f"رخصة بناء {start + i}", applicant_person=owners[i % len(owners)],
             state_id=case.state_id, category=case.category, department_id=case.department_id,
             submitted_at=NOW, state_entered_at=NOW,
             state_due_at=NOW + dt.timedelta(hours=i % 97), due_at=NOW + dt.timedelta(days=7),
             routed_at=NOW)
        for i in range(count)], batch_size=500)
    applications = Application.objects.bulk_create([
        Application(permit_type=world.permit_type, municipality=world.municipality,
                    parcel=world.parcel, answers=dict(GOOD_ANSWERS),
                    owner_person=owners[i % len(owners)], filing_office=world.office,
                    created_by=world.office_worker.user, status=ApplicationStatus.IN_REVIEW,
                    submitted_at=NOW, case=cases[i])
        for i in range(count)], batch_size=500)
    ApplicationParty.objects.bulk_create(
        [party for application in applications for party in (
            ApplicationParty(application=application, role=PartyRole.OWNER,
                             person=application.owner_person),
            ApplicationParty(application=application, role=PartyRole.DESIGN_OFFICE,
                             office=world.office, establishment=world.office.establishment))],
        batch_size=500)


def _get(client, user, url: str):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response


def _queries(client, user, url: str) -> int:
    return _get(client, user, url)[0]


def _listed(response) -> int:
    """How many rows the page or API says it lists in all."""
    if response.get("Content-Type", "").startswith("application/json"):
        return response.json()["count"]
    return response.context["page"].paginator.count


def test_the_pages_run_the_same_queries_for_10_and_1000_applications(client, clock):
    # given 10 applications in review filed by the office, some for the world's owner and some
    # for others, each with its case in the engineering department's queue
    clock.set(NOW)
    world = permits_world()
    application = application_submitted_make(world)
    application_document_make(application)
    owners = [world.owner] + [CitizenFactory(municipality=world.municipality) for _ in range(2)]
    _applications_bulk(world, application, 9, start=1, owners=owners)
    engineering = world.departments["engineering"].pk
    pages = [
        (world.head, f"/ar/transactions/queue/{engineering}/"),
        (world.head, f"/en/transactions/queue/{engineering}/?page=2"),
        (world.clerk, f"/ar/permits/staff/applications/{application.reference}/"),
        (world.office_worker.user, "/api/v1/permits/applications/"),
        (world.owner.user, "/api/v1/permits/applications/"),
        (world.office_worker.user, "/ar/permits/applications/"),
        (world.owner.user, "/en/permits/applications/"),
    ]
    for user, url in pages:  # the sessions and the process's caches warm from here on
        _queries(client, user, url)
    few = [_queries(client, user, url) for user, url in pages]

    # when there are 1,000
    _applications_bulk(world, application, 990, start=10, owners=owners)
    assert Application.objects.count() == 1000
    assert Case.objects.filter(department_id=engineering).count() == 1000

    # then every page runs exactly as many queries as before
    large = [_get(client, user, url) for user, url in pages]
    assert [count for count, _response in large] == few
    # and each lists what its reader may see of the 1,000: all of them for the department and
    # the office, the 334 (1 + 333 of 999 bulk rows) for the world's owner
    listed = [_listed(response) for (_count, response), (_user, url) in zip(large, pages)
              if "/staff/" not in url]
    assert listed == [1000, 1000, 1000, 334, 1000, 334]
