"""The domain's port to the biller network (spec §2): bills go out as plain `BillRecord`s and
come back as per-bill `UploadStatus`es; how they travel is the implementation's business.

Implementations are registered by name from the composition root (`payments.apps`), and
`PAYMENTS_GATEWAY` chooses one: `sadad` (HTTP to SADAD, `payments.sadad.gateway`) or
`simulator` (the built-in SADAD, installed only where demo mode is allowed). The domain imports
this module only, never an implementation.
"""

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .records import BillRecord, UploadStatus


class GatewayUnavailable(Exception):
    """The network did not give a usable answer (transport error, another HTTP status, an
    unreadable body): the upload is retried later with the same RqUID."""


class BillerGateway(Protocol):
    def upload(self, *, rq_uid: str, records: list[BillRecord],
               client_dt: dt.datetime) -> list[UploadStatus]: ...


GatewayFactory = Callable[[], BillerGateway]

_factories: dict[str, GatewayFactory] = {}
# Names known to the project whose implementation is not installed here, and why.
_absent: dict[str, str] = {}


def gateway_register(name: str, factory: GatewayFactory) -> None:
    """Makes `factory` the implementation of PAYMENTS_GATEWAY=`name` (idempotent)."""
    _factories[name] = factory
    _absent.pop(name, None)


def gateway_absent_register(name: str, why: str) -> None:
    """A known gateway that is not installed here: choosing it says `why` instead of
    'unknown'."""
    if name not in _factories:
        _absent[name] = why


def _unavailable(name: str) -> ImproperlyConfigured:
    if name in _absent:
        return ImproperlyConfigured(f"PAYMENTS_GATEWAY={name} is not available here: "
                                    f"{_absent[name]}")
    known = ", ".join(sorted(_factories)) or "none"
    return ImproperlyConfigured(f"PAYMENTS_GATEWAY={name!r} is not a biller gateway "
                                f"(known here: {known})")


def gateway_configured_check() -> None:
    """At start-up: PAYMENTS_GATEWAY must name a gateway installed here, or nothing starts."""
    if settings.PAYMENTS_GATEWAY not in _factories:
        raise _unavailable(settings.PAYMENTS_GATEWAY)


def gateway_get() -> BillerGateway:
    """The gateway PAYMENTS_GATEWAY names, built from the current settings."""
    factory = _factories.get(settings.PAYMENTS_GATEWAY)
    if factory is None:
        raise _unavailable(settings.PAYMENTS_GATEWAY)
    return factory()
