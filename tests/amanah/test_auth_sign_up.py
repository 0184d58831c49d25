import re

import pytest
from django.urls import reverse
from django.utils import translation

from amanah.enums import AccountEventKind, OneTimeCodePurpose
from amanah.errors import DomainError
from amanah.models import AccountEvent, OneTimeCode, Person, User
from amanah.notifications import LocmemSmsBackend
from amanah.services import person_register
from tests.factories import CitizenFactory, MunicipalityFactory, national_id_for

pytestmark = pytest.mark.django_db

NEW_ID = national_id_for(55501234)
GOOD_PASSWORD = "Dammam-Waterfront-77"


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def khobar():
    return MunicipalityFactory(code="KHB", name_ar="بلدية الخبر", name_en="Khobar")


def _url(name: str, language: str = "ar") -> str:
    with translation.override(language):
        return reverse(name)


def _form(khobar, **overrides):
    data = {
        "national_id": NEW_ID, "name_ar": "سارة أحمد", "name_en": "Sara Ahmed",
        "mobile": "0551234567", "email": "sara@example.sa", "municipality": str(khobar.pk),
        "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


def _counts():
    return (User.objects.count(), Person.objects.count(), OneTimeCode.objects.count(),
            AccountEvent.objects.count())


def test_sign_up_creates_the_account_and_sends_a_code(
        client, khobar, sms_outbox, django_capture_on_commit_callbacks):
    # given the sign-up page, with the ID typed in Arabic-Indic digits
    arabic_id = NEW_ID.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    # when the form is sent
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("amanah:sign_up"), _form(khobar, national_id=arabic_id))
    # then an account named by the normalised ID exists, with its person, signed in
    assert response.status_code == 302
    assert response["Location"] == _url("amanah:confirm_mobile")
    person = Person.objects.get(national_id=NEW_ID)
    assert person.user.username == NEW_ID
    assert person.user.check_password(GOOD_PASSWORD)
    assert person.mobile == "+966551234567"
    assert person.municipality == khobar
    assert person.mobile_confirmed_at is None
    assert int(client.session["_auth_user_id"]) == person.user.pk
    # and one code was sent to the mobile, stored only as a hash
    assert [m.to for m in sms_outbox] == ["+966551234567"]
    sent = re.search(r"\b(\d{6})\b", sms_outbox[0].body).group(1)
    code = OneTimeCode.objects.get(person=person)
    assert code.purpose == OneTimeCodePurpose.MOBILE_CONFIRM
    assert sent not in code.code_hash
    assert list(person.account_events.values_list("kind", flat=True)) == [
        AccountEventKind.REGISTERED, AccountEventKind.CODE_ISSUED]


@pytest.mark.parametrize(("overrides", "field", "message_en"), [
    ({"national_id": NEW_ID[:-1] + str((int(NEW_ID[-1]) + 1) % 10)}, "national_id",
     "This ID number is not valid; please check the digits."),
    ({"national_id": "12345"}, "national_id", "A national ID or iqama number has 10 digits."),
    ({"national_id": "3" + NEW_ID[1:]}, "national_id",
     "A national ID starts with 1 and an iqama number with 2."),
    ({"mobile": "0131234567"}, "mobile",
     "This mobile number is not valid. Write it like 0551234567."),
    ({"password1": "12345678", "password2": "12345678"}, "password1",
     "This password is too common. This password is entirely numeric."),
    ({"password2": "something-else-1"}, "password2", "The two passwords do not match."),
    ({"name_ar": ""}, "name_ar", "This field is required."),
    ({"municipality": ""}, "municipality", "This field is required."),
], ids=["bad-check-digit", "short-id", "bad-prefix", "bad-mobile", "weak-password",
        "passwords-differ", "no-name", "no-municipality"])
def test_bad_sign_up_input_creates_nothing_and_says_why_next_to_the_field(
        client, khobar, sms_outbox, django_capture_on_commit_callbacks, overrides, field,
        message_en):
    # given nothing registered yet
    before = _counts()
    # when the form is sent with one bad value, on the English page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(_url("amanah:sign_up", "en"),
                               _form(khobar, **overrides))
    # then the page comes back with the message next to that field
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message_en]
    assert f'id="id_{field}_error"' in response.content.decode()
    # and nothing was created, sent or scheduled
    assert _counts() == before
    assert sms_outbox == []
    assert callbacks == []
    assert "_auth_user_id" not in client.session


def test_a_duplicate_id_is_refused_in_arabic_and_nothing_changes(
        client, khobar, sms_outbox, django_capture_on_commit_callbacks):
    # given someone already registered with this ID
    existing = CitizenFactory(national_id=NEW_ID)
    before = _counts()
    # when the same ID signs up again on the Arabic page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(_url("amanah:sign_up"), _form(khobar))
    # then it is refused next to the ID field, in Arabic
    assert response.status_code == 200
    assert response.context["form"].errors["national_id"] == [
        "هذا الرقم مسجل في البوابة من قبل. سجّل الدخول أو استعد كلمة المرور."]
    assert _counts() == before
    assert sms_outbox == []
    assert callbacks == []
    existing.refresh_from_db()
    assert existing.mobile != "+966551234567"


def test_person_register_service_refuses_a_weak_password_in_both_languages(khobar):
    # given / when a numeric password
    with pytest.raises(DomainError) as refused:
        person_register(national_id=NEW_ID, name_ar="سارة", name_en="Sara", mobile="0551234567",
                        email="", municipality=khobar, password="12345678")
    # then the code is stable, both messages are filled, and nothing is created
    assert refused.value.code == "auth.weak_password"
    assert refused.value.field == "password"
    assert "numeric" in refused.value.message_en
    assert refused.value.message_ar != refused.value.message_en
    assert not User.objects.filter(username=NEW_ID).exists()
    assert not Person.objects.filter(national_id=NEW_ID).exists()


def test_sign_up_into_an_inactive_municipality_is_refused(khobar):
    # given a municipality that is switched off
    closed = MunicipalityFactory(code="OLD", is_active=False)
    # when
    with pytest.raises(DomainError) as refused:
        person_register(national_id=NEW_ID, name_ar="سارة", name_en="", mobile="0551234567",
                        email="", municipality=closed, password=GOOD_PASSWORD)
    # then
    assert refused.value.code == "identity.municipality_inactive"
    assert Person.objects.count() == 0
