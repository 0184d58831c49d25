"""A signed-in session ends after a while without activity (citizens 30 minutes, staff 15), and
after a fixed lifetime however active; the person lands on the sign-in page with a message in
the page's language saying why."""

import datetime as dt

import pytest
from django.conf import settings

from amanah.enums import StaffRole
from tests.conftest import device_known
from tests.factories import CitizenFactory, StaffMembershipFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
BILLS = "/ar/payments/bills/"


@pytest.fixture
def citizen_client(client, clock):
    clock.set(START)
    client.force_login(CitizenFactory().user)
    assert client.get(BILLS).status_code == 200
    return client


@pytest.fixture
def staff_client(client, clock):
    clock.set(START)
    user = StaffUserFactory()
    StaffMembershipFactory(user=user, role=StaffRole.CASHIER, department__code="finance")
    client.force_login(user)
    assert client.get("/ar/staff/").status_code == 200
    return client


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_defaults_are_shorter_than_djangos_two_weeks():
    assert settings.SESSION_IDLE_SECONDS_CITIZEN == 30 * 60
    assert settings.SESSION_IDLE_SECONDS_STAFF == 15 * 60
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_COOKIE_AGE < 14 * 24 * 3600


def test_a_citizen_idle_for_more_than_30_minutes_is_signed_out_with_a_message(
        citizen_client, clock):
    # given a citizen who did nothing for 31 minutes
    clock.advance(minutes=31)
    # when they open a page
    response = citizen_client.get(BILLS)
    # then they are signed out and sent to sign in again, back to that page afterwards
    assert response.status_code == 302
    assert response["Location"] == "/ar/account/sign-in/?next=/ar/payments/bills/"
    assert not _signed_in(citizen_client)
    page = citizen_client.get(response["Location"]).content.decode()
    assert ("خرجت من حسابك تلقائياً بعد 30 دقيقة دون نشاط، حفاظاً على أمانه. "
            "سجّل الدخول للمتابعة.") in page


def test_the_message_follows_the_pages_language(citizen_client, clock):
    clock.advance(minutes=31)
    response = citizen_client.get("/en/payments/bills/", follow=True)
    assert ("You were signed out after 30 minutes without activity, to keep your account safe. "
            "Sign in to continue.") in response.content.decode()


def test_activity_keeps_the_session_alive(citizen_client, clock):
    # given a citizen who opens a page every 20 minutes for two hours
    for _ in range(6):
        clock.advance(minutes=20)
        # then each page opens, still signed in
        assert citizen_client.get(BILLS).status_code == 200
    assert _signed_in(citizen_client)


def test_staff_are_signed_out_after_15_minutes(staff_client, clock):
    clock.advance(minutes=14)
    assert staff_client.get("/ar/staff/").status_code == 200
    clock.advance(minutes=16)
    response = staff_client.get("/ar/staff/")
    assert response.status_code == 302
    assert not _signed_in(staff_client)
    page = staff_client.get(response["Location"]).content.decode()
    assert "بعد 15 دقيقة دون نشاط" in page


def test_a_session_ends_after_its_lifetime_however_active(citizen_client, clock):
    # given a citizen active every 10 minutes
    for _ in range(12 * 6 - 1):
        clock.advance(minutes=10)
        assert citizen_client.get(BILLS).status_code == 200
    # when the twelfth hour since sign-in passes
    clock.advance(minutes=11)
    response = citizen_client.get(BILLS)
    # then the session ends all the same
    assert response.status_code == 302
    assert not _signed_in(citizen_client)
    page = citizen_client.get(response["Location"]).content.decode()
    assert "انتهت مدة جلستك القصوى (12 ساعة). سجّل الدخول مرة أخرى للمتابعة." in page


def test_an_expired_session_on_the_api_answers_not_signed_in(citizen_client, clock):
    clock.advance(minutes=31)
    response = citizen_client.get("/api/v1/workflow/cases/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "auth.not_authenticated"
    assert not _signed_in(citizen_client)


def test_a_form_sent_after_expiry_is_not_acted_on(citizen_client, clock):
    # given a citizen idle past the limit, whose sign-out would send them home
    clock.advance(minutes=31)
    # when they post a form
    response = citizen_client.post("/ar/account/sign-out/")
    # then the form's view never ran: they are asked to sign in instead
    assert response.status_code == 302
    assert response["Location"] == "/ar/account/sign-in/"
    assert not _signed_in(citizen_client)


def test_a_lost_cache_entry_never_gives_a_session_a_fresh_lifetime(client, clock):
    from django.core.cache import cache

    from tests.factories import DEFAULT_PASSWORD

    # given a citizen who signed in through the sign-in page
    clock.set(START)
    citizen = CitizenFactory()
    device_known(client, citizen)  # a browser they confirmed before: no SMS code at sign-in
    response = client.post("/ar/account/sign-in/", {"username": citizen.national_id,
                                                    "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert _signed_in(client)
    # when, just before the lifetime ends, the cache loses the session's clock
    clock.advance(hours=11, minutes=58)
    cache.clear()
    assert client.get(BILLS).status_code == 200
    # then the lifetime still counts from the sign-in
    clock.advance(minutes=3)
    assert client.get(BILLS).status_code == 302
    assert not _signed_in(client)
