"""Password reset for citizens: by a code to the confirmed mobile, or by proving the ID with
Nafath. Staff passwords are reset by an administrator.

Nothing here tells a stranger whether an ID has an account: the request answers the same way
either way, and a wrong code for an unknown ID fails exactly as a wrong code for a known one.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction

from amanah import clock
from amanah.enums import AccountEventKind, IdentityVerificationPurpose, OneTimeCodePurpose
from amanah.errors import DomainError
from amanah.identity import national_id_normalise
from amanah.models import AccountEvent, OneTimeCode, Person, User
from amanah.services import _code_hash, _password_check, one_time_code_issue, one_time_code_verify

from .verifications import identity_proof_use


def _reset_code_error() -> DomainError:
    return DomainError("reset.code_invalid",
                       "الرمز غير صحيح أو انتهت صلاحيته. اطلب رمزاً جديداً إن لزم.",
                       "The code is not correct or has expired. Ask for a new one if needed.",
                       field="code")


def _person_for_reset(national_id: str) -> Person | None:
    return (Person.objects.select_related("user")
            .filter(national_id=national_id, user__isnull=False, user__is_active=True,
                    mobile_confirmed_at__isnull=False).first())


def password_reset_request(*, national_id: str) -> None:
    """Send a reset code to the confirmed mobile of the account of `national_id`, if there is
    one and it is under its daily limits. Answers nothing either way."""
    number = national_id_normalise(national_id)
    person = _person_for_reset(number)
    if person is None:
        # Do the work a real request does (a keyed hash), so the answer takes about as long.
        _code_hash(person_id=0, purpose=OneTimeCodePurpose.PASSWORD_RESET, code="000000")
        return
    since = clock.now() - dt.timedelta(days=1)
    if OneTimeCode.objects.filter(person=person, purpose=OneTimeCodePurpose.PASSWORD_RESET,
                                  created_at__gte=since).count() \
            >= settings.PASSWORD_RESET_DAILY_LIMIT:
        return
    try:
        one_time_code_issue(person=person, purpose=OneTimeCodePurpose.PASSWORD_RESET)
    except DomainError:
        return  # the daily cap of codes: said to nobody, the mobile's owner knows


def _password_set(*, user: User, person: Person, password: str, how: str) -> User:
    _password_check(password, user=user)
    user.set_password(password)
    # A new password changes the session hash Django checks on every request: every session
    # of this account, anywhere, ends with it.
    user.save(update_fields=["password"])
    AccountEvent.objects.create(person=person, kind=AccountEventKind.PASSWORD_RESET,
                                at=clock.now(), payload={"by": how})
    return user


def password_reset_with_code(*, national_id: str, code: str, password: str) -> User:
    """A new password for the account of `national_id`, given the code sent to its mobile."""
    try:
        number = national_id_normalise(national_id)
    except DomainError:
        raise _reset_code_error() from None
    person = _person_for_reset(number)
    if person is None:
        raise _reset_code_error()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=person.user_id)
        # Checked before the code is spent, so a weak password does not cost the code.
        _password_check(password, user=user)
    try:
        one_time_code_verify(person=person, purpose=OneTimeCodePurpose.PASSWORD_RESET, code=code)
    except DomainError:
        raise _reset_code_error() from None
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=person.user_id)
        return _password_set(user=user, person=person, password=password, how="sms_code")


@transaction.atomic
def password_reset_with_proof(*, verification_token, password: str) -> User:
    """A new password for the account of the ID Nafath has just verified (proof used once)."""
    verification = identity_proof_use(token=verification_token,
                                      purpose=IdentityVerificationPurpose.PASSWORD_RESET)
    person = (Person.objects.select_related("user")
              .filter(national_id=verification.national_id, user__isnull=False).first())
    if person is None or not person.user.is_active:
        raise DomainError("reset.no_account", "لا يوجد حساب لهذا الرقم. أنشئ حساباً جديداً.",
                          "There is no account for this number. Create one instead.",
                          field="national_id", status=404)
    user = User.objects.select_for_update().get(pk=person.user_id)
    return _password_set(user=user, person=person, password=password, how="nafath")
