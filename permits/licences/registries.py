"""The outside registries a commercial licence is checked against: the Ministry of Commerce
(commercial registrations), the lease platform (Ejar) and the Civil Defence (safety
certificates).

Each is asked one question through a function returning the class its setting names
(PERMITS_COMMERCIAL_REGISTRY, PERMITS_LEASE_REGISTRY, PERMITS_CIVIL_DEFENCE_REGISTRY), as
permits/deeds.py does for deeds. The local stand-ins read permits' Local* rows (demo and
tests); a real service is one more class with the same method. A registry that cannot answer
raises RegistryUnavailable: the checks then refuse with "try again later", never pass.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from ..models import LocalCivilDefenceCertificate, LocalCommercialRegistration, LocalLease


class RegistryUnavailable(Exception):
    """The registry could not answer now (a remote service down or timing out)."""


@dataclass(frozen=True)
class CommercialRegistrationRecord:
    cr_number: str
    unified_number: str  # the establishment it is registered to
    name: str
    status: str  # permits.enums.RegistrationStatus
    activity_codes: tuple[str, ...]
    expires_on: dt.date


@dataclass(frozen=True)
class LeaseRecord:
    contract_number: str
    lessee_id: str  # the lessee's unified number (or a person's ID)
    deed_number: str  # the deed of the leased place
    starts_on: dt.date
    ends_on: dt.date
    is_active: bool  # False once terminated


@dataclass(frozen=True)
class CivilDefenceRecord:
    number: str
    unified_number: str
    deed_number: str
    valid_until: dt.date
    is_active: bool


class CommercialRegistry(Protocol):
    def registration_lookup(self, *, cr_number: str) -> CommercialRegistrationRecord | None:
        """The registration, or None when there is none; RegistryUnavailable when it cannot
        tell."""


class LeaseRegistry(Protocol):
    def lease_lookup(self, *, contract_number: str) -> LeaseRecord | None:
        """The lease contract, or None; RegistryUnavailable when it cannot tell."""


class CivilDefenceRegistry(Protocol):
    def certificate_lookup(self, *, number: str) -> CivilDefenceRecord | None:
        """The certificate, or None; RegistryUnavailable when it cannot tell."""


class LocalCommercialRegistry:
    """The stand-in: permits.LocalCommercialRegistration."""

    def registration_lookup(self, *, cr_number: str) -> CommercialRegistrationRecord | None:
        row = LocalCommercialRegistration.objects.filter(cr_number=cr_number).first()
        if row is None:
            return None
        return CommercialRegistrationRecord(
            cr_number=row.cr_number, unified_number=row.unified_number, name=row.name_ar,
            status=row.status, activity_codes=tuple(str(c) for c in row.activity_codes or ()),
            expires_on=row.expires_on)


class LocalLeaseRegistry:
    """The stand-in: permits.LocalLease."""

    def lease_lookup(self, *, contract_number: str) -> LeaseRecord | None:
        row = LocalLease.objects.filter(contract_number=contract_number).first()
        if row is None:
            return None
        return LeaseRecord(contract_number=row.contract_number, lessee_id=row.lessee_id,
                           deed_number=row.deed_number, starts_on=row.starts_on,
                           ends_on=row.ends_on, is_active=row.is_active)


class LocalCivilDefenceRegistry:
    """The stand-in: permits.LocalCivilDefenceCertificate."""

    def certificate_lookup(self, *, number: str) -> CivilDefenceRecord | None:
        row = LocalCivilDefenceCertificate.objects.filter(number=number).first()
        if row is None:
            return None
        return CivilDefenceRecord(number=row.number, unified_number=row.unified_number,
                                  deed_number=row.deed_number, valid_until=row.valid_until,
                                  is_active=row.is_active)


def commercial_registry() -> CommercialRegistry:
    return import_string(settings.PERMITS_COMMERCIAL_REGISTRY)()


def lease_registry() -> LeaseRegistry:
    return import_string(settings.PERMITS_LEASE_REGISTRY)()


def civil_defence_registry() -> CivilDefenceRegistry:
    return import_string(settings.PERMITS_CIVIL_DEFENCE_REGISTRY)()
