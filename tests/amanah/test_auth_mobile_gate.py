"""A signed-in citizen whose mobile is not confirmed can use nothing but the confirmation.

Walks every URL pattern of the project (tests/amanah/url_walk.py), pages and API alike.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.amanah.url_walk import all_routes
from tests.factories import DEFAULT_PASSWORD, CitizenFactory
from workflow.models import Case

pytestmark = pytest.mark.django_db

# What an unconfirmed citizen may still reach: the confirmation itself, a new code, leaving,
# the language switch and the health probes.
ALLOWED = {"amanah:confirm_mobile", "amanah:resend_code", "amanah:sign_out", "set_language",
           "healthz", "readyz"}
ROUTES = [r for r in all_routes() if r.name not in ALLOWED and not r.is_machine]
# SADAD's endpoints read no session (amanah.machine): the gate has nothing to keep there.
MACHINE_ROUTES = [r for r in all_routes() if r.is_machine]
CONFIRM = "/ar/account/confirm-mobile/"


@pytest.fixture
def unconfirmed(client):
    citizen = CitizenFactory(mobile_confirmed_at=None)
    client.force_login(citizen.user)
    return citizen


def test_the_walk_covers_pages_api_and_admin():
    names = {r.name for r in ROUTES}
    assert {"payments:my_bills", "workflow:case_new", "workflow_api:case_list",
            "payments_api:bill_inquiry", "admin:index", "amanah:home"} <= names
    assert len(ROUTES) > 100


def _answer_is_refusal(route, response) -> bool:
    if route.is_api:
        return (response.status_code == 403
                and response.json()["code"] == "auth.mobile_unconfirmed")
    return response.status_code == 302 and response["Location"] == CONFIRM


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unconfirmed_citizen_is_refused_everywhere(client, unconfirmed, method):
    # given a signed-in citizen who skipped the mobile confirmation
    cases_before = Case.objects.count()
    # when they ask for every page and API operation there is
    answers = [(route, getattr(client, method)(route.path)) for route in ROUTES]
    # then pages send them to confirm their mobile, the API refuses with a stable code
    assert [(route.path, response.status_code) for route, response in answers
            if not _answer_is_refusal(route, response)] == []
    # and nothing was done on their behalf
    assert Case.objects.count() == cases_before


@pytest.mark.parametrize("method", ["get", "post"])
def test_their_session_gets_nothing_at_sadad_that_a_signed_out_visitor_does_not(
        client, unconfirmed, method):
    # given a signed-in citizen who skipped the mobile confirmation, and a signed-out visitor
    anonymous = Client()
    assert len(MACHINE_ROUTES) == 2
    # when both ask for SADAD's endpoints
    answers = [(getattr(client, method)(route.path), getattr(anonymous, method)(route.path))
               for route in MACHINE_ROUTES]
    # then both are refused alike (no signature, no XML): the session counts for nothing there
    assert [(signed_in.status_code, signed_in.content) for signed_in, _ in answers] == [
        (signed_out.status_code, signed_out.content) for _, signed_out in answers]
    assert {signed_in.status_code for signed_in, _ in answers} == {
        {"get": 405, "post": 415}[method]}


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_api_refusal_says_why_in_both_languages(client, unconfirmed, language):
    response = client.get("/api/v1/workflow/cases/", HTTP_ACCEPT_LANGUAGE=language)
    body = response.json()
    assert response.status_code == 403
    assert body["code"] == "auth.mobile_unconfirmed"
    assert body["detail_en"] == "Confirm your mobile number before using the portal."
    assert body["detail_ar"] == "أكّد رقم جوالك قبل استخدام البوابة."


def test_the_confirmation_pages_stay_open(client, unconfirmed):
    assert client.get(CONFIRM).status_code == 200
    assert client.get("/en/account/confirm-mobile/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_once_confirmed_the_portal_opens(client, unconfirmed, clock):
    # given the citizen confirms their mobile
    unconfirmed.mobile_confirmed_at = clock.now()
    unconfirmed.save(update_fields=["mobile_confirmed_at"])
    # then their bills page and the API answer
    assert client.get("/ar/payments/bills/").status_code == 200
    assert client.get("/api/v1/workflow/cases/").status_code == 200


def test_signing_in_with_the_password_alone_does_not_open_the_portal(client):
    # given a citizen who never confirmed their mobile signs in with their password
    citizen = CitizenFactory(mobile_confirmed_at=None)
    with translation.override("ar"):
        url = reverse("amanah:sign_in")
    client.post(url, {"username": citizen.national_id, "password": DEFAULT_PASSWORD})
    # then typing the address of a service by hand still leads only to the confirmation
    response = client.get("/ar/payments/bills/")
    assert response.status_code == 302
    assert response["Location"] == CONFIRM
