"""Under /api/ every refusal is the API's JSON error body (found by schemathesis, issue 8):
an address that matches no route used to get Django's HTML "Not Found" page, and a page
number of 0 an undocumented 404."""

import pytest

from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/workflow/cases/null,null/"),
    ("post", "/api/v1/workflow/cases/0.5/claim/"),
    ("get", "/api/v1/no-such-thing"),
])
def test_an_api_address_that_matches_no_route_is_the_json_404(client, method, path):
    # given a signed-in citizen
    client.force_login(CitizenFactory().user)
    # when an address under /api/ that matches no route is asked for
    response = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE="en")
    # then the answer is the documented error body, not Django's HTML page
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_the_json_404_is_in_the_callers_language(client):
    response = client.get("/api/v1/nothing", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.json()["code"] == "not_found"
    assert response.json()["detail"] != "Not found."


def test_pages_outside_the_api_keep_their_own_404(client):
    response = client.get("/ar/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("page", ["0", "-1", "x", "1.5"])
def test_a_page_number_that_is_not_one_or_more_is_a_400_naming_it(client, page):
    client.force_login(CitizenFactory().user)
    response = client.get("/api/v1/workflow/cases/", {"page": page})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["errors"]) == ["page"]


def test_a_page_past_the_last_is_the_documented_404(client):
    client.force_login(CitizenFactory().user)
    response = client.get("/api/v1/workflow/cases/", {"page": "2"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("query", "field"), [
    ({"department": str(2**63)}, "department"),
    ({"department": "0"}, "department"),
    ({"page": "9" * 40}, "page"),
])
def test_an_id_or_page_no_column_can_hold_is_a_400_naming_it(client, query, field):
    client.force_login(CitizenFactory().user)
    response = client.get("/api/v1/workflow/cases/", query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(("action", "body", "field"), [
    ("claim", {"expected_version": 2**31}, "expected_version"),
    ("assign", {"assignee": 2**63, "expected_version": 1}, "assignee"),
    ("transfer", {"department": "legal", "note": "x", "expected_version": 10**30},
     "expected_version"),
])
def test_a_version_or_id_no_column_can_hold_is_a_400_and_changes_nothing(client, action, body,
                                                                         field):
    from tests.workflow.factories import case_new, world_build
    from tests.workflow.pages_helpers import snapshot

    # given a citizen's own case
    world = world_build()
    case = case_new(world)
    before = snapshot(case.pk)
    client.force_login(world.applicant.user)
    # when an action is posted with a number no column can hold
    response = client.post(f"/api/v1/workflow/cases/{case.pk}/{action}/", body,
                           content_type="application/json")
    # then it is refused as invalid input naming the field, and the case is as it was
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert snapshot(case.pk) == before
