"""Staff sign in with a password and a second factor (TOTP, or a single-use recovery code).

These use `plain_client`: its force_login gives the password factor only."""

import base64
import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from amanah.auth.second_factor import recovery_codes_issue
from amanah.enums import StaffRole
from amanah.models import RecoveryCode, RecoveryCodeDevice
from tests.amanah.identity_helpers import url
from tests.amanah.url_walk import all_routes
from tests.conftest import device_known
from tests.factories import DEFAULT_PASSWORD, CitizenFactory, StaffMembershipFactory
from workflow.models import Case

pytestmark = pytest.mark.django_db

OPEN = {"amanah:second_factor_enrol", "amanah:second_factor_qr",
        "amanah:second_factor_verify", "amanah:sign_out", "set_language", "healthz", "readyz"}


def _code(device: TOTPDevice) -> str:
    """What the authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _staff(**kwargs):
    return StaffMembershipFactory(role=StaffRole.CLERK, **kwargs).user


def _enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def _sign_in(client, username: str, language: str = "ar"):
    return client.post(url("amanah:sign_in", language),
                       {"username": username, "password": DEFAULT_PASSWORD})


def test_staff_without_an_authenticator_reach_nothing_but_enrolment(plain_client):
    # given a clerk with no authenticator, signed in with the password
    staff = _staff()
    response = _sign_in(plain_client, staff.username)
    assert response.status_code == 302
    cases_before = Case.objects.count()
    # when they ask for every page and API operation
    wrong = []
    anonymous = Client()
    for route in all_routes():
        if route.name in OPEN:
            continue
        for method in ("get", "post"):
            answer = getattr(plain_client, method)(route.path)
            if route.is_machine:
                # SADAD's endpoints read no session: the answer a signed-out visitor gets
                signed_out = getattr(anonymous, method)(route.path)
                ok = (answer.status_code, answer.content) == (signed_out.status_code,
                                                              signed_out.content) \
                    and answer.status_code in (405, 415)
            elif route.is_api:
                ok = answer.status_code == 403 \
                    and answer.json()["code"] == "auth.second_factor_required"
            else:
                ok = answer.status_code == 302 \
                    and answer["Location"] == "/ar/account/second-factor/enrol/"
            if not ok:
                wrong.append((method, route.path, answer.status_code))
    # then everything leads to enrolment (pages) or is refused (API), SADAD answers as to
    # anyone signed out, and nothing was done
    assert wrong == []
    assert Case.objects.count() == cases_before
    assert plain_client.get(url("amanah:second_factor_enrol")).status_code == 200


def test_staff_with_an_authenticator_are_asked_for_its_code(plain_client):
    staff = _staff()
    _enrolled(staff)
    _sign_in(plain_client, staff.username)
    response = plain_client.get(url("amanah:staff_home"))
    assert response.status_code == 302
    assert response["Location"] == url("amanah:second_factor_verify")


def test_enrolment_shows_a_qr_code_then_ten_recovery_codes_once(plain_client):
    # given a clerk signed in with the password, on the enrolment page
    staff = _staff()
    _sign_in(plain_client, staff.username)
    page = plain_client.get(url("amanah:second_factor_enrol", "en"))
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    qr = plain_client.get(url("amanah:second_factor_qr"))
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<?xml") and b"<svg" in qr.content
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed is False
    assert base64.b32decode(secret) == device.bin_key
    # when a wrong code is typed, then nothing is confirmed
    not_it = "000000" if _code(device) != "000000" else "111111"
    wrong = plain_client.post(url("amanah:second_factor_enrol", "en"), {"token": not_it})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["token"]
    device.refresh_from_db()
    assert device.confirmed is False
    key_before = plain_client.session.session_key
    # when the app's current code is typed
    done = plain_client.post(url("amanah:second_factor_enrol", "en"), {"token": _code(device)})
    # then ten recovery codes are shown, stored only as hashes, and the portal opens
    codes = re.findall(r"<code dir=\"ltr\">([a-z2-9]{5}-[a-z2-9]{5})</code>",
                       done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(device__user=staff).values_list("code_hash",
                                                                              flat=True))
    assert len(stored) == 10
    assert not any(code.replace("-", "") in h or code in h for code in codes for h in stored)
    assert done["Cache-Control"] == "no-store"
    device.refresh_from_db()
    assert device.confirmed is True
    # and the session key changed with the new factor
    assert plain_client.session.session_key != key_before
    assert plain_client.get(url("amanah:staff_home")).status_code == 200
    # and the enrolment page shows no codes again
    assert plain_client.get(url("amanah:second_factor_enrol"))["Location"] \
        == url("amanah:second_factor_verify")


def test_a_right_code_opens_the_portal_and_rotates_the_session(plain_client):
    staff = _staff()
    device = _enrolled(staff)
    _sign_in(plain_client, staff.username)
    key_before = plain_client.session.session_key
    response = plain_client.post(url("amanah:second_factor_verify"), {"token": _code(device)})
    assert response.status_code == 302
    assert plain_client.session.session_key != key_before
    assert plain_client.get(url("amanah:staff_home")).status_code == 200
    assert plain_client.get("/api/v1/workflow/cases/").status_code == 200


def test_a_wrong_code_and_a_reused_code_are_refused(plain_client, client):
    from django.test import Client

    staff = _staff()
    device = _enrolled(staff)
    # given one session that used the current code
    _sign_in(plain_client, staff.username)
    code = _code(device)
    assert plain_client.post(url("amanah:second_factor_verify"), {"token": code}).status_code \
        == 302
    # when another session types the same code, or a wrong one
    other = Client()
    _sign_in(other, staff.username)
    reused = other.post(url("amanah:second_factor_verify", "en"), {"token": code})
    wrong = other.post(url("amanah:second_factor_verify", "en"), {"token": "12345"})
    # then both are refused and that session stays outside
    for response in (reused, wrong):
        assert response.status_code == 200
        assert response.context["form"].errors["token"] == [
            "The code is not correct or was already used. Wait for the next code and try "
            "again."]
    assert other.get(url("amanah:staff_home"))["Location"] == url("amanah:second_factor_verify")


def test_a_recovery_code_works_once(plain_client):
    from django.test import Client

    staff = _staff()
    _enrolled(staff)
    codes = recovery_codes_issue(user=staff)
    # when a recovery code is used (typed in capitals, with spaces)
    _sign_in(plain_client, staff.username)
    used = plain_client.post(url("amanah:second_factor_verify"),
                             {"token": f" {codes[3].upper()} "})
    assert used.status_code == 302
    assert plain_client.get(url("amanah:staff_home")).status_code == 200
    # then the same code is refused the next time, and the others still work
    other = Client()
    _sign_in(other, staff.username)
    again = other.post(url("amanah:second_factor_verify"), {"token": codes[3]})
    assert again.status_code == 200
    assert RecoveryCode.objects.filter(device__user=staff, used_at__isnull=True).count() == 9
    made_up = other.post(url("amanah:second_factor_verify"), {"token": "aaaaa-bbbbb"})
    assert made_up.status_code == 200
    # and right after wrong tries even a good code waits out django-otp's back-off
    another = Client()
    _sign_in(another, staff.username)
    assert another.post(url("amanah:second_factor_verify"), {"token": codes[4]}).status_code \
        == 200
    assert RecoveryCode.objects.filter(device__user=staff, used_at__isnull=True).count() == 9
    # once the back-off has passed (its clock is the wall clock: the failure is moved back)
    RecoveryCodeDevice.objects.filter(user=staff).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=5))
    assert another.post(url("amanah:second_factor_verify"), {"token": codes[4]}).status_code \
        == 302


def test_citizens_are_not_asked_for_an_authenticator(plain_client):
    citizen = CitizenFactory()
    device_known(plain_client, citizen)
    _sign_in(plain_client, citizen.national_id)
    assert plain_client.get(url("amanah:home")).status_code == 200
    assert not TOTPDevice.objects.filter(user=citizen.user).exists()
