"""Writes for the core domain: sign-up, one-time codes, staff memberships."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

from . import clock
from .enums import (
    AccountEventKind,
    IdentityVerificationPurpose,
    OneTimeCodePurpose,
    StaffRole,
)
from .errors import DomainError
from .identity import mobile_normalise
from .models import (
    AccountEvent,
    Department,
    Municipality,
    OneTimeCode,
    Person,
    StaffMembership,
    User,
)
from .notifications import sms_send

CODE_DIGITS = 6


def _already_registered() -> DomainError:
    return DomainError(
        "identity.already_registered",
        "هذا الرقم مسجل في البوابة من قبل. سجّل الدخول أو استعد كلمة المرور.",
        "This number is already registered. Sign in instead.",
        field="national_id", status=409,
    )


def _password_check(password: str, *, user: User) -> None:
    """Django's password validators, with their messages in both languages.

    The validators translate when they run, so they run once per language.
    """
    messages = {}
    for language in ("ar", "en"):
        with translation.override(language):
            try:
                validate_password(password, user=user)
            except ValidationError as error:
                messages[language] = " ".join(str(m) for m in error.messages)
    if messages:
        raise DomainError("auth.weak_password", messages["ar"], messages["en"], field="password")


@transaction.atomic
def person_register(*, verification_token, mobile: str, email: str,
                    municipality: Municipality, password: str) -> Person:
    """A citizen or resident whose ID the identity provider has just verified opens an account:
    the ID and names come from the provider, never from what was typed; then a code to the
    mobile. The proof is spent in the same transaction, so a refusal leaves it usable."""
    from .auth.verifications import identity_proof_use

    verification = identity_proof_use(token=verification_token,
                                      purpose=IdentityVerificationPurpose.SIGN_UP)
    number = verification.national_id
    mobile_e164 = mobile_normalise(mobile)
    if not municipality.is_active:
        raise DomainError("identity.municipality_inactive",
                          "هذه البلدية غير متاحة حالياً.",
                          "This municipality is not available.", field="municipality")
    # Said only to someone the provider has just proven to hold this ID, so it reveals nothing.
    if (Person.objects.filter(national_id=number, user__isnull=False).exists()
            or User.objects.filter(username=number).exists()):
        raise _already_registered()
    user = User(username=number, first_name=verification.name_ar[:150], email=email.strip())
    _password_check(password, user=user)
    user.set_password(password)
    values = {"name_ar": verification.name_ar, "name_en": verification.name_en,
              "mobile": mobile_e164, "email": email.strip(), "municipality": municipality}
    try:
        # A concurrent sign-up with the same ID loses here, on the unique constraints.
        with transaction.atomic():
            user.save()
            # A person the municipality already knew (billed, inspected) without an account
            # gets theirs now: the provider proved they are that person.
            person = Person.objects.select_for_update().filter(
                national_id=number, user__isnull=True).first()
            if person is None:
                person = Person.objects.create(national_id=number, user=user, **values)
            else:
                for name, value in values.items():
                    setattr(person, name, value)
                person.user = user
                person.mobile_confirmed_at = None
                person.save()
    except IntegrityError:
        raise _already_registered() from None
    AccountEvent.objects.create(person=person, kind=AccountEventKind.REGISTERED, at=clock.now(),
                                payload={"municipality": municipality.code,
                                         "identity_provider": verification.provider,
                                         "identity_transaction": verification.transaction_id})
    one_time_code_issue(person=person, purpose=OneTimeCodePurpose.MOBILE_CONFIRM)
    return person


def _code_hash(*, person_id: int, purpose: str, code: str) -> str:
    # Keyed with SECRET_KEY: a leaked table alone does not let anyone try the million codes.
    return salted_hmac("amanah.one_time_code", f"{person_id}:{purpose}:{code}",
                       algorithm="sha256").hexdigest()


def _code_sms_body(code: str) -> str:
    minutes = max(1, settings.OTP_TTL_SECONDS // 60)
    with translation.override("ar"):
        return gettext("Your Amanah portal code is %(code)s. It is valid for %(minutes)s "
                       "minutes. Do not share it.") % {"code": code, "minutes": minutes}


@transaction.atomic
def one_time_code_issue(*, person: Person, purpose: str) -> OneTimeCode:
    """Send a new code by SMS; any earlier unused code for the same purpose stops working."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.mobile:
        raise DomainError("otp.no_mobile", "لا يوجد رقم جوال مسجل.",
                          "There is no mobile number on record.", field="mobile")
    now = clock.now()
    # Per account, whatever the purpose and however many addresses ask: a phone is not flooded.
    if OneTimeCode.objects.filter(person=person, created_at__gte=now - dt.timedelta(days=1)
                                  ).count() >= settings.OTP_DAILY_LIMIT:
        raise DomainError("otp.daily_limit",
                          "بلغت الحد اليومي للرموز المرسلة. حاول مرة أخرى غداً.",
                          "You have reached today's limit of codes sent. Try again tomorrow.",
                          field="code", status=429)
    OneTimeCode.objects.filter(person=person, purpose=purpose, used_at__isnull=True,
                               superseded_at__isnull=True).update(superseded_at=now)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    otc = OneTimeCode.objects.create(
        person=person, purpose=purpose,
        code_hash=_code_hash(person_id=person.pk, purpose=purpose, code=code),
        created_at=now, expires_at=now + dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    AccountEvent.objects.create(person=person, kind=AccountEventKind.CODE_ISSUED, at=now,
                                payload={"purpose": purpose, "code_id": otc.pk})
    mobile = person.mobile
    transaction.on_commit(lambda: sms_send(to=mobile, body=_code_sms_body(code)))
    return otc


def _code_error(code: str, ar: str, en: str) -> DomainError:
    return DomainError(code, ar, en, field="code")


def one_time_code_verify(*, person: Person, purpose: str, code: str) -> Person:
    """The latest code for `purpose` is right, unexpired, unused and within its tries.

    Not wrapped in one atomic block on purpose: a wrong try must be counted (committed)
    even though the call then raises.
    """
    failure: DomainError | None = None
    with transaction.atomic():
        now = clock.now()
        otc = (OneTimeCode.objects.select_for_update()
               .filter(person=person, purpose=purpose).order_by("-created_at", "-pk").first())
        if otc is None:
            raise _code_error("otp.not_found", "لم يُرسل إليك رمز بعد. اطلب رمزاً جديداً.",
                              "No code has been sent yet. Ask for a new code.")
        if otc.used_at is not None or otc.superseded_at is not None:
            raise _code_error("otp.used", "هذا الرمز استُخدم من قبل. اطلب رمزاً جديداً.",
                              "This code has already been used. Ask for a new code.")
        if now >= otc.expires_at:
            raise _code_error("otp.expired", "انتهت صلاحية الرمز. اطلب رمزاً جديداً.",
                              "This code has expired. Ask for a new code.")
        if otc.attempts >= settings.OTP_MAX_ATTEMPTS:
            raise _code_error("otp.too_many_attempts",
                              "تجاوزت عدد المحاولات المسموح. اطلب رمزاً جديداً.",
                              "Too many wrong tries. Ask for a new code.")
        given = "".join(code.split()).translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
        expected = _code_hash(person_id=person.pk, purpose=purpose, code=given)
        if constant_time_compare(expected, otc.code_hash):
            otc.used_at = now
            otc.save(update_fields=["used_at"])
            locked = Person.objects.select_for_update().get(pk=person.pk)
            if purpose == OneTimeCodePurpose.MOBILE_CONFIRM:
                locked.mobile_confirmed_at = now
                locked.save(update_fields=["mobile_confirmed_at"])
                AccountEvent.objects.create(person=locked, kind=AccountEventKind.MOBILE_CONFIRMED,
                                            at=now, payload={"mobile": locked.mobile})
            return locked
        otc.attempts += 1
        otc.save(update_fields=["attempts"])
        AccountEvent.objects.create(person=person, kind=AccountEventKind.CODE_FAILED, at=now,
                                    payload={"code_id": otc.pk, "attempts": otc.attempts})
        left = settings.OTP_MAX_ATTEMPTS - otc.attempts
        if left > 0:
            failure = _code_error(
                "otp.wrong", f"الرمز غير صحيح. المحاولات المتبقية: {left}.",
                f"The code is not correct. Tries left: {left}.")
        else:
            failure = _code_error(
                "otp.too_many_attempts", "تجاوزت عدد المحاولات المسموح. اطلب رمزاً جديداً.",
                "Too many wrong tries. Ask for a new code.")
    raise failure


@transaction.atomic
def user_staff_flag_sync(*, user: User) -> User:
    """`is_staff` (may open the Django admin) ⇔ superuser or an active ADMIN membership."""
    user = User.objects.select_for_update().get(pk=user.pk)
    should_be = user.is_superuser or StaffMembership.objects.filter(
        user=user, role=StaffRole.ADMIN, is_active=True, department__is_active=True).exists()
    if user.is_staff != should_be:
        user.is_staff = should_be
        user.save(update_fields=["is_staff"])
    return user


@transaction.atomic
def staff_membership_grant(*, user: User, department: Department, role: str) -> StaffMembership:
    """Give a user a role in a department (again active if it was revoked); history records it."""
    if role not in StaffRole.values:
        raise DomainError("staff.bad_role", "الدور غير معروف.", "Unknown role.", field="role")
    membership, created = StaffMembership.objects.select_for_update().get_or_create(
        user=user, department=department, role=role, defaults={"is_active": True})
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    user_staff_flag_sync(user=user)
    user.__dict__.pop("_amanah_memberships", None)
    return membership


@transaction.atomic
def staff_membership_revoke(*, membership: StaffMembership) -> StaffMembership:
    """Take a role away; the row stays (inactive) so history shows who held it."""
    membership = StaffMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
    user_staff_flag_sync(user=membership.user)
    return membership


RESEND_INTERVAL_SECONDS = 60


@transaction.atomic
def one_time_code_resend(*, person: Person, purpose: str) -> OneTimeCode:
    """A new code on request, at most one a minute, so the resend button cannot flood a phone."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    latest = (OneTimeCode.objects.filter(person=person, purpose=purpose)
              .order_by("-created_at", "-pk").first())
    if latest is not None and (clock.now() - latest.created_at).total_seconds() \
            < RESEND_INTERVAL_SECONDS:
        raise DomainError("otp.resend_too_soon",
                          "أُرسل إليك رمز قبل أقل من دقيقة. انتظر قليلاً ثم أعد الطلب.",
                          "A code was sent less than a minute ago. Wait a moment and try again.",
                          field="code", status=429)
    return one_time_code_issue(person=person, purpose=purpose)


def person_language_remember(*, person: Person, language: str | None) -> None:
    """Messages to a person go in the language they use the portal in: the one they last
    signed in with. Written only when it changes (no empty history rows)."""
    chosen = "en" if (language or "").startswith("en") else "ar"
    if person.language != chosen:
        person.language = chosen
        person.save(update_fields=["language"])
