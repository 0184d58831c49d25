"""Staff second factor: a TOTP authenticator (django-otp) and ten single-use recovery codes.

Staff are every signed-in account that is not only a citizen: accounts without a person,
and anyone holding a staff role, is_staff or superuser.
"""

import secrets

from django.db import transaction
from django_otp import devices_for_user, user_has_device, verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from amanah.errors import DomainError
from amanah.models import RecoveryCode, RecoveryCodeDevice
from amanah.permissions import is_staff_member, person_for_user

from .hashing import recovery_code_hash

RECOVERY_CODE_COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread on paper


def needs_second_factor(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (user.is_superuser or user.is_staff or is_staff_member(user)
            or person_for_user(user) is None)


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def recovery_codes_issue(*, user) -> list[str]:
    """Ten new recovery codes (the old ones stop working); returned once, stored hashed."""
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=recovery_code_hash(device_id=device.pk, code=c))
        for c in codes)
    return codes


@transaction.atomic
def totp_device_pending(*, user) -> TOTPDevice:
    """The authenticator being enrolled (made once, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def _wrong_code() -> DomainError:
    return DomainError("second_factor.wrong_code",
                       "الرمز غير صحيح أو استُخدم من قبل. انتظر الرمز التالي وحاول مرة أخرى.",
                       "The code is not correct or was already used. Wait for the next code "
                       "and try again.", field="token")


@transaction.atomic
def totp_enrol_confirm(*, user, token: str) -> tuple[TOTPDevice, list[str]]:
    """The first right code from the new authenticator confirms it; recovery codes are made."""
    device = TOTPDevice.objects.select_for_update().filter(
        user=user, confirmed=False).order_by("pk").first()
    if device is None or not device.verify_token("".join(token.split())):
        raise _wrong_code()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return device, recovery_codes_issue(user=user)


def second_factor_verify(*, user, token: str):
    """The device (authenticator, else recovery codes) that accepts `token`; refused otherwise.
    A TOTP code works once (django-otp remembers the last time step) and failures slow down
    further tries (django-otp's throttling)."""
    token = "".join(token.split())
    if not token or len(token) > 16:
        raise _wrong_code()
    for device in sorted(devices_for_user(user, confirmed=True),
                         key=lambda d: not isinstance(d, TOTPDevice)):
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            return verified
    raise _wrong_code()
