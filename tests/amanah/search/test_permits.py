"""Staff search finds permit applications and permits by reference or number and by the
owner's or holder's ID, unified number, name and mobile, for staff of the municipality only."""

import datetime as dt

import pytest

from amanah.dates import RIYADH
from amanah.enums import StaffRole
from amanah.models import Person
from amanah.permissions import staff_memberships
from amanah.search import search_parties_resolve, search_query_parse, search_run
from permits.models import Application, Permit
from permits.search import permit_search
from tests.factories import DepartmentFactory, MunicipalityFactory, StaffMembershipFactory
from tests.permits.factories import (
    application_draft_make,
    application_submitted_make,
    permits_world,
)
from tests.permits.lifecycle_helpers import permit_make

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=RIYADH)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def world(clock):
    clock.set(NOW)
    world = permits_world()
    Person.objects.filter(pk=world.owner.pk).update(
        name_ar="خالد الشمري", name_en="Khalid Alshammari", mobile="+966571234567")
    world.owner.refresh_from_db()
    return world


def _found(user, text: str, kind: str) -> list[str]:
    return [hit.number for group in search_run(user=user, text=text).groups
            if group.kind == kind for hit in group.hits]


@pytest.mark.parametrize("text", ["reference", "owner_id", "خالد الشمري", "khalid",
                                  "0571234567", "+966571234567"])
def test_staff_of_the_municipality_find_the_application_by_each_key(world, text):
    application = application_submitted_make(world)
    query = {"reference": application.reference.lower(),
             "owner_id": world.owner.national_id}.get(text, text)
    assert _found(world.clerk, query, "permit_application") == [application.reference]
    hit = search_run(user=world.clerk, text=query).groups[0].hits[0]
    assert hit.url == f"/ar/permits/staff/applications/{application.reference}/" or \
        hit.url.endswith(f"/permits/staff/applications/{application.reference}/")


@pytest.mark.parametrize("text", ["number", "owner_id", "الشمري", "Alshammari", "571234567"])
def test_staff_of_the_municipality_find_the_permit_by_each_key(world, text):
    permit = permit_make(world)
    query = {"number": permit.number.lower(), "owner_id": world.owner.national_id}.get(text, text)
    assert _found(world.clerk, query, "permit") == [permit.number]


def test_an_office_s_draft_is_not_found_by_the_municipality(world):
    draft = application_draft_make(world)
    assert Application.objects.get(pk=draft.pk).submitted_at is None
    assert _found(world.clerk, world.owner.national_id, "permit_application") == []
    assert _found(world.clerk, draft.reference, "permit_application") == []


@pytest.mark.parametrize("text", ["reference", "owner_id", "khalid"])
def test_staff_of_another_municipality_find_nothing(world, text):
    application = application_submitted_make(world)
    permit = permit_make(world)
    other = MunicipalityFactory(code="M901")
    outsider = StaffMembershipFactory(role=StaffRole.CLERK, department=DepartmentFactory(
        municipality=other, code="engineering")).user
    query = {"reference": application.reference,
             "owner_id": world.owner.national_id}.get(text, text)
    assert _found(outsider, query, "permit_application") == []
    assert _found(outsider, permit.number, "permit") == []
    assert _found(outsider, query, "permit") == []


def test_the_provider_answers_in_two_queries(world, django_assert_num_queries):
    application_submitted_make(world)
    permit_make(world)
    permit_make(world)
    staff_memberships(world.clerk)
    query = search_parties_resolve(search_query_parse(world.owner.national_id))
    with django_assert_num_queries(2):
        hits = permit_search(query=query, user=world.clerk, limit=10)
    # the two permits, and the three applications (each permit's own, and the one in review)
    assert sorted(hit.kind for hit in hits) == ["permit"] * 2 + ["permit_application"] * 3
    with django_assert_num_queries(2):
        assert len(permit_search(query=query, user=world.clerk, limit=1)) == 2
    assert Permit.objects.count() == 2
