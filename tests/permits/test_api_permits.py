"""The permits API: the caller's permits, one permit (the pages' access rule), and the public
verification by a certificate's token (only what is printed, limited per address)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.enums import StaffRole
from permits.services.lifecycle import permit_suspend
from tests.factories import CitizenFactory, DepartmentFactory, MunicipalityFactory
from tests.permits.factories import permits_world, staff_make

from .lifecycle_helpers import day, permit_make

pytestmark = pytest.mark.django_db
API = "/api/v1/permits"


@pytest.fixture
def world(clock):
    clock.set(day(2026, 12, 1))
    world = permits_world()
    world.permit = permit_make(world)
    return world


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


def test_anyone_verifies_a_permit_by_its_token_and_reads_only_what_is_printed(client, world):
    permit = world.permit
    response = client.get(f"{API}/verify/{permit.verification_token}/")
    assert response.status_code == 200
    assert response.json() == {
        "number": permit.number,
        "permit_type": {"code": "building_new", "name_ar": "رخصة بناء جديدة",
                        "name_en": "New building permit"},
        "status": "valid", "status_ar": "سارية", "status_en": "Valid",
        "holder_name_ar": world.owner.name_ar, "holder_name_en": world.owner.name_en,
        "holder_id_masked": "••••••" + world.owner.national_id[-4:],
        "municipality": {"code": "M900", "name_ar": world.municipality.name_ar,
                         "name_en": world.municipality.name_en},
        "parcel": {"plan_number": "2145", "parcel_number": "5678",
                   "district": {"code": "north", "name_ar": "حي الشمال",
                                "name_en": "North district"}},
        "issued_on": "2026-12-01", "valid_until": "2029-11-30", "version": 1,
    }
    assert world.owner.national_id not in response.content.decode()


def test_a_suspended_permit_verifies_as_suspended_and_an_unknown_token_is_404(client, world):
    permit_suspend(permit_id=world.permit.pk, actor=world.head, reason="مخالفة")
    body = client.get(f"{API}/verify/{world.permit.verification_token}/").json()
    assert (body["status"], body["status_ar"], body["status_en"]) == (
        "suspended", "موقوفة", "Suspended")
    unknown = client.get(f"{API}/verify/{'x' * 32}/")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "permits.permit_not_found")


def test_verification_shares_the_pages_limit_per_address(client, world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "permit_verify": "address=2/m"}
    token = world.permit.verification_token
    statuses = [client.get(f"{API}/verify/{token}/").status_code for _ in range(2)]
    page = client.get(f"/ar/permits/verify/{token}/")
    assert [*statuses, page.status_code] == [200, 200, 429]


WHO = ["holder", "office", "other_citizen", "staff_here", "staff_elsewhere", "anonymous"]
DETAIL = {"holder": 200, "office": 200, "other_citizen": 404, "staff_here": 200,
          "staff_elsewhere": 404, "anonymous": 403}


@pytest.mark.parametrize("who", WHO)
def test_one_permit_is_read_by_whoever_may_see_it_and_404_for_anyone_else(client, world, who):
    user = {"holder": world.owner.user, "office": world.office_worker.user,
            "other_citizen": CitizenFactory().user, "staff_here": world.clerk,
            "staff_elsewhere": staff_make(DepartmentFactory(
                municipality=MunicipalityFactory(code="M901"), code="engineering"),
                StaffRole.HEAD), "anonymous": None}[who]
    response = _as(client, user).get(f"{API}/permits/{world.permit.number}/")
    assert response.status_code == DETAIL[who]
    guessed = client.get(f"{API}/permits/{world.permit.number[:-6]}999999/")
    assert guessed.status_code == (403 if user is None else 404)
    if response.status_code == 200:
        body = response.json()
        assert [(d["key"], d["label_en"], d["value"]) for d in body["details"]] == [
            ("floors", "Number of floors", 2), ("built_area_m2", "Built-up area", "420.00"),
            ("use", "Use", "residential")]
        assert [v["version"] for v in body["versions"]] == [1]
        assert (body["certificate_ready"], body["verification_token"]) == (
            False, world.permit.verification_token)


def test_the_list_is_the_callers_own_in_the_same_queries_for_10_and_50(client, world):
    client = _as(client, world.owner.user)
    for _ in range(9):
        permit_make(world)
    client.get(f"{API}/permits/")
    with CaptureQueriesContext(connection) as few:
        listed = client.get(f"{API}/permits/")
    for _ in range(40):
        permit_make(world)
    with CaptureQueriesContext(connection) as many:
        more = client.get(f"{API}/permits/")
    assert (listed.json()["count"], more.json()["count"]) == (10, 50)
    assert len(more.json()["results"]) == 50
    assert len(few) == len(many)
    other = _as(client, CitizenFactory().user).get(f"{API}/permits/")
    assert other.json()["count"] == 0
