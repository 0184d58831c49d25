"""Known devices: a browser a citizen confirmed by SMS code signs in next time without one.

The browser keeps a signed, long-lived cookie with a random id; the server keeps, per account,
only a keyed hash of it. A cookie copied to another account's sign-in means nothing there.
"""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.crypto import get_random_string, salted_hmac

from amanah import clock
from amanah.enums import AccountEventKind
from amanah.models import AccountEvent, KnownDevice, Person

COOKIE_NAME = "amanah_device"
_SALT = "amanah.known_device"


def _max_age() -> int:
    return settings.KNOWN_DEVICE_DAYS * 24 * 3600


def device_id_from_request(request) -> str | None:
    """The browser's device id, if its cookie is there, ours and not too old."""
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return None
    try:
        return signing.loads(value, salt=_SALT, max_age=_max_age())
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _device_hash(device_id: str) -> str:
    return salted_hmac(_SALT, device_id, algorithm="sha256").hexdigest()


def device_is_known(*, person: Person, device_id: str | None) -> bool:
    if not device_id:
        return False
    return KnownDevice.objects.filter(person=person, device_hash=_device_hash(device_id)).exists()


@transaction.atomic
def known_device_add(*, person: Person, device_id: str | None) -> str:
    """Remember this browser for `person` (a new id when it has none); returns the id."""
    device_id = device_id or get_random_string(32)
    now = clock.now()
    device, created = KnownDevice.objects.get_or_create(
        person=person, device_hash=_device_hash(device_id),
        defaults={"created_at": now, "last_seen_at": now})
    if created:
        AccountEvent.objects.create(person=person, kind=AccountEventKind.DEVICE_CONFIRMED, at=now,
                                    payload={"device": device.pk})
    return device_id


def device_cookie_set(response, device_id: str) -> None:
    response.set_cookie(COOKIE_NAME, signing.dumps(device_id, salt=_SALT), max_age=_max_age(),
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
