"""Sign-up binds a national ID to an account only through Nafath (here, the simulated one).

These fail on the old sign-up, where the ID and names were typed and nothing proved them."""

import datetime as dt
import re
import uuid

import pytest

from amanah.enums import AccountEventKind, IdentityVerificationPurpose
from amanah.enums import IdentityVerificationStatus as Status
from amanah.errors import DomainError
from amanah.models import AccountEvent, IdentityVerification, OneTimeCode, Person, User
from amanah.notifications import LocmemSmsBackend
from amanah.services import person_register
from payments.selectors import payer_find
from tests.amanah.identity_helpers import nafath_answer, nafath_prove, url, verification_of
from tests.factories import CitizenFactory, MunicipalityFactory, PersonFactory, national_id_for

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


def _details(khobar, **overrides):
    data = {"mobile": "0551234567", "email": "sara@example.sa", "municipality": str(khobar.pk),
            "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    data.update(overrides)
    return data


def _counts():
    return (User.objects.count(), Person.objects.count(), OneTimeCode.objects.count(),
            AccountEvent.objects.count())


def _approved(status=Status.APPROVED, purpose=IdentityVerificationPurpose.SIGN_UP, clock=None,
              national_id=NEW_ID, **fields) -> IdentityVerification:
    from amanah import clock as amanah_clock

    now = amanah_clock.now()
    return IdentityVerification.objects.create(
        purpose=purpose, provider="nafath_simulator", national_id=national_id,
        transaction_id=uuid.uuid4().hex, random="42", status=status, name_ar="سارة أحمد",
        name_en="Sara Ahmed", expires_at=now + dt.timedelta(minutes=15), **fields)


def test_sign_up_through_nafath_creates_the_account_with_the_names_nafath_returned(
        client, khobar, sms_outbox, django_capture_on_commit_callbacks):
    # given someone who types their ID (in Arabic-Indic digits) on the sign-up page
    arabic_id = NEW_ID.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = client.post(url("amanah:sign_up"), {"national_id": arabic_id})
    assert response.status_code == 302
    assert response["Location"] == url("amanah:identity_verify")
    # the portal shows the number to choose in Nafath
    verification = verification_of(client)
    waiting = client.get(url("amanah:identity_verify"))
    assert re.search(rf'id="nafath-number"[^>]*><bdi dir="ltr">{verification.random}</bdi>',
                     waiting.content.decode())
    assert verification.status == Status.PENDING
    # when they choose it in Nafath, which returns their registered names
    nafath_answer(verification, name_ar="سارة أحمد الغامدي", name_en="Sara Ahmed Alghamdi")
    approved = client.get(url("amanah:identity_verify"))
    assert approved["Location"] == url("amanah:sign_up_details")
    # and give their mobile, municipality and password
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("amanah:sign_up_details"), _details(khobar))
    # then the account is named by the verified ID, with Nafath's names, and signed in
    assert response.status_code == 302
    assert response["Location"] == url("amanah:confirm_mobile")
    person = Person.objects.get(national_id=NEW_ID)
    assert (person.name_ar, person.name_en) == ("سارة أحمد الغامدي", "Sara Ahmed Alghamdi")
    assert person.user.username == NEW_ID
    assert person.user.check_password(GOOD_PASSWORD)
    assert person.mobile == "+966551234567"
    assert person.mobile_confirmed_at is None
    assert int(client.session["_auth_user_id"]) == person.user.pk
    # and the proof is spent, the registration names it, and one code went to the mobile
    verification.refresh_from_db()
    assert verification.status == Status.USED
    registered = person.account_events.get(kind=AccountEventKind.REGISTERED)
    assert registered.payload["identity_provider"] == "nafath_simulator"
    assert registered.payload["identity_transaction"] == verification.transaction_id
    assert [m.to for m in sms_outbox] == ["+966551234567"]


def test_the_old_typed_sign_up_form_binds_nothing(client, khobar, sms_outbox):
    # given the fields the old sign-up form took, posted as they were
    before = _counts()
    client.post(url("amanah:sign_up"), {
        "national_id": NEW_ID, "name_ar": "منتحل", "name_en": "Impostor", "mobile": "0551234567",
        "municipality": str(khobar.pk), "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD})
    # then no account, person or code exists: only a Nafath request waits for the owner
    assert _counts() == before
    assert sms_outbox == []
    assert "_auth_user_id" not in client.session
    assert verification_of(client).status == Status.PENDING


def test_the_details_page_without_an_approval_sends_back_to_the_start(client, khobar):
    client.post(url("amanah:sign_up"), {"national_id": NEW_ID})
    before = _counts()
    # when the details are posted while Nafath has not approved
    response = client.post(url("amanah:sign_up_details"), _details(khobar))
    # then nothing is created
    assert response.status_code == 302
    assert response["Location"] == url("amanah:sign_up")
    assert _counts() == before


@pytest.mark.parametrize(("answer", "status"), [
    ({"right_number": False}, Status.REJECTED),
    ({"reject": True}, Status.REJECTED),
])
def test_a_wrong_number_or_a_rejection_in_nafath_binds_nothing(client, khobar, answer, status):
    # given a sign-up whose Nafath request is answered with the wrong number, or rejected
    verification = nafath_prove(client, NEW_ID, **answer)
    before = _counts()
    # then the portal says so, and the details cannot be sent
    assert verification.status == status
    page = client.get(url("amanah:identity_verify", "en"))
    assert 'id="nafath-outcome"' in page.content.decode()
    response = client.post(url("amanah:sign_up_details"), _details(khobar))
    assert response["Location"] == url("amanah:sign_up")
    assert _counts() == before


def test_a_request_not_approved_in_time_expires(client, clock, khobar, settings):
    client.post(url("amanah:sign_up"), {"national_id": NEW_ID})
    verification = verification_of(client)
    clock.advance(seconds=settings.NAFATH_REQUEST_TTL_SECONDS + 1)
    nafath_answer(verification)  # too late: the simulated app refuses as well
    client.get(url("amanah:identity_verify"))
    verification.refresh_from_db()
    assert verification.status == Status.EXPIRED
    assert client.post(url("amanah:sign_up_details"), _details(khobar))["Location"] \
        == url("amanah:sign_up")


@pytest.mark.parametrize(("token", "code"), [
    (lambda: uuid.uuid4(), "identity.proof_missing"),
    (lambda: "not-a-token", "identity.proof_missing"),
    (lambda: None, "identity.proof_missing"),
    (lambda: _approved(status=Status.PENDING).token, "identity.proof_missing"),
    (lambda: _approved(status=Status.REJECTED).token, "identity.proof_missing"),
    (lambda: _approved(status=Status.USED).token, "identity.proof_used"),
    (lambda: _approved(status=Status.EXPIRED).token, "identity.proof_expired"),
    (lambda: _approved(purpose=IdentityVerificationPurpose.PASSWORD_RESET).token,
     "identity.proof_missing"),
], ids=["random", "malformed", "none", "pending", "rejected", "reused", "expired",
        "other-purpose"])
def test_person_register_refuses_anything_but_a_fresh_approval(khobar, token, code):
    before = _counts()
    with pytest.raises(DomainError) as refused:
        person_register(verification_token=token(), mobile="0551234567", email="",
                        municipality=khobar, password=GOOD_PASSWORD)
    assert refused.value.code == code
    assert refused.value.message_ar and refused.value.message_en
    assert _counts() == before


def test_an_approval_is_good_for_a_short_while_only(khobar, clock, settings):
    verification = _approved()
    clock.advance(seconds=settings.IDENTITY_PROOF_TTL_SECONDS + 1)
    with pytest.raises(DomainError) as refused:
        person_register(verification_token=verification.token, mobile="0551234567", email="",
                        municipality=khobar, password=GOOD_PASSWORD)
    assert refused.value.code == "identity.proof_expired"
    assert not Person.objects.filter(national_id=NEW_ID).exists()


def test_an_approval_works_once(khobar):
    verification = _approved()
    person_register(verification_token=verification.token, mobile="0551234567", email="",
                    municipality=khobar, password=GOOD_PASSWORD)
    with pytest.raises(DomainError) as refused:
        person_register(verification_token=verification.token, mobile="0557654321", email="",
                        municipality=khobar, password=GOOD_PASSWORD)
    assert refused.value.code == "identity.proof_used"
    assert Person.objects.filter(national_id=NEW_ID).count() == 1


@pytest.mark.parametrize(("overrides", "field", "message_en"), [
    ({"mobile": "0131234567"}, "mobile",
     "This mobile number is not valid. Write it like 0551234567."),
    ({"password1": "12345678", "password2": "12345678"}, "password1",
     "This password is too common. This password is entirely numeric."),
    ({"password2": "something-else-1"}, "password2", "The two passwords do not match."),
    ({"municipality": ""}, "municipality", "This field is required."),
], ids=["bad-mobile", "weak-password", "passwords-differ", "no-municipality"])
def test_bad_details_create_nothing_and_keep_the_approval(
        client, khobar, sms_outbox, overrides, field, message_en):
    # given a person Nafath has just verified
    verification = nafath_prove(client, NEW_ID, language="en")
    before = _counts()
    # when the details are sent with one bad value, on the English page
    response = client.post(url("amanah:sign_up_details", "en"), _details(khobar, **overrides))
    # then the message is next to the field, nothing is created, the approval is still usable
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message_en]
    assert _counts() == before
    assert sms_outbox == []
    verification.refresh_from_db()
    assert verification.status == Status.APPROVED


def test_sign_up_into_an_inactive_municipality_is_refused():
    closed = MunicipalityFactory(code="OLD", is_active=False)
    with pytest.raises(DomainError) as refused:
        person_register(verification_token=_approved().token, mobile="0551234567", email="",
                        municipality=closed, password=GOOD_PASSWORD)
    assert refused.value.code == "identity.municipality_inactive"
    assert Person.objects.count() == 0
    assert IdentityVerification.objects.get().status == Status.APPROVED


def _normalised(page: bytes) -> str:
    # What differs by nature between two requests: the CSRF token, the number Nafath drew and
    # its transaction id.
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.decode())
    text = re.sub(r'(id="nafath-number"[^>]*><bdi dir="ltr">)\d\d<', r"\1NN<", text)
    return re.sub(r"nafath-simulator/[0-9a-f]+/", "nafath-simulator/T/", text)


def test_before_proof_a_registered_id_looks_exactly_like_a_new_one(client, plain_client):
    # given one ID that has an account and one that has none
    registered = CitizenFactory()
    # when both start a sign-up
    first = client.post(url("amanah:sign_up"), {"national_id": registered.national_id})
    second = plain_client.post(url("amanah:sign_up"), {"national_id": NEW_ID})
    # then both are answered the same: on to Nafath, nothing said about an account
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    page_one = client.get(url("amanah:identity_verify"))
    page_two = plain_client.get(url("amanah:identity_verify"))
    assert page_one.status_code == page_two.status_code == 200
    assert _normalised(page_one.content) == _normalised(page_two.content)
    assert "already" not in page_one.content.decode()


def test_after_proof_the_owner_of_a_registered_id_is_offered_sign_in_or_reset(client, khobar):
    # given an ID that has an account, and its owner proving it in Nafath
    registered = CitizenFactory()
    nafath_prove(client, registered.national_id, language="en")
    before = _counts()
    # when they reach the details step
    page = client.get(url("amanah:sign_up_details", "en"))
    # then they are told they already have an account, with the ways in
    body = page.content.decode()
    assert 'id="already-registered"' in body
    assert url("amanah:sign_in", "en") in body
    assert url("amanah:password_reset", "en") in body
    # and posting details anyway creates nothing
    client.post(url("amanah:sign_up_details", "en"), _details(khobar))
    assert _counts() == before


def test_the_impostor_of_the_issue_can_no_longer_take_an_id(client, plain_client, khobar,
                                                           sms_outbox):
    # given a real person the municipality knows by ID, who has no account yet
    victim_id = national_id_for(77700001)
    # when an impostor claims that ID: the old typed form, then Nafath (the owner rejects)
    plain_client.post(url("amanah:sign_up"), {
        "national_id": victim_id, "name_ar": "منتحل", "mobile": "0550000001",
        "municipality": str(khobar.pk), "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD})
    impostor = nafath_prove(plain_client, victim_id, reject=True)
    plain_client.post(url("amanah:sign_up_details"), _details(khobar, mobile="0550000001"))
    # then a bill a cashier issues to that ID finds no account to land in
    assert impostor.status == Status.REJECTED
    assert payer_find(official_id=victim_id) == (None, None)
    assert sms_outbox == []
    # and the real owner can still register, through Nafath, and the ID is theirs
    nafath_prove(client, victim_id, name_ar="صاحب الهوية", name_en="Owner")
    client.post(url("amanah:sign_up_details"), _details(khobar, mobile="0559999999"))
    person, _ = payer_find(official_id=victim_id)
    assert person.user.username == victim_id
    assert person.name_ar == "صاحب الهوية"
    assert person.mobile == "+966559999999"


def test_a_person_known_without_an_account_gets_theirs_after_proof(client, khobar):
    # given a person on record (billed before) who never signed up
    known = PersonFactory(national_id=NEW_ID, name_ar="اسم قديم")
    # when they prove their ID and sign up
    nafath_prove(client, NEW_ID)
    client.post(url("amanah:sign_up_details"), _details(khobar))
    # then the same person row now has the account (and Nafath's names)
    known.refresh_from_db()
    assert known.user is not None and known.user.username == NEW_ID
    assert known.name_ar == "سارة أحمد"
    assert Person.objects.filter(national_id=NEW_ID).count() == 1


def test_nafath_requests_for_one_id_are_capped_per_day(client, settings, clock):
    settings.NAFATH_DAILY_REQUESTS_PER_ID = 2
    for _ in range(2):
        client.post(url("amanah:sign_up"), {"national_id": NEW_ID})
    response = client.post(url("amanah:sign_up", "en"), {"national_id": NEW_ID})
    assert response.status_code == 200
    assert response.context["form"].errors["national_id"] == [
        "Too many verification requests for this number today. Try again tomorrow."]
    assert IdentityVerification.objects.filter(national_id=NEW_ID).count() == 2
    clock.advance(days=1, seconds=1)
    assert client.post(url("amanah:sign_up"), {"national_id": NEW_ID}).status_code == 302


@pytest.mark.parametrize(("national_id", "message_en"), [
    (NEW_ID[:-1] + str((int(NEW_ID[-1]) + 1) % 10),
     "This ID number is not valid; please check the digits."),
    ("12345", "A national ID or iqama number has 10 digits."),
    ("3" + NEW_ID[1:], "A national ID starts with 1 and an iqama number with 2."),
])
def test_a_bad_id_is_refused_next_to_the_field_and_asks_nafath_nothing(client, national_id,
                                                                        message_en):
    response = client.post(url("amanah:sign_up", "en"), {"national_id": national_id})
    assert response.status_code == 200
    assert response.context["form"].errors["national_id"] == [message_en]
    assert IdentityVerification.objects.count() == 0
