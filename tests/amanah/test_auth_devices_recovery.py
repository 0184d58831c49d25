"""Citizens confirm a new device by SMS code; passwords are reset by code or by Nafath, without
saying whether an ID is registered; a reset ends the account's other sessions."""

import re

import pytest
from django.test import Client

from amanah.auth.devices import COOKIE_NAME
from amanah.enums import OneTimeCodePurpose
from amanah.models import KnownDevice, OneTimeCode
from amanah.notifications import LocmemSmsBackend
from tests.amanah.identity_helpers import nafath_prove, url
from tests.conftest import device_known
from tests.factories import DEFAULT_PASSWORD, CitizenFactory, national_id_for

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qatif-Palms-2031"


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


def _sent_code(sms_outbox) -> str:
    return re.search(r"\b(\d{6})\b", sms_outbox[-1].body).group(1)


def _sign_in(client, username, password=DEFAULT_PASSWORD, language="ar"):
    return client.post(url("amanah:sign_in", language),
                       {"username": username, "password": password})


def test_a_new_device_needs_the_sms_code_before_the_session_is_signed_in(
        plain_client, sms_outbox, django_capture_on_commit_callbacks):
    # given a citizen signing in with the right password on a browser they never confirmed
    citizen = CitizenFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_in(plain_client, citizen.national_id)
    # then they are asked for the code sent to their mobile, and are not signed in yet
    assert response.status_code == 302
    assert response["Location"] == url("amanah:confirm_device")
    assert "_auth_user_id" not in plain_client.session
    assert plain_client.get(url("payments:my_bills"))["Location"].startswith(
        url("amanah:sign_in"))
    assert [m.to for m in sms_outbox] == [citizen.mobile]
    # when a wrong code is typed, still not
    wrong = plain_client.post(url("amanah:confirm_device", "en"), {"code": "000000"
                              if _sent_code(sms_outbox) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in plain_client.session
    # when the right code is typed
    key_before = plain_client.session.session_key
    done = plain_client.post(url("amanah:confirm_device"), {"code": _sent_code(sms_outbox)})
    # then they are signed in on a new session key, and the browser is remembered
    assert done.status_code == 302
    assert int(plain_client.session["_auth_user_id"]) == citizen.user.pk
    assert plain_client.session.session_key != key_before
    assert done.cookies[COOKIE_NAME]["httponly"]
    assert KnownDevice.objects.filter(person=citizen).count() == 1
    # and the next sign-in on this browser asks for no code
    plain_client.post(url("amanah:sign_out"))
    sms_outbox.clear()
    again = _sign_in(plain_client, citizen.national_id)
    assert again["Location"] == url("amanah:home")
    assert sms_outbox == []


def test_a_device_known_to_one_account_is_new_to_another(plain_client, sms_outbox):
    # given a browser known to one citizen
    first, second = CitizenFactory(), CitizenFactory()
    device_known(plain_client, first)
    # when another citizen signs in on it
    response = _sign_in(plain_client, second.national_id)
    # then the other one is asked for a code
    assert response["Location"] == url("amanah:confirm_device")
    assert "_auth_user_id" not in plain_client.session


def test_a_forged_device_cookie_counts_for_nothing(plain_client):
    citizen = CitizenFactory()
    plain_client.cookies[COOKIE_NAME] = "forged:value"
    assert _sign_in(plain_client, citizen.national_id)["Location"] \
        == url("amanah:confirm_device")


def test_codes_sent_to_one_account_are_capped_per_day(plain_client, settings, sms_outbox,
                                                      django_capture_on_commit_callbacks, clock):
    # given a daily limit of 3 codes
    settings.OTP_DAILY_LIMIT = 3
    citizen = CitizenFactory()
    with django_capture_on_commit_callbacks(execute=True):
        answers = [_sign_in(Client(), citizen.national_id, language="en") for _ in range(4)]
    # then the fourth sign-in from an unknown device is refused, saying why, and sends nothing
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert "You have reached today&#x27;s limit of codes sent." in answers[3].content.decode()
    assert len(sms_outbox) == 3
    assert OneTimeCode.objects.filter(person=citizen).count() == 3
    # and the next day codes go out again
    clock.advance(days=1, seconds=1)
    assert _sign_in(Client(), citizen.national_id).status_code == 302
    assert OneTimeCode.objects.filter(person=citizen).count() == 4


def test_the_mobile_confirmation_also_confirms_the_device(plain_client, sms_outbox,
                                                          django_capture_on_commit_callbacks):
    from amanah import services

    citizen = CitizenFactory(mobile_confirmed_at=None)
    plain_client.force_login(citizen.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.one_time_code_issue(person=citizen, purpose=OneTimeCodePurpose.MOBILE_CONFIRM)
    response = plain_client.post(url("amanah:confirm_mobile"), {"code": _sent_code(sms_outbox)})
    assert response.status_code == 302
    assert COOKIE_NAME in response.cookies
    assert KnownDevice.objects.filter(person=citizen).count() == 1


# --- password reset ------------------------------------------------------------------------

def _reset_request(client, national_id, language="en"):
    return client.post(url("amanah:password_reset", language),
                       {"how": "sms", "sms-national_id": national_id})


def _page(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_reset_answers_the_same_for_a_registered_and_an_unknown_id(
        sms_outbox, django_capture_on_commit_callbacks):
    # given one ID with an account and one without
    citizen = CitizenFactory()
    unknown = national_id_for(99900001)
    known_client, unknown_client = Client(), Client()
    # when both ask for a reset code
    with django_capture_on_commit_callbacks(execute=True):
        known = _reset_request(known_client, citizen.national_id)
    unknown_answer = _reset_request(unknown_client, unknown)
    # then both get the same answer and the same next page
    assert (known.status_code, known["Location"]) == (unknown_answer.status_code,
                                                      unknown_answer["Location"])
    known_page = known_client.get(url("amanah:password_reset_code", "en"))
    unknown_page = unknown_client.get(url("amanah:password_reset_code", "en"))
    assert _page(known_page) == _page(unknown_page)
    assert "If an account exists for this number, we sent a code" in _page(known_page)
    # and a wrong code fails the same way for both
    form = {"code": "000000", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    if _sent_code(sms_outbox) == "000000":
        form["code"] = "111111"
    wrong_known = known_client.post(url("amanah:password_reset_code", "en"), form)
    wrong_unknown = unknown_client.post(url("amanah:password_reset_code", "en"), form)
    assert wrong_known.status_code == wrong_unknown.status_code == 200
    assert wrong_known.context["form"].errors == wrong_unknown.context["form"].errors == {
        "code": ["The code is not correct or has expired. Ask for a new one if needed."]}
    # and only the real account's mobile got an SMS
    assert [m.to for m in sms_outbox] == [citizen.mobile]


def test_reset_by_code_sets_the_password_and_ends_every_other_session(
        sms_outbox, django_capture_on_commit_callbacks):
    # given a citizen signed in on another device
    citizen = CitizenFactory()
    elsewhere = Client()
    elsewhere.force_login(citizen.user)
    assert elsewhere.get(url("payments:my_bills")).status_code == 200
    # when they reset their password with the code sent to their mobile
    resetting = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _reset_request(resetting, citizen.national_id)
    done = resetting.post(url("amanah:password_reset_code"), {
        "code": _sent_code(sms_outbox), "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    # then the new password works, the old one does not, and the other session has ended
    assert done["Location"] == url("amanah:sign_in")
    citizen.user.refresh_from_db()
    assert citizen.user.check_password(NEW_PASSWORD)
    assert not citizen.user.check_password(DEFAULT_PASSWORD)
    assert elsewhere.get(url("payments:my_bills"))["Location"].startswith(url("amanah:sign_in"))


def test_a_weak_new_password_keeps_the_code_and_the_old_password(
        sms_outbox, django_capture_on_commit_callbacks):
    citizen = CitizenFactory()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _reset_request(client, citizen.national_id)
    code = _sent_code(sms_outbox)
    weak = client.post(url("amanah:password_reset_code", "en"),
                       {"code": code, "password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 200
    assert "password1" in weak.context["form"].errors
    citizen.user.refresh_from_db()
    assert citizen.user.check_password(DEFAULT_PASSWORD)
    good = client.post(url("amanah:password_reset_code"),
                       {"code": code, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert good.status_code == 302


def test_reset_codes_are_capped_per_account_and_the_answer_does_not_change(
        settings, sms_outbox, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_DAILY_LIMIT = 2
    citizen = CitizenFactory()
    with django_capture_on_commit_callbacks(execute=True):
        answers = [_reset_request(Client(), citizen.national_id) for _ in range(3)]
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, url("amanah:password_reset_code", "en"))}
    assert len(sms_outbox) == 2


def test_reset_by_nafath_sets_the_password_and_ends_other_sessions(client):
    citizen = CitizenFactory()
    elsewhere = Client()
    elsewhere.force_login(citizen.user)
    # when the citizen proves their ID in Nafath from the reset page
    nafath_prove(client, citizen.national_id, start="amanah:password_reset")
    page = client.get(url("amanah:password_reset_new"))
    assert page.status_code == 200
    done = client.post(url("amanah:password_reset_new"),
                       {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    # then the password is the new one and other sessions are over
    assert done["Location"] == url("amanah:sign_in")
    citizen.user.refresh_from_db()
    assert citizen.user.check_password(NEW_PASSWORD)
    assert elsewhere.get(url("payments:my_bills"))["Location"].startswith(url("amanah:sign_in"))
    # and the proof cannot be used a second time
    again = client.post(url("amanah:password_reset_new"),
                        {"password1": "Another-Pass-1942", "password2": "Another-Pass-1942"})
    assert again["Location"] == url("amanah:password_reset")
    citizen.user.refresh_from_db()
    assert citizen.user.check_password(NEW_PASSWORD)


def test_the_reset_page_tells_staff_to_ask_an_administrator(client):
    body = client.get(url("amanah:password_reset", "en")).content.decode()
    assert "your password is reset by a system administrator" in body


def test_a_password_sign_in_gives_a_new_session_key(plain_client):
    # given a citizen on a known browser, whose anonymous session already exists
    citizen = CitizenFactory()
    device_known(plain_client, citizen)
    plain_client.get(url("amanah:sign_in"))
    session = plain_client.session
    session["seen"] = True
    session.save()
    before = plain_client.session.session_key
    # when they sign in, then the session key is not the one from before
    assert _sign_in(plain_client, citizen.national_id).status_code == 302
    assert plain_client.session.session_key != before


def test_messages_follow_the_language_the_citizen_signs_in_with(plain_client):
    # given a citizen on a browser they confirmed, who has always used Arabic
    citizen = CitizenFactory()
    device_known(plain_client, citizen)
    assert citizen.language == "ar"
    # when they sign in on the English pages
    assert _sign_in(plain_client, citizen.national_id, language="en").status_code == 302
    # then their messages will be in English; signing in in Arabic again switches back
    citizen.refresh_from_db()
    assert citizen.language == "en"
    history = citizen.history.count()
    plain_client.logout()  # (which forgets the browser's cookies, so confirm it again)
    device_known(plain_client, citizen)
    assert _sign_in(plain_client, citizen.national_id, language="en").status_code == 302
    citizen.refresh_from_db()
    assert (citizen.language, citizen.history.count()) == ("en", history)  # nothing rewritten
    plain_client.logout()
    device_known(plain_client, citizen)
    assert _sign_in(plain_client, citizen.national_id, language="ar")["Location"] == url(
        "amanah:home")
    citizen.refresh_from_db()
    assert citizen.language == "ar"
