"""My violations, the notice page and the reports run a fixed number of SQL queries, whatever
the number of notices (the issue's Done-when: the same count for 10 and 1,000)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.dates import RIYADH

from ..factories import (
    fine_issued_make,
    notices_bulk_make,
    photo_make,
    submitted_inspection_make,
    violations_world,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=RIYADH)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def world(clock):
    clock.set(NOW)
    world = violations_world()
    world.fine = fine_issued_make(world, no=("FINE",))
    return world


def test_my_violations_costs_the_same_for_10_and_1000_notices(client, world):
    # given the delegate of an establishment with 10 notices
    notices_bulk_make(world, world.fine, 9)
    client.force_login(world.delegate.user)
    url = "/ar/violations/mine/"
    client.get(url)  # warm the per-process caches (menus, rollout)
    few = _queries(client, url)
    few_chosen = _queries(client, f"{url}?e={world.establishment.unified_number}")
    # when they have 1,000
    notices_bulk_make(world, world.fine, 990)
    # then the page, and the page of the establishment, run the same number of queries
    assert _queries(client, url) == few
    assert _queries(client, f"{url}?e={world.establishment.unified_number}") == few_chosen
    assert _queries(client, f"{url}?page=7") == few


def test_the_notice_page_costs_the_same_for_1_and_20_lines_and_photos(client, world):
    client.force_login(world.delegate.user)
    url = f"/ar/violations/{world.fine.number}/"
    client.get(url)
    one = _queries(client, url)
    # given a fine of three lines, with 20 photos
    many = fine_issued_make(world, no=("FINE", "SERIOUS", "WARN"))
    for i in range(20):
        photo_make(world, many.inspection, content=f"photo {i}".encode())
    assert _queries(client, f"/ar/violations/{many.number}/") == one


def test_the_reports_cost_the_same_for_1_and_25_notices(client, world):
    client.force_login(world.inspector)
    url = "/ar/violations/reports/"
    client.get(url)
    one = _queries(client, url)
    for _ in range(4):
        submitted_inspection_make(world, no=("WARN", "FINE", "SERIOUS"))
    notices_bulk_make(world, world.fine, 20)
    assert _queries(client, url) == one
