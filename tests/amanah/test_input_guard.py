"""amanah.input_guard: control characters are refused at the door — the API's error body for the
API, the 400 page for pages — and only there: text people type (new lines, tabs, Arabic with its
direction marks) still goes through, and the SADAD endpoints' bodies are never read by it."""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import CitizenFactory, MunicipalityFactory
from workflow.models import Case

pytestmark = pytest.mark.django_db

UNSAFE = "request.unsafe_characters"


@pytest.fixture
def citizen():
    return CitizenFactory(municipality=MunicipalityFactory(code="KHB"))


def _post_json(client, url, body):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(url, raw, content_type="application/json")


def test_a_session_cookie_with_a_nul_is_dropped_not_a_500(client):
    # given a session cookie whose value, once unquoted, holds a NUL (`\\000` in a quoted cookie)
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefghijkl\x00mnop"
    # when any page that reads the session is opened
    response = client.get("/ar/payments/bills/")
    # then the visitor is simply not signed in: sent to sign in, not a 500
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("amanah:sign_in"))


@pytest.mark.parametrize("body", [
    {"kind": "complaint", "subject": "noise\x00", "description": ""},
    {"kind": "complaint", "subject": "noise", "description": "bell\x07"},
    {"kind": "complaint", "subject": "noise", "description": "", "extra\x00": "x"},
    {"kind": "complaint", "subject": "\ud800", "description": ""},
])
def test_control_characters_in_a_json_body_are_the_api_error_and_nothing_is_saved(
        client, citizen, body):
    # given a signed-in citizen
    client.force_login(citizen.user)
    # when a case is submitted through the API with a control character (or a lone surrogate)
    response = _post_json(client, "/api/v1/workflow/cases/", body)
    # then the API refuses it with its error body and a stable code, naming the field
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == UNSAFE
    assert answer["field"] in body
    assert answer["detail_ar"] and answer["detail_en"]
    # and no case was opened
    assert Case.objects.count() == 0


def test_new_lines_tabs_and_direction_marks_still_go_through(client, citizen):
    # given a citizen's text with CR LF, a tab and Arabic with a right-to-left mark
    client.force_login(citizen.user)
    text = "السطر الأول\r\n\tالسطر الثاني \u200f(KHB)\u202b"
    # when it is sent as a query string and as a form body
    query = client.get("/ar/payments/bills/", {"page": text})
    form = client.post("/ar/transactions/status/", {"number": text, "national_id": text})
    # then the guard lets them through to the views, which judge them as they always did
    assert query.status_code == 200
    assert form.status_code == 400
    assert "number" in form.context["form"].errors


@pytest.mark.parametrize("path", ["/api/v1/bills/123%0A456", "/api/v1/bills/123%09",
                                  "/api/v1/bills/123%7F"])
def test_any_control_character_in_a_path_is_refused(client, path):
    response = client.get(path, {"official_id": "1000000008"})
    assert response.status_code == 400
    assert response.json()["code"] == UNSAFE


def test_the_sadad_endpoints_read_their_own_bodies(client):
    # given a form-encoded body with a NUL, sent to SADAD's notification endpoint unsigned
    response = client.post("/sadad/payment-notifications", "a=%00",
                           content_type="application/x-www-form-urlencoded")
    # then it is SADAD's endpoint that answers (it refuses the unsigned message its own way),
    # not the guard: the guard never parses a body a machine endpoint reads itself
    assert response.status_code != 400 or UNSAFE not in response.content.decode()
    assert not response["Content-Type"].startswith("application/json")
