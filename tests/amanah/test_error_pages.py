"""Every error a visitor can meet is a designed page of the portal, in the URL's language, with a
way on; the API keeps answering JSON with a stable code. Never a debug page or a bare
"Not Found"."""

import json

import pytest
from django.test import Client

from tests.factories import CitizenFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.amanah.error_urls")]

# What each page says, in each language: (status, heading, a way on that must be offered).
PAGES = {
    ("400", "ar"): (400, "تعذّر فهم الطلب", "/ar/"),
    ("400", "en"): (400, "We could not understand that request", "/en/"),
    ("403", "ar"): (403, "هذه الصفحة غير متاحة لك", "/ar/"),
    ("403", "en"): (403, "This page is not available to you", "/en/"),
    ("404", "ar"): (404, "لم نجد هذه الصفحة", "/ar/"),
    ("404", "en"): (404, "We could not find this page", "/en/"),
    ("500", "ar"): (500, "حدث خطأ من جهتنا", "/ar/"),
    ("500", "en"): (500, "Something went wrong on our side", "/en/"),
}
DEBUG_MARKS = ("Traceback", "SECRET-DETAIL", "Using the URLconf", "Django", "technical_500",
               "<h1>Not Found</h1>", "Server Error (500)", "Bad Request (400)")


def _assert_designed(response, *, status: int, language: str, heading: str, way_on: str):
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert f'href="{way_on}"' in html
    assert 'href="/static/css/portal.css"' in html
    for mark in DEBUG_MARKS:
        assert mark not in html


@pytest.mark.parametrize(("kind", "language"), sorted(PAGES))
def test_each_error_is_a_designed_page_in_the_urls_language(settings, kind, language):
    # given a portal run as in production (no debug pages)
    settings.DEBUG = False
    status, heading, way_on = PAGES[kind, language]
    # when a page fails in that way
    response = Client(raise_request_exception=False).get(f"/{language}/test-fail/{kind}/")
    # then the visitor gets the designed page, not Django's bare one
    _assert_designed(response, status=status, language=language, heading=heading,
                     way_on=way_on)


@pytest.mark.parametrize(("language", "heading"), [("ar", "لم نجد هذه الصفحة"),
                                                   ("en", "We could not find this page")])
def test_an_unknown_address_gets_the_designed_not_found_page(client, language, heading):
    response = client.get(f"/{language}/no-such-page/at-all/")
    _assert_designed(response, status=404, language=language, heading=heading,
                     way_on=f"/{language}/")
    # a way to sign in is offered to someone not signed in
    assert f'href="/{language}/account/sign-in/"' in response.content.decode()


def test_the_not_found_page_keeps_the_shell_for_a_signed_in_citizen(client):
    citizen = CitizenFactory(name_ar="سارة القحطاني")
    client.force_login(citizen.user)
    response = client.get("/ar/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "سارة القحطاني" in html
    assert "تسجيل الخروج" in html


def test_the_server_error_page_needs_no_database_and_no_request(django_assert_num_queries):
    from django.utils import translation

    from amanah.error_pages import server_error

    # when the 500 page is made while nothing but the templates can be trusted
    with translation.override("en"), django_assert_num_queries(0):
        response = server_error(None)
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in html
    assert 'href="/en/"' in html


def test_the_rate_limit_page_says_when_to_try_again_in_both_languages(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import translation

    from amanah.error_pages import too_many_requests

    for language, heading, wait in [("ar", "طلبات كثيرة في وقت قصير", "بعد 3 دقائق"),
                                    ("en", "Too many requests in a short time", "in 3 minutes")]:
        request = rf.get(f"/{language}/payments/inquiry/")
        request.user = AnonymousUser()
        with translation.override(language):
            response = too_many_requests(request, retry_after=150)
        html = response.content.decode()
        assert response.status_code == 429
        assert response["Retry-After"] == "150"
        assert f"<h1>{heading}</h1>" in html
        assert wait in html
        assert f'<html lang="{language}"' in html


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/api/v1/no-such-endpoint/", 404, "not_found"),
    ("/api/v1/test-fail/404/", 404, "not_found"),
    ("/api/v1/test-fail/403/", 403, "auth.forbidden"),
    ("/api/v1/test-fail/400/", 400, "request.malformed"),
    ("/api/v1/test-fail/500/", 500, "server_error"),
])
def test_the_api_answers_json_with_a_stable_code_never_html(path, status, code):
    response = Client(raise_request_exception=False).get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["code"] == code
    assert body["detail"]
    assert "SECRET-DETAIL" not in response.content.decode()


@pytest.mark.parametrize(("language", "heading"), [
    ("ar", "انتهت صلاحية هذا النموذج"), ("en", "This form has expired")])
def test_a_form_sent_without_its_security_token_gets_a_designed_page(language, heading):
    # when a form is posted without its CSRF token (an old tab, cookies cleared)
    response = Client(enforce_csrf_checks=True).post(
        f"/{language}/account/sign-in/", {"username": "x", "password": "y"})
    # then the page explains and offers the way back, not Django's English "CSRF verification"
    _assert_designed(response, status=403, language=language, heading=heading,
                     way_on=f"/{language}/account/sign-in/")
    assert "CSRF" not in response.content.decode()
