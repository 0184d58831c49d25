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
