"""Who may call each licences API operation (issue 10, part D): the establishment's delegate,
another establishment's delegate, a plain citizen, licensing staff of the municipality, and
anyone signed out. A refused caller learns nothing: the answer is the same 403/404 an unknown
reference gets, and carries none of the licence's facts."""

import pytest

from .api_helpers import API, api_world, as_user
from .factories import GROCERY

pytestmark = pytest.mark.django_db

ROLES = ("delegate", "other_delegate", "citizen", "staff", "anonymous")


@pytest.fixture
def world(clock):
    return api_world(clock)


def _user(world, role):
    return {"delegate": world.delegate.user, "other_delegate": world.other_delegate.user,
            "citizen": world.citizen.user, "staff": world.clerk,
            "anonymous": None}[role]


def _call(client, world, operation):
    if operation == "activities":
        return client.get(f"{API}/activities/")
    if operation == "fee_preview":
        return client.post(f"{API}/fee-preview/", {
            "municipality": "M910", "activities": [GROCERY], "shop_area_m2": "60.00"},
            content_type="application/json")
    if operation == "application":
        return client.get(f"{API}/applications/{world.application.reference}/")
    if operation == "licence":
        return client.get(f"{API}/licences/{world.licence.number}/")
    if operation == "sub_permit":
        return client.get(f"{API}/licences/{world.sign.number}/")
    if operation == "verify":
        return client.get(f"{API}/verify/{world.licence.verification_token}/")
    raise AssertionError(operation)


# operation → the status each role gets, in ROLES order
MATRIX = {
    "activities": (200, 200, 200, 200, 200),
    "fee_preview": (200, 200, 200, 200, 200),
    "application": (200, 404, 404, 200, 403),
    "licence": (200, 404, 404, 200, 403),
    "sub_permit": (200, 404, 404, 200, 403),
    "verify": (200, 200, 200, 200, 200),
}
PRIVATE = {"application", "licence", "sub_permit"}


@pytest.mark.parametrize("operation", list(MATRIX))
def test_access_matrix(client, world, operation):
    for role, expected in zip(ROLES, MATRIX[operation], strict=True):
        client.logout()
        response = _call(as_user(client, _user(world, role)), world, operation)
        assert response.status_code == expected, (operation, role, response.content[:200])
        if expected == 404:
            code = ("permits.application_not_found" if operation == "application"
                    else "permits.permit_not_found")
            assert response.json()["code"] == code
        if expected == 403:
            assert response.json()["code"] == "auth.not_authenticated"
        if expected != 200 and operation in PRIVATE:
            # 0 leaks: none of the licence's facts in a refusal
            text = response.content.decode()
            for fact in (world.licence.number, world.sign.number, "بقالة النخيل",
                         world.establishment.unified_number, world.establishment.name_ar,
                         world.application.reference):
                assert fact not in text, (operation, role, fact)


def test_staff_of_another_municipality_see_neither_application_nor_licence(client, world):
    from amanah.enums import StaffRole
    from tests.factories import DepartmentFactory, MunicipalityFactory
    from tests.permits.factories import staff_make

    elsewhere = MunicipalityFactory(code="M911")
    stranger = staff_make(DepartmentFactory(municipality=elsewhere, code="licensing"),
                          StaffRole.HEAD)
    as_user(client, stranger)
    for operation in ("application", "licence", "sub_permit"):
        assert _call(client, world, operation).status_code == 404, operation


def test_filing_is_for_the_establishments_delegates_only(client, world):
    body = {"establishment": world.establishment.unified_number, "municipality": "M910",
            "activities": [GROCERY],
            "deed_number": world.deed.deed_number, "deed_date": "2019-03-14",
            "district": world.district.code,
            "latitude": "26.250000", "longitude": "50.150000",
            "answers": {}, "declaration_accepted": True}
    expected = {"other_delegate": (403, "permits.not_a_representative"),
                "citizen": (403, "permits.not_a_representative"),
                "anonymous": (403, "auth.not_authenticated")}
    for role, (status, code) in expected.items():
        client.logout()
        response = as_user(client, _user(world, role)).post(
            f"{API}/applications/", body, content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (status, code), role


def test_the_public_reads_take_a_fixed_number_of_queries(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import activity_make

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count(f"{API}/activities/")
    for n in range(5):
        activity_make(f"10{n:04d}", f"نشاط {n}", f"Activity {n}",
                      sub_permit_types=[world.signage_type])
    assert count(f"{API}/activities/") == few
    # a licence's page costs the same whatever its activities and sub-permits
    import datetime as dt

    from permits.enums import PermitStatus
    from permits.models import Permit

    as_user(client, world.delegate.user)
    url = f"{API}/licences/{world.licence.number}/"
    one = count(url)
    for n in range(2, 5):
        Permit.objects.create(
            number=f"SG-M910-1448-00000{n}", permit_type=world.signage_type,
            municipality=world.municipality, status=PermitStatus.VALID,
            holder_establishment=world.establishment, parent=world.licence, details={},
            issued_on=dt.date(2026, 12, 1), valid_from=dt.date(2026, 12, 1))
    Permit.objects.filter(pk=world.licence.pk).update(
        details={**world.licence.details, "activities": ["471101", "960201", "561001"]})
    assert count(url) == one == 9
