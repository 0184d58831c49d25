"""Staff search finds violation notices by number and by the offender's ID, unified number,
name and mobile, for staff who may read the municipality's notices only."""

import pytest

from amanah.enums import StaffRole
from amanah.models import Establishment, Person
from amanah.permissions import staff_memberships
from amanah.search import search_parties_resolve, search_query_parse, search_run
from tests.permits.factories import staff_make
from tests.violations.factories import submitted_inspection_make, violations_world
from violations.search import violation_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = violations_world()
    Establishment.objects.filter(pk=world.establishment.pk).update(
        name_ar="مطعم الياسمين", name_en="Jasmine Restaurant")
    Person.objects.filter(pk=world.citizen.pk).update(
        name_ar="إبراهيم العنزي", name_en="Ibrahim Alanazi", mobile="+966591234567")
    world.establishment.refresh_from_db()
    world.citizen.refresh_from_db()
    return world


def _notice(world, offender: str):
    _inspection, notices = submitted_inspection_make(world, offender=offender)
    (fine,) = [n for n in notices if n.kind == "fine"]
    return fine


def _found(user, text: str) -> list[str]:
    return [hit.number for group in search_run(user=user, text=text).groups
            if group.kind == "violation" for hit in group.hits]


@pytest.mark.parametrize("offender,text", [
    ("establishment", "number"),
    ("establishment", "unified"),
    ("establishment", "الياسمين"),
    ("establishment", "jasmine"),
    ("person", "number"),
    ("person", "national_id"),
    ("person", "ابراهيم"),  # written without the hamza
    ("person", "Alanazi"),
    ("person", "0591234567"),
    ("person", "+966591234567"),
])
def test_the_inspection_head_finds_the_notice_by_each_key(world, offender, text):
    notice = _notice(world, offender)
    query = {"number": notice.number.lower(),
             "unified": world.establishment.unified_number,
             "national_id": world.citizen.national_id}.get(text, text)
    assert _found(world.approver, query) == [notice.number]
    assert _found(world.legal_reviewer, query) == [notice.number]


def test_the_hit_links_to_the_notice_page_the_staff_may_open(world, client):
    notice = _notice(world, "establishment")
    client.force_login(world.approver)
    response = client.get("/en/staff/search/", {"q": notice.number})
    (group,) = response.context["results"].groups
    (hit,) = group.hits
    assert hit.url == f"/en/violations/{notice.number}/"
    assert hit.title_en == "Jasmine Restaurant"
    assert client.get(hit.url).status_code == 200


@pytest.mark.parametrize("text", ["number", "unified", "jasmine"])
def test_staff_of_another_municipality_or_without_access_find_nothing(world, text):
    notice = _notice(world, "establishment")
    query = {"number": notice.number,
             "unified": world.establishment.unified_number}.get(text, text)
    finance_clerk = staff_make(world.finance_department, StaffRole.CLERK)
    for user in (world.other_inspector, finance_clerk):
        assert _found(user, query) == []


def test_the_provider_answers_in_one_query(world, django_assert_num_queries):
    for _ in range(3):
        _notice(world, "establishment")
    staff_memberships(world.approver)
    query = search_parties_resolve(search_query_parse(world.establishment.unified_number))
    with django_assert_num_queries(1):
        assert len(violation_search(query=query, user=world.approver, limit=2)) == 2
    with django_assert_num_queries(1):
        assert len(violation_search(query=query, user=world.approver, limit=10)) == 3
