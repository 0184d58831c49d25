"""Limits on the sign-up, code resend and sign-in pages: per address and per account or
number, on Redis, whatever X-Forwarded-For the client writes."""

import datetime as dt
import itertools
import random

import pytest
from django.urls import reverse
from django.utils import translation

from amanah.models import OneTimeCode, Person, User
from amanah.notifications import LocmemSmsBackend
from tests.amanah.identity_helpers import nafath_prove
from tests.factories import CitizenFactory, MunicipalityFactory, national_id_for

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Dammam-Waterfront-77"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
_ids = itertools.count(1)


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


def _url(name: str, language: str = "ar") -> str:
    with translation.override(language):
        return reverse(name)


def _forged() -> str:
    return f"{random.randrange(11, 223)}.{random.randrange(256)}.{random.randrange(256)}.9"


def _sign_up(client, municipality, *, mobile="0551234567", address="198.51.100.7"):
    """A whole sign-up: the ID proven through the simulated Nafath, then the last step (the
    one that creates the account and texts the mobile) from `address`, with a forged header."""
    nafath_prove(client, national_id_for(55_600_000 + next(_ids)))
    data = {"mobile": mobile, "email": "", "municipality": str(municipality.pk),
            "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    response = client.post(_url("amanah:sign_up_details"), data, REMOTE_ADDR=address,
                           HTTP_X_FORWARDED_FOR=_forged())
    client.logout()
    return response


@pytest.fixture(autouse=True)
def nafath_requests_unlimited(settings):
    """These tests count the last step; the first (a Nafath request) is not what they limit."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "identity_check": "address=1000/h"}


def test_ten_sign_ups_to_one_mobile_send_at_most_its_daily_cap(
        client, sms_outbox, django_capture_on_commit_callbacks):
    # given the default cap of 3 sign-ups a day per mobile number
    khobar = MunicipalityFactory(code="KHB")
    # when ten sign-ups name the same mobile, each from a new address with a forged header
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [_sign_up(client, khobar, address=f"203.0.113.{n + 1}").status_code
                    for n in range(10)]
    # then three go through and send a code; the other seven are refused and send nothing
    assert statuses == [302] * 3 + [429] * 7
    assert [m.to for m in sms_outbox] == ["+966551234567"] * 3
    assert Person.objects.count() == 3


def test_sign_ups_from_one_address_are_capped_whatever_the_mobile(
        client, sms_outbox, django_capture_on_commit_callbacks):
    # given the default cap of 5 sign-ups an hour per address
    khobar = MunicipalityFactory(code="KHB")
    # when one address signs up ten times, each with its own mobile and a forged header
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [_sign_up(client, khobar, mobile=f"05512300{n:02d}").status_code
                    for n in range(10)]
    # then five go through and the rest are refused before anything is created
    assert statuses == [302] * 5 + [429] * 5
    assert len(sms_outbox) == 5
    assert User.objects.count() == 5


def test_a_refused_sign_up_answers_in_the_page_shell_with_retry_after(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_up": "address=1/h"}
    # (the first step is free here: nafath_requests_unlimited)
    khobar = MunicipalityFactory(code="KHB")
    _sign_up(client, khobar)
    refused = _sign_up(client, khobar, mobile="0551234500")
    body = refused.content.decode()
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "طلبات كثيرة" in body and '<html lang="ar" dir="rtl"' in body
    # and the empty form is still there for whoever comes next: GETs are not counted
    assert client.get(_url("amanah:sign_up"), REMOTE_ADDR="198.51.100.7").status_code == 200
    assert client.get(_url("amanah:sign_up_details"),
                      REMOTE_ADDR="198.51.100.7").status_code == 302  # no proof: back to step 1


def test_code_resends_from_one_address_have_a_daily_cap(
        client, clock, settings, sms_outbox, django_capture_on_commit_callbacks):
    # given a cap of 3 resends a day per address (hourly and per-account caps out of the way)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS,
                            "code_send": "address=100/h,address=3/d,account=100/h"}
    clock.set(T0)
    people = [CitizenFactory(mobile=f"+9665512345{n:02d}") for n in range(5)]
    # when five accounts ask for a new code from the same address, hours apart
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for person in people:
            clock.advance(hours=2)
            client.force_login(person.user)
            statuses.append(client.post(_url("amanah:resend_code"), REMOTE_ADDR="198.51.100.7",
                                        HTTP_X_FORWARDED_FOR=_forged()).status_code)
    # then the fourth and fifth are refused and no code is made or sent for them
    assert statuses == [302, 302, 302, 429, 429]
    assert len(sms_outbox) == 3
    assert OneTimeCode.objects.filter(person__in=people[3:]).count() == 0
    # and the next day the address may ask again
    clock.advance(days=1)
    client.logout()  # a day later the session has ended: sign in again
    client.force_login(people[4].user)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(_url("amanah:resend_code"), REMOTE_ADDR="198.51.100.7")
    assert again.status_code == 302
    assert len(sms_outbox) == 4


def test_code_resends_of_one_account_are_capped_from_any_address(
        client, clock, settings, sms_outbox, django_capture_on_commit_callbacks):
    # given the default: at most 5 resends an hour for one account
    clock.set(T0)
    person = CitizenFactory(mobile="+966551234599")
    client.force_login(person.user)
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(7):
            clock.advance(seconds=61)  # past the service's one-a-minute rule
            statuses.append(client.post(_url("amanah:resend_code"),
                                        REMOTE_ADDR=f"203.0.113.{n + 1}").status_code)
    assert statuses == [302] * 5 + [429] * 2
    assert len(sms_outbox) == 5


def test_sign_in_posts_from_one_address_are_capped(client, settings):
    # given a cap of 3 sign-in attempts a minute per address (failures or not)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in": "address=3/m"}
    statuses = [client.post(_url("amanah:sign_in"), {"username": f"u{n}", "password": "x"},
                            REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=_forged())
                .status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    # and another address is not affected
    assert client.post(_url("amanah:sign_in"), {"username": "u", "password": "x"},
                       REMOTE_ADDR="198.51.100.8").status_code == 200
