"""The establishment workspace and the licence page run exactly as many SQL queries when the
establishment holds 1,000 licences (each with a sub-permit and a bill) as with 10.

The extra rows are bulk-created: the pages' reads are under test, not how the rows came to
be."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.dates import RIYADH
from payments.models import Bill
from permits.models import Permit

from .factories import licence_issue_make, licence_world
from .pages_helpers import licences_bulk, sample_queue, sub_permit_make

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=RIYADH)


def _get(client, user, url: str):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response


def test_the_licence_pages_run_the_same_queries_for_10_and_1000_licences(client, clock):
    # given 10 licences of the establishment, each with a sub-permit and a bill, one sampled
    clock.set(NOW)
    world = licence_world()
    licence = licence_issue_make(world)
    sub_permit_make(world, licence)
    sample_queue(world, licence)
    licences_bulk(world, licence, 9, start=1)
    user = world.delegate.user
    pages = [
        (user, "/ar/permits/establishment/"),
        (user, f"/en/permits/establishment/?e={world.establishment.unified_number}&page=1"),
        (user, f"/ar/permits/permit/{licence.number}/"),
        (world.head, f"/en/permits/permit/{licence.number}/"),
        (world.head, "/ar/permits/staff/sample-inspections/"),
    ]
    for who, url in pages:  # the sessions and the process's caches warm from here on
        _get(client, who, url)
    few = [_get(client, who, url)[0] for who, url in pages]

    # when the establishment holds 1,000
    licences_bulk(world, licence, 990, start=10)
    assert Permit.objects.filter(holder_establishment=world.establishment,
                                 parent__isnull=True).count() == 1000
    assert Bill.objects.filter(payer_establishment=world.establishment).count() == 999

    # then every page runs exactly as many queries as before
    large = [_get(client, who, url) for who, url in pages]
    assert [count for count, _response in large] == few
    # and the workspace lists its licences a page at a time, all of them counted
    workspace = large[0][1].context["w"]
    assert (workspace.licences.paginator.count, len(workspace.licence_rows),
            workspace.bills_count, len(workspace.bills)) == (1000, 20, 999, 20)
