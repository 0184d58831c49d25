"""The workflow API: scoping, transitions, refusals as {"code","detail"}, and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from amanah.enums import StaffRole
from workflow.enums import StatusCategory
from workflow.models import Case, CaseEvent

from .factories import case_new, cases_bulk


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_staff_list_shows_only_their_departments_cases(world):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    outsider = world.staff("legal", StaffRole.REVIEWER)
    response = _client(clerk).get("/api/v1/workflow/cases/")
    assert response.status_code == 200
    assert [c["number"] for c in response.json()["results"]] == [case.number]
    assert response.json()["results"][0]["state"]["code"] == "in_review"
    assert _client(outsider).get("/api/v1/workflow/cases/").json()["results"] == []


def test_applicant_list_shows_only_their_own(world):
    case = case_new(world)
    mine = _client(world.applicant.user).get("/api/v1/workflow/cases/").json()
    theirs = _client(world.other_citizen.user).get("/api/v1/workflow/cases/").json()
    assert [c["number"] for c in mine["results"]] == [case.number]
    assert theirs["results"] == []


def test_anonymous_gets_401_or_403_with_a_code(world):
    response = _client().get("/api/v1/workflow/cases/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "auth.not_authenticated"


def _list_queries(user, expected_count: int) -> int:
    client = _client(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/workflow/cases/?page=1")
    assert response.status_code == 200
    assert response.json()["count"] == expected_count
    return len(queries)


def test_case_list_runs_the_same_queries_for_10_and_1000_cases(world):
    # given 10 cases in customer service, some assigned
    template = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    cases_bulk(world, template, 9, assignee=clerk)
    fresh_clerk = type(clerk).objects.get(pk=clerk.pk)
    with_ten = _list_queries(fresh_clerk, 10)
    # when there are 1,000
    cases_bulk(world, template, 990, start=5000, assignee=clerk)
    fresh_clerk = type(clerk).objects.get(pk=clerk.pk)
    # then the list costs the same number of queries
    assert _list_queries(fresh_clerk, 1000) == with_ten


def test_applicant_case_list_runs_the_same_queries_for_10_and_1000_cases(world):
    template = case_new(world)
    cases_bulk(world, template, 9)
    with_ten = _list_queries(type(world.applicant.user).objects.get(
        pk=world.applicant.user.pk), 10)
    cases_bulk(world, template, 990, start=5000)
    assert _list_queries(type(world.applicant.user).objects.get(
        pk=world.applicant.user.pk), 1000) == with_ten


def test_detail_lists_events_and_the_actions_this_user_may_take(world):
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    body = _client(reviewer).get(f"/api/v1/workflow/cases/{case.pk}/").json()
    assert [e["kind"] for e in body["events"]] == ["submitted", "routed"]
    assert [a["action"] for a in body["actions_available"]] == [
        "answer", "reject", "return_to_applicant"]
    assert body["can_claim"] is True
    applicant = _client(world.applicant.user).get(f"/api/v1/workflow/cases/{case.pk}/").json()
    assert [a["action"] for a in applicant["actions_available"]] == ["withdraw"]
    # (an applicant's answer has no staff-only fields at all: see test_audiences.py)
    assert "can_claim" not in applicant


def test_detail_is_404_for_another_citizen_and_for_a_missing_case(world):
    case = case_new(world)
    other = _client(world.other_citizen.user)
    forbidden = other.get(f"/api/v1/workflow/cases/{case.pk}/")
    missing = other.get("/api/v1/workflow/cases/999999/")
    assert (forbidden.status_code, missing.status_code) == (404, 404)
    assert forbidden.json()["code"] == missing.json()["code"] == "workflow.case_not_found"


def test_transition_through_the_api(world):
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    response = _client(reviewer).post(f"/api/v1/workflow/cases/{case.pk}/transitions/", {
        "action": "answer", "comment": "تمت الإفادة", "expected_version": case.row_version},
        format="json")
    assert response.status_code == 200
    assert response.json()["category"] == StatusCategory.APPROVED


def test_refused_transition_through_the_api_is_a_coded_4xx_and_changes_nothing(world):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    events_before = CaseEvent.objects.filter(case=case).count()
    client = _client(clerk)
    not_allowed = client.post(f"/api/v1/workflow/cases/{case.pk}/transitions/",
                              {"action": "answer", "comment": "x"}, format="json")
    unknown = client.post(f"/api/v1/workflow/cases/{case.pk}/transitions/",
                          {"action": "resolve"}, format="json")
    malformed = client.post(f"/api/v1/workflow/cases/{case.pk}/transitions/",
                            {"comment": "no action"}, format="json")
    assert (not_allowed.status_code, not_allowed.json()["code"]) == (403, "workflow.not_allowed")
    assert (unknown.status_code, unknown.json()["code"]) == (
        409, "workflow.action_not_available")
    assert (malformed.status_code, malformed.json()["code"]) == (400, "validation_error")
    assert not_allowed.json()["detail_en"] and not_allowed.json()["detail_ar"]
    assert CaseEvent.objects.filter(case=case).count() == events_before
    assert Case.objects.get(pk=case.pk).row_version == case.row_version


def test_claim_and_transfer_through_the_api(world):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    client = _client(clerk)
    assert client.post(f"/api/v1/workflow/cases/{case.pk}/claim/", {},
                       format="json").json()["assignee"] == clerk.username
    response = client.post(f"/api/v1/workflow/cases/{case.pk}/transfer/",
                           {"department": "licensing", "note": "للاختصاص"}, format="json")
    # the clerk no longer holds it but their department worked on it: the answer is the case
    # as they may now see it, read only (nothing they may do on it)
    assert response.status_code == 200
    body = response.json()
    assert body["department"]["code"] == "licensing"
    assert (body["actions_available"], body["can_claim"], body["can_assign"],
            body["can_transfer"]) == ([], False, False, False)
    assert Case.objects.get(pk=case.pk).department == world.department("licensing")


def test_public_status_check(world):
    case = case_new(world)
    client = _client()
    found = client.get("/api/v1/workflow/status/", {
        "number": case.number, "national_id": world.applicant.national_id})
    wrong_id = client.get("/api/v1/workflow/status/", {
        "number": case.number, "national_id": world.other_citizen.national_id})
    unknown = client.get("/api/v1/workflow/status/", {
        "number": "KHB-1448-999999", "national_id": world.applicant.national_id})
    assert found.status_code == 200
    assert found.json()["state"]["name_en"] == "In review"
    assert [s["name_en"] for s in found.json()["steps"]] == ["Submitted", "In review"]
    assert wrong_id.status_code == unknown.status_code == 404
    assert wrong_id.json() == unknown.json()


@pytest.mark.parametrize("scope", ["all", "mine", "unassigned"])
def test_queue_selector_runs_the_same_queries_for_10_and_1000_cases(world, scope):
    from workflow.selectors import case_queue_for_department

    template = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    department = world.department("customer_service")
    cases_bulk(world, template, 9, assignee=clerk)

    def queries() -> int:
        user = type(clerk).objects.get(pk=clerk.pk)
        with CaptureQueriesContext(connection) as captured:
            page = case_queue_for_department(department=department, user=user, scope=scope)
            [c.state.name_ar + c.definition.code + str(c.assignee) for c in page]
        return len(captured)

    with_ten = queries()
    cases_bulk(world, template, 990, start=5000, assignee=clerk)
    assert queries() == with_ten


def test_case_list_counts_up_to_the_cap_and_says_when_there_are_more(world, monkeypatch):
    # given a count cap of 3 and 5 cases in customer service
    monkeypatch.setattr("amanah.pagination.COUNT_CAP", 3)
    template = case_new(world)
    cases_bulk(world, template, 4)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    # when the clerk lists the cases
    body = _client(clerk).get("/api/v1/workflow/cases/").json()
    # then the count stops at cap + 1, says so, and the page holds the first 3
    assert (body["count"], body["count_is_capped"], len(body["results"])) == (4, True, 3)
    assert body["next"] is None


def test_case_list_under_the_cap_has_an_exact_count(world):
    case_new(world)
    body = _client(world.staff("customer_service", StaffRole.CLERK)).get(
        "/api/v1/workflow/cases/").json()
    assert (body["count"], body["count_is_capped"]) == (1, False)
