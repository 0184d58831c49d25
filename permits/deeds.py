"""The deed registry: what the Ministry of Justice's deed check answers for a deed number.

The portal asks one question — "what does deed N say?" — through `deed_registry()`, which
returns the class the PERMITS_DEED_REGISTRY setting names. The local stand-in reads
permits.LocalDeed rows (demo and tests); the real service is one more class with the same
method, and nothing else changes.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from amanah.identity import digits_normalise

from .models import LocalDeed

# Electronic deeds carry 12 digits; older ones fewer. Anything else cannot be a deed number.
DEED_NUMBER_PATTERN = re.compile(r"\d{1,20}")


@dataclass(frozen=True)
class DeedRecord:
    """A deed as the registry states it."""

    number: str
    date: dt.date
    owner_id: str  # a national ID / iqama, or an establishment's unified number
    owner_name: str
    municipality_code: str
    district_code: str
    plan_number: str
    parcel_number: str
    area_m2: Decimal
    zone: str
    is_active: bool


class DeedRegistryUnavailable(Exception):
    """The registry could not answer now (a remote service down or timing out)."""


class DeedRegistry(Protocol):
    def deed_lookup(self, *, deed_number: str) -> DeedRecord | None:
        """The deed with this number, or None when the registry knows no such deed.
        Raises DeedRegistryUnavailable when it cannot tell."""


class LocalDeedRegistry:
    """The stand-in registry: the permits.LocalDeed table."""

    def deed_lookup(self, *, deed_number: str) -> DeedRecord | None:
        deed = LocalDeed.objects.filter(deed_number=deed_number).first()
        if deed is None:
            return None
        return DeedRecord(
            number=deed.deed_number, date=deed.deed_date, owner_id=deed.owner_id,
            owner_name=deed.owner_name_ar, municipality_code=deed.municipality_code,
            district_code=deed.district_code, plan_number=deed.plan_number,
            parcel_number=deed.parcel_number, area_m2=deed.area_m2, zone=deed.zone,
            is_active=deed.is_active)


def deed_registry() -> DeedRegistry:
    """The registry the settings name (PERMITS_DEED_REGISTRY)."""
    return import_string(settings.PERMITS_DEED_REGISTRY)()


def deed_number_normalise(value: str) -> str | None:
    """A deed number as the registry stores it (ASCII digits, no spaces or dashes), or None
    when what was typed cannot be one."""
    number = re.sub(r"[\s\-]", "", digits_normalise(value or ""))
    return number if DEED_NUMBER_PATTERN.fullmatch(number) else None
