import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from amanah.enums import AccountEventKind, OneTimeCodePurpose
from amanah.errors import DomainError
from amanah.models import AccountEvent, OneTimeCode, Person
from amanah.notifications import LocmemSmsBackend
from amanah.services import one_time_code_issue, one_time_code_resend, one_time_code_verify
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PURPOSE = OneTimeCodePurpose.MOBILE_CONFIRM
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def issued(clock, sms_outbox, django_capture_on_commit_callbacks):
    """A person with an unconfirmed mobile and one code sent at T0; returns (person, code)."""
    clock.set(T0)
    person = PersonFactory(mobile="+966551234567")
    with django_capture_on_commit_callbacks(execute=True):
        one_time_code_issue(person=person, purpose=PURPOSE)
    return person, _last_code(sms_outbox)


def _last_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _confirmed_at(person: Person):
    return Person.objects.get(pk=person.pk).mobile_confirmed_at


def test_the_right_code_confirms_the_mobile(issued, clock):
    # given a code sent at T0
    person, code = issued
    # when it is entered four minutes later
    clock.advance(minutes=4)
    one_time_code_verify(person=person, purpose=PURPOSE, code=code)
    # then the mobile is confirmed at that moment and the code is used up
    assert _confirmed_at(person) == T0 + dt.timedelta(minutes=4)
    assert OneTimeCode.objects.get(person=person).used_at == T0 + dt.timedelta(minutes=4)
    assert AccountEvent.objects.filter(person=person).last().kind == \
        AccountEventKind.MOBILE_CONFIRMED


def test_arabic_indic_digits_in_the_code_are_accepted(issued):
    person, code = issued
    one_time_code_verify(person=person, purpose=PURPOSE,
                         code=code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    assert _confirmed_at(person) is not None


def test_a_wrong_code_is_refused_and_counted(issued, sms_outbox):
    # given a code was sent
    person, code = issued
    # when a wrong one is entered
    with pytest.raises(DomainError) as refused:
        one_time_code_verify(person=person, purpose=PURPOSE, code=_wrong(code))
    # then it is refused, the try is counted (committed), nothing is confirmed or sent
    assert refused.value.code == "otp.wrong"
    assert refused.value.message_en == "The code is not correct. Tries left: 4."
    assert OneTimeCode.objects.get(person=person).attempts == 1
    assert _confirmed_at(person) is None
    assert len(sms_outbox) == 1


def test_an_expired_code_is_refused(issued, clock):
    # given the code's lifetime (300 s) has passed
    person, code = issued
    clock.advance(seconds=300)
    # when the right code is entered
    with pytest.raises(DomainError) as refused:
        one_time_code_verify(person=person, purpose=PURPOSE, code=code)
    # then it is refused and nothing changes
    assert refused.value.code == "otp.expired"
    assert _confirmed_at(person) is None
    assert OneTimeCode.objects.get(person=person).used_at is None


def test_a_code_works_only_once(issued, clock):
    # given the code was used
    person, code = issued
    one_time_code_verify(person=person, purpose=PURPOSE, code=code)
    first_confirmation = _confirmed_at(person)
    # when it is entered again a minute later
    clock.advance(minutes=1)
    with pytest.raises(DomainError) as refused:
        one_time_code_verify(person=person, purpose=PURPOSE, code=code)
    # then it is refused and the confirmation time stays the first one
    assert refused.value.code == "otp.used"
    assert _confirmed_at(person) == first_confirmation


def test_after_too_many_wrong_tries_even_the_right_code_is_refused(issued, settings):
    # given the maximum number of wrong tries
    person, code = issued
    codes = []
    for _ in range(settings.OTP_MAX_ATTEMPTS):
        with pytest.raises(DomainError) as refused:
            one_time_code_verify(person=person, purpose=PURPOSE, code=_wrong(code))
        codes.append(refused.value.code)
    # when the right code is entered
    with pytest.raises(DomainError) as refused:
        one_time_code_verify(person=person, purpose=PURPOSE, code=code)
    # then it is refused; the last wrong try already said so
    assert codes == ["otp.wrong"] * (settings.OTP_MAX_ATTEMPTS - 1) + ["otp.too_many_attempts"]
    assert refused.value.code == "otp.too_many_attempts"
    assert OneTimeCode.objects.get(person=person).attempts == settings.OTP_MAX_ATTEMPTS
    assert _confirmed_at(person) is None


def test_a_resend_invalidates_the_earlier_code(issued, clock, sms_outbox,
                                               django_capture_on_commit_callbacks):
    # given a first code, and a minute later a second one
    person, first = issued
    clock.advance(seconds=61)
    with django_capture_on_commit_callbacks(execute=True):
        one_time_code_resend(person=person, purpose=PURPOSE)
    second = _last_code(sms_outbox)
    # when the first code is entered
    if first != second:
        with pytest.raises(DomainError) as refused:
            one_time_code_verify(person=person, purpose=PURPOSE, code=first)
        assert refused.value.code == "otp.wrong"
    # then only the second one works
    one_time_code_verify(person=person, purpose=PURPOSE, code=second)
    assert _confirmed_at(person) == T0 + dt.timedelta(seconds=61)
    assert OneTimeCode.objects.filter(person=person, superseded_at__isnull=False).count() == 1


def test_a_resend_within_a_minute_is_refused_and_sends_nothing(
        issued, clock, sms_outbox, django_capture_on_commit_callbacks):
    # given a code sent 30 s ago
    person, _code = issued
    clock.advance(seconds=30)
    # when another is asked for
    with django_capture_on_commit_callbacks(execute=True) as callbacks, \
            pytest.raises(DomainError) as refused:
        one_time_code_resend(person=person, purpose=PURPOSE)
    # then refused; no new code, no SMS
    assert refused.value.code == "otp.resend_too_soon"
    assert OneTimeCode.objects.filter(person=person).count() == 1
    assert len(sms_outbox) == 1
    assert callbacks == []


def test_the_confirm_page_shows_a_wrong_code_next_to_the_field_in_english(issued, client):
    # given the person is signed in
    person, code = issued
    user = person.user or _attach_user(person)
    client.force_login(user)
    # when a wrong code is posted on the English page
    with translation.override("en"):
        url = reverse("amanah:confirm_mobile")
    response = client.post(url, {"code": _wrong(code)})
    # then the message is next to the code field and nothing is confirmed
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["The code is not correct. Tries left: 4."]
    assert 'id="id_code_error"' in response.content.decode()
    assert _confirmed_at(person) is None


def _attach_user(person):
    from tests.factories import UserFactory

    person.user = UserFactory(username=person.national_id)
    person.save(update_fields=["user"])
    return person.user
