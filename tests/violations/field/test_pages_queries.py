"""The inspector's day and the field API's list run the same number of queries for 1 and for
20+ inspections in each section."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from violations.enums import InspectionKind, InspectionStatus

from ..factories import inspection_make, submitted_inspection_make
from .helpers import API, field_world, signed_in, unassigned

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock):
    return field_world(clock)


def _make(world, n: int) -> None:
    for i in range(n):
        unassigned(inspection_make(world, status=InspectionStatus.PLANNED,
                                   kind=InspectionKind.COMPLAINT, source_reference=f"CMP-{i}"))
        inspection_make(world, offender="person" if i % 2 else "place")
        submitted_inspection_make(world, no=("WARN", "FINE") if i % 2 else ("SERIOUS",))


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [None, f"{API}/"], ids=["day_page", "api_list"])
def test_the_same_number_of_queries_for_1_and_21_inspections(world, url):
    # given 1 planned, 1 draft and 1 submitted inspection (then 21 of each)
    url = url or reverse("violations:inspector_day")
    client = signed_in(world.inspector)
    _make(world, 1)
    client.get(url)  # warm the session and the menu
    few = _count(client, url)
    _make(world, 20)
    many = _count(client, url)
    assert many == few
