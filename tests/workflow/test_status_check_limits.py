"""The public status check (page and API): limits that forged headers cannot escape, a bucket
per citizen behind the proxy, a limit on the looked-up ID, and an answer that tells a holder of
both numbers what they need and nothing more."""

import itertools
import random

import pytest
from django.test import Client

from amanah.enums import StaffRole
from tests.factories import national_id_for
from workflow.services import case_claim

from .factories import case_new

PAGE = "/ar/transactions/status/"
API = "/api/v1/workflow/status/"
PROXY = "10.0.0.2"
_ids = itertools.count(1)


def _forged() -> str:
    return f"{random.randrange(11, 223)}.{random.randrange(256)}.{random.randrange(256)}.9"


def _through(real: str, proxies: int) -> dict:
    if proxies == 0:
        return {"REMOTE_ADDR": real, "HTTP_X_FORWARDED_FOR": _forged()}
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{_forged()}, {real}"}


def _some_id() -> str:
    return national_id_for(61_000_000 + next(_ids))


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_for_on_every_request_does_not_escape_the_api_limit(
        world, settings, proxies):
    # given the default limit (30 a minute per address) and this many trusted proxies
    settings.TRUSTED_PROXY_COUNT = proxies
    case = case_new(world)
    client = Client()
    # when one client checks 31 times, forging a new X-Forwarded-For (and a new ID) each time
    statuses = [client.get(API, {"number": case.number, "national_id": _some_id()},
                           **_through("198.51.100.7", proxies)).status_code
                for _ in range(31)]
    # then the 31st is refused
    assert statuses == [404] * 30 + [429]


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_for_on_every_request_does_not_escape_the_page_limit(
        world, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    case = case_new(world)
    client = Client()
    statuses = [client.post(PAGE, {"number": case.number, "national_id": _some_id()},
                            **_through("198.51.100.8", proxies)).status_code
                for _ in range(31)]
    assert statuses == [404] * 30 + [429]


def test_behind_the_proxy_two_citizens_have_a_bucket_each(world, settings):
    # given one trusted proxy in front of the portal
    settings.TRUSTED_PROXY_COUNT = 1
    case = case_new(world)
    client = Client()
    right = {"number": case.number, "national_id": world.applicant.national_id}
    # when one citizen's address uses up its 30 checks
    for _ in range(30):
        client.post(PAGE, {"number": case.number, "national_id": _some_id()},
                    REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    refused = client.post(PAGE, right, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    # then the applicant, at another address behind the same proxy, still gets the status
    other = client.post(PAGE, right, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert refused.status_code == 429
    assert "result" not in (refused.context or {})
    assert other.status_code == 200
    assert other.context["result"].number == case.number


def test_page_and_api_share_the_limit_on_the_looked_up_id(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "status_check": "address=30/m,id=2/h"}
    case = case_new(world)
    client = Client()
    right = {"number": case.number, "national_id": world.applicant.national_id}
    page = client.post(PAGE, right, REMOTE_ADDR="198.51.100.1")
    api = client.get(API, right, REMOTE_ADDR="198.51.100.2")
    again_page = client.post(PAGE, right, REMOTE_ADDR="198.51.100.3")
    again_api = client.get(API, right, REMOTE_ADDR="198.51.100.4")
    assert (page.status_code, api.status_code) == (200, 200)
    assert (again_page.status_code, again_api.status_code) == (429, 429)
    assert again_api.json()["code"] == "rate_limited"
    assert int(again_api["Retry-After"]) > 0
    assert int(again_page["Retry-After"]) > 0


def test_walking_case_numbers_with_a_known_id_learns_at_most_the_limits_worth(world, settings):
    # given a stranger's ID and twelve of their cases among others' with sequential numbers
    limit = 10  # the default: 10 look-ups of one ID an hour
    assert "id=10/h" in settings.RATE_LIMITS["status_check"]
    first = case_new(world, route=False)
    for _ in range(11):
        case_new(world, route=False)
    prefix, year, _ = first.number.rsplit("-", 2)
    client = Client()
    learned, refused = [], 0
    # when someone walks 40 numbers with that ID from ever-new addresses and forged headers
    for n in range(1, 41):
        response = client.get(API, {"number": f"{prefix}-{year}-{n:06d}",
                                    "national_id": world.applicant.national_id},
                              REMOTE_ADDR=f"203.0.113.{n}", HTTP_X_FORWARDED_FOR=_forged())
        if response.status_code == 200:
            learned.append(response.json()["number"])
        refused += response.status_code == 429
    # then they learned at most the limit's worth, and the rest was refused
    assert 0 < len(learned) <= limit
    assert refused == 40 - limit


def test_the_answer_holds_only_what_the_holder_of_both_numbers_needs(world, settings):
    # given a case claimed by a clerk (an assignee, a department, a subject, names)
    case = case_new(world, subject="شكوى عن جار اسمه خالد")
    clerk = world.staff(case.department.code, StaffRole.CLERK)
    case_claim(case_id=case.pk, actor=clerk)
    client = Client()
    response = client.get(API, {"number": case.number,
                                "national_id": world.applicant.national_id})
    body = response.json()
    # then the API says the number, kind, step and dates, and nothing about people
    assert response.status_code == 200
    assert set(body) == {"number", "kind", "state", "category", "submitted_at",
                         "expected_completion", "closed_at", "steps"}
    assert all(set(step) == {"at", "name_ar", "name_en", "category"} for step in body["steps"])
    text = response.content.decode()
    for private in (case.subject, world.applicant.name_ar, world.applicant.national_id,
                    case.department.name_ar, case.department.name_en, clerk.username):
        assert private not in text
