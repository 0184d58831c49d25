"""Writes for identity verifications: asking the provider, recording its answer, using the proof.

A national ID is bound to an account (sign-up) or its password reset without the mobile only
through an approved verification, used once, within IDENTITY_PROOF_TTL_SECONDS of approval.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import transaction

from amanah import clock
from amanah.enums import IdentityVerificationStatus as Status
from amanah.errors import DomainError
from amanah.identity import national_id_normalise
from amanah.models import IdentityVerification, IdentityVerificationEvent
from amanah.statuses import StatusTransitions

from . import nafath

TRANSITIONS = StatusTransitions("identity_verification", Status, {
    Status.PENDING: {Status.APPROVED, Status.REJECTED, Status.EXPIRED},
    Status.APPROVED: {Status.USED, Status.EXPIRED},
})


def _proof_error(code: str, ar: str, en: str) -> DomainError:
    return DomainError(code, ar, en, field="national_id", status=400)


def proof_missing_error() -> DomainError:
    return _proof_error("identity.proof_missing",
                        "يلزم التحقق من هويتك عبر نفاذ أولاً.",
                        "Verify your identity with Nafath first.")


def identity_verification_start(*, national_id: str, purpose: str) -> IdentityVerification:
    """Ask the provider to verify `national_id`; at most NAFATH_DAILY_REQUESTS_PER_ID a day,
    so nobody can flood a person's Nafath app with requests."""
    number = national_id_normalise(national_id)
    since = clock.now() - dt.timedelta(days=1)
    if IdentityVerification.objects.filter(
            national_id=number, created_at__gte=since).count() \
            >= settings.NAFATH_DAILY_REQUESTS_PER_ID:
        raise DomainError("identity.too_many_requests",
                          "طلبات تحقق كثيرة لهذا الرقم اليوم. حاول مرة أخرى غداً.",
                          "Too many verification requests for this number today. "
                          "Try again tomorrow.", field="national_id", status=429)
    try:
        client = nafath.nafath_client()
        started = client.start(national_id=number)
    except nafath.NafathUnavailable:
        raise nafath.provider_unavailable_error() from None
    now = clock.now()
    with transaction.atomic():
        verification = IdentityVerification.objects.create(
            purpose=purpose, provider=client.key, national_id=number,
            transaction_id=started.transaction_id, random=started.random,
            status=Status.PENDING, created_at=now,
            expires_at=now + dt.timedelta(seconds=settings.NAFATH_REQUEST_TTL_SECONDS))
        IdentityVerificationEvent.objects.create(
            verification=verification, kind=Status.PENDING, at=now, to_status=Status.PENDING,
            payload={"provider": client.key, "transaction_id": started.transaction_id})
    return verification


@transaction.atomic
def identity_verification_status_change(*, verification: IdentityVerification, to: str,
                                        reason: str = "", name_ar: str = "",
                                        name_en: str = "") -> IdentityVerification:
    """The one writer of a verification's status: locks, checks the table, writes the event."""
    locked = IdentityVerification.objects.select_for_update().get(pk=verification.pk)
    TRANSITIONS.check(locked.status, to)
    now = clock.now()
    source = locked.status
    locked.status = to
    fields = ["status"]
    if to == Status.APPROVED:
        locked.name_ar, locked.name_en = name_ar, name_en
        locked.expires_at = now + dt.timedelta(seconds=settings.IDENTITY_PROOF_TTL_SECONDS)
        fields += ["name_ar", "name_en", "expires_at"]
    locked.save(update_fields=fields)
    IdentityVerificationEvent.objects.create(verification=locked, kind=to, at=now,
                                             from_status=source, to_status=to, reason=reason)
    return locked


def identity_verification_refresh(*, verification: IdentityVerification) -> IdentityVerification:
    """Ask the provider how a pending verification ended (if it has); expire it when late."""
    if verification.status != Status.PENDING:
        return verification
    if clock.now() >= verification.expires_at:
        return identity_verification_status_change(verification=verification, to=Status.EXPIRED,
                                                   reason="portal deadline")
    try:
        outcome = nafath.nafath_client().status(
            transaction_id=verification.transaction_id, national_id=verification.national_id,
            random=verification.random)
    except nafath.NafathUnavailable:
        raise nafath.provider_unavailable_error() from None
    if outcome.status == nafath.WAITING:
        return verification
    if outcome.status == nafath.APPROVED:
        if outcome.national_id != verification.national_id:
            # The provider vouched for someone else: never bind what was not asked for.
            return identity_verification_status_change(
                verification=verification, to=Status.REJECTED, reason="national ID mismatch")
        return identity_verification_status_change(
            verification=verification, to=Status.APPROVED, name_ar=outcome.name_ar,
            name_en=outcome.name_en)
    to = Status.REJECTED if outcome.status == nafath.REJECTED else Status.EXPIRED
    return identity_verification_status_change(verification=verification, to=to,
                                               reason="provider")


def identity_verification_for_token(token) -> IdentityVerification | None:
    try:
        value = uuid.UUID(str(token))
    except (TypeError, ValueError):
        return None
    return IdentityVerification.objects.filter(token=value).first()


def identity_proof_check(*, token, purpose: str, lock: bool = False) -> IdentityVerification:
    """The approved, unexpired, unused verification behind `token`, or a refusal that says why.

    With `lock`, the row is locked (the caller is in a transaction and will use it)."""
    try:
        value = uuid.UUID(str(token))
    except (TypeError, ValueError):
        raise proof_missing_error() from None
    rows = IdentityVerification.objects.filter(token=value, purpose=purpose)
    verification = (rows.select_for_update() if lock else rows).first()
    if verification is None or verification.status in (Status.PENDING, Status.REJECTED):
        raise proof_missing_error()
    if verification.status == Status.USED:
        raise _proof_error("identity.proof_used",
                           "استُخدم هذا التحقق من قبل. تحقق من هويتك عبر نفاذ مرة أخرى.",
                           "This verification was already used. Verify with Nafath again.")
    if verification.status == Status.EXPIRED or clock.now() >= verification.expires_at:
        raise _proof_error("identity.proof_expired",
                           "انتهت مهلة التحقق. تحقق من هويتك عبر نفاذ مرة أخرى.",
                           "The verification has expired. Verify with Nafath again.")
    return verification


def identity_proof_use(*, token, purpose: str) -> IdentityVerification:
    """Spend the proof (inside the caller's transaction, so a later refusal undoes it)."""
    verification = identity_proof_check(token=token, purpose=purpose, lock=True)
    return identity_verification_status_change(verification=verification, to=Status.USED)
