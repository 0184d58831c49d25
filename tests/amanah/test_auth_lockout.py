import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import device_known
from tests.factories import DEFAULT_PASSWORD, CitizenFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

LOCKOUT_AR = "تم إيقاف تسجيل الدخول لهذا الحساب مؤقتاً."
LOCKOUT_EN = "Sign-in is paused for this account."
WRONG_AR = "رقم الهوية (أو اسم المستخدم) أو كلمة المرور غير صحيحة."


def _sign_in_url(language: str) -> str:
    with translation.override(language):
        return reverse("amanah:sign_in")


def test_a_citizen_signs_in_with_their_id_in_arabic_indic_digits(client):
    # given a citizen
    citizen = CitizenFactory()
    device_known(client, citizen)
    typed = citizen.national_id.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    # when they sign in typing their ID in Arabic-Indic digits
    response = client.post(_sign_in_url("ar"), {"username": typed, "password": DEFAULT_PASSWORD})
    # then they are signed in and sent home
    assert response.status_code == 302
    assert response["Location"] == "/ar/"
    assert int(client.session["_auth_user_id"]) == citizen.user.pk


def test_staff_sign_in_on_the_same_page_with_their_username(client):
    staff = StaffUserFactory(username="clerk.khobar")
    response = client.post(_sign_in_url("en"),
                           {"username": "clerk.khobar", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == staff.pk


def test_a_wrong_password_says_so_on_the_page(client):
    citizen = CitizenFactory()
    response = client.post(_sign_in_url("ar"),
                           {"username": citizen.national_id, "password": "not-it"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [WRONG_AR]
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post(client):
    # given a signed-in citizen
    citizen = CitizenFactory()
    client.force_login(citizen.user)
    with translation.override("ar"):
        url = reverse("amanah:sign_out")
    # when a GET arrives, nothing happens; a POST signs out
    assert client.get(url).status_code == 405
    assert "_auth_user_id" in client.session
    assert client.post(url).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("language", "message", "minutes"), [
    ("ar", LOCKOUT_AR, "حاول مرة أخرى بعد 30 دقيقة."),
    ("en", LOCKOUT_EN, "try again in 30 minutes."),
])
def test_repeated_failures_lock_the_account_out_with_a_message_on_the_page(
        client, settings, language, message, minutes):
    # given a citizen and the failure limit (5)
    citizen = CitizenFactory()
    url = _sign_in_url(language)
    limit = settings.AXES_FAILURE_LIMIT
    # when the wrong password is tried up to the limit, with ASCII and Arabic-Indic digits
    arabic = citizen.national_id.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    statuses = [client.post(url, {"username": arabic if n % 2 else citizen.national_id,
                                  "password": f"wrong-{n}"}).status_code
                for n in range(limit)]
    # then the last one answers 429 with the sign-in page and the reason, in the page's language
    assert statuses == [200] * (limit - 1) + [429]
    # and even the right password is now refused the same way
    response = client.post(url, {"username": citizen.national_id, "password": DEFAULT_PASSWORD})
    body = response.content.decode()
    assert response.status_code == 429
    assert message in body
    assert minutes in body
    assert 'id="lockout-message"' in body
    assert 'name="username"' in body
    assert f'lang="{language}"' in body
    assert "_auth_user_id" not in client.session


def test_a_lockout_of_one_account_does_not_lock_another(client, settings):
    victim, other = CitizenFactory(), CitizenFactory()
    device_known(client, other)
    url = _sign_in_url("ar")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": victim.national_id, "password": f"wrong-{n}"})
    response = client.post(url, {"username": other.national_id, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == other.user.pk


# --- Lockout by account *and* by address (issue 8 point 3) -------------------------------------

OUTSIDER = "203.0.113.66"
OFFICE = "198.51.100.20"


def _try(client, username, password, address):
    return client.post(_sign_in_url("ar"), {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_one_password_sprayed_over_15_usernames_from_one_address_is_stopped(client, settings):
    # given fifteen accounts and the default limit of failures per address (10)
    limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    assert limit == 10
    accounts = [StaffUserFactory(username=f"clerk.{n}") for n in range(15)]
    # when one address tries one common password on each of them
    statuses = [_try(client, user.username, "Summer2026!", OUTSIDER).status_code
                for user in accounts]
    # then it is stopped at the limit, long before the fifteenth
    assert statuses == [200] * (limit - 1) + [429] * (15 - limit + 1)
    # and while stopped, even a right password from that address is not checked
    assert _try(client, accounts[-1].username, DEFAULT_PASSWORD, OUTSIDER).status_code == 429
    assert "_auth_user_id" not in client.session
    # but the same account signs in from another address
    assert _try(client, accounts[-1].username, DEFAULT_PASSWORD, OFFICE).status_code == 302


def test_a_successful_sign_in_does_not_wipe_the_addresss_count(client, settings):
    # given an attacker with an account of their own, spraying from their address
    own = CitizenFactory()
    for n in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT - 1):
        _try(client, f"clerk.sprayed.{n}", "Summer2026!", OUTSIDER)
    # when they sign in to their own account in between, then go on
    assert _try(client, own.national_id, DEFAULT_PASSWORD, OUTSIDER).status_code == 302
    client.logout()
    # then the next failure still reaches the address's limit
    assert _try(client, "clerk.sprayed.last", "Summer2026!", OUTSIDER).status_code == 429


def test_an_outsider_failing_on_a_staff_username_does_not_lock_the_staff_member_out(
        client, settings):
    # given a staff member whose username is known
    staff = StaffUserFactory(username="finance.head")
    # when an outsider fails on it from one address, well past the limit
    statuses = [_try(client, "finance.head", f"guess-{n}", OUTSIDER).status_code
                for n in range(settings.AXES_FAILURE_LIMIT + 3)]
    # then that address is locked out of that account...
    assert statuses[-1] == 429
    assert _try(client, "finance.head", DEFAULT_PASSWORD, OUTSIDER).status_code == 429
    # ...but the staff member signs in from their own address
    response = _try(client, "finance.head", DEFAULT_PASSWORD, OFFICE)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == staff.pk


def test_guessing_from_many_addresses_locks_the_account_except_where_its_owner_signs_in(
        client, settings):
    # given a staff member who has signed in from the office before
    staff = StaffUserFactory(username="legal.head")
    assert _try(client, "legal.head", DEFAULT_PASSWORD, OFFICE).status_code == 302
    client.logout()
    # when failures on the account come from as many distinct addresses as the limit
    spread = settings.SIGN_IN_ACCOUNT_ADDRESS_LIMIT
    for n in range(spread):
        for attempt in range(2):
            _try(client, "legal.head", f"guess-{n}-{attempt}", f"203.0.113.{n + 1}")
    # then the account is closed to every address it was never signed in from, even with the
    # right password...
    assert _try(client, "legal.head", DEFAULT_PASSWORD, "192.0.2.200").status_code == 429
    # ...and still open to its owner's known address
    response = _try(client, "legal.head", DEFAULT_PASSWORD, OFFICE)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == staff.pk


def test_fewer_distinct_addresses_than_the_limit_do_not_close_the_account(client, settings):
    StaffUserFactory(username="legal.clerk")
    for n in range(settings.SIGN_IN_ACCOUNT_ADDRESS_LIMIT - 1):
        for attempt in range(3):
            _try(client, "legal.clerk", f"guess-{n}-{attempt}", f"203.0.113.{n + 1}")
    assert _try(client, "legal.clerk", DEFAULT_PASSWORD, "192.0.2.200").status_code == 302


def test_forged_forwarded_for_does_not_escape_the_lockout(client, settings):
    # given no trusted proxy: the header is the client's own words
    settings.TRUSTED_PROXY_COUNT = 0
    StaffUserFactory(username="clerk.target")
    statuses = [client.post(_sign_in_url("ar"), {"username": "clerk.target",
                                                 "password": f"guess-{n}"},
                            REMOTE_ADDR=OUTSIDER,
                            HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}").status_code
                for n in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
