"""The staff search page: staff only, one box, results grouped by kind, nothing found explained,
in Arabic and English, with a fixed number of queries."""

import pytest

from amanah.enums import StaffRole
from tests.factories import CitizenFactory
from tests.workflow.factories import case_new

URL = "/{language}/staff/search/"


def test_a_citizen_gets_the_forbidden_page(client, world):
    citizen = CitizenFactory()
    client.force_login(citizen.user)
    response = client.get(URL.format(language="en"), {"q": "KHB-1448-000001"})
    assert response.status_code == 403
    assert "This page is not available to you" in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(URL.format(language="en"), {"q": "KHB-1448-000001"})
    assert response.status_code == 302
    assert "/account/" in response["Location"]


def test_the_empty_page_shows_the_box_and_no_results(client, world):
    clerk = world.staff("customer_service", StaffRole.CLERK)
    client.force_login(clerk)
    response = client.get(URL.format(language="en"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="q"' in body and 'role="search"' in body
    assert response.context["results"] is None


def test_a_too_short_text_is_explained_not_searched(client, world, django_assert_num_queries):
    clerk = world.staff("customer_service", StaffRole.CLERK)
    client.force_login(clerk)
    response = client.get(URL.format(language="en"), {"q": "x"})
    assert response.status_code == 200
    assert response.context["results"].groups == []
    assert "too short to search for" in response.content.decode()


def test_a_case_is_found_by_its_number_with_a_link(client, world):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    client.force_login(clerk)
    response = client.get(URL.format(language="en"), {"q": case.number.lower()})
    assert response.status_code == 200
    groups = response.context["results"].groups
    assert [(g.kind, [h.number for h in g.hits]) for g in groups] == [("case", [case.number])]
    body = response.content.decode()
    assert f'href="/en/transactions/cases/{case.pk}/"' in body
    assert "1 result for" in body


@pytest.mark.parametrize("language,expected", [
    ("en", "Nothing found for “KHB-1448-999999”, searched as a case, bill, permit or notice "
           "number, among what you may see."),
    ("ar", "لم يُعثر على شيء"),
])
def test_nothing_found_says_what_was_searched_for(client, world, language, expected):
    clerk = world.staff("customer_service", StaffRole.CLERK)
    client.force_login(clerk)
    response = client.get(URL.format(language=language), {"q": "KHB-1448-999999"})
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_the_queue_page_has_a_search_box_that_goes_to_the_staff_search(client, world):
    clerk = world.staff("customer_service", StaffRole.CLERK)
    client.force_login(clerk)
    body = client.get(f"/en/transactions/queue/{world.department('customer_service').pk}/")\
        .content.decode()
    assert 'action="/en/staff/search/"' in body
    assert 'id="id_staff_search_q"' in body


def test_the_search_page_runs_the_same_queries_for_2_and_12_cases(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clerk = world.staff("customer_service", StaffRole.CLERK)
    for _ in range(2):
        case_new(world)
    client.force_login(clerk)
    url = URL.format(language="ar")
    national_id = world.applicant.national_id
    client.get(url, {"q": national_id})  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, {"q": national_id})
    assert len(response.context["results"].groups[0].hits) == 2
    for _ in range(10):
        case_new(world)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"q": national_id})
    assert len(response.context["results"].groups[0].hits) == 12
    assert len(many) == len(few)


def test_results_are_grouped_by_kind_with_the_query_echoed(client, world):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    client.force_login(clerk)
    response = client.get(URL.format(language="en"), {"q": world.applicant.national_id})
    body = response.content.decode()
    assert f'value="{world.applicant.national_id}"' in body
    assert f"1 result for “{world.applicant.national_id}”" in body
    assert "Searched as a national ID." in body
    assert '<h3 id="group-case">Transactions' in body
    assert case.number in body
