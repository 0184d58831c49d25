"""Which keys sign what (spec §1 "keys"), in one place.

SADAD signs with SADAD_INBOUND_KEYS, the portal with SADAD_OUTBOUND_KEY. The simulated SADAD is
not SADAD: it signs with SADAD_SIMULATOR_KEY, which the portal accepts as SADAD's only in demo
mode (the training portal and `make run`; production settings refuse demo mode outside a
training deployment), so a portal that is not a training one can never be paid by it.
"""

from django.apps import apps
from django.conf import settings


def inbound_keys() -> list[str]:
    """The keys a notification or a reconciliation file from SADAD may be signed with."""
    keys = list(settings.SADAD_INBOUND_KEYS)
    if (settings.DEMO_MODE and settings.SADAD_SIMULATOR_KEY
            and apps.is_installed(settings.SADAD_SIMULATOR_APP)):
        keys.append(settings.SADAD_SIMULATOR_KEY)
    return keys


def simulator_key() -> str:
    """The key the simulated SADAD signs its messages with (never one SADAD signs with)."""
    return settings.SADAD_SIMULATOR_KEY
