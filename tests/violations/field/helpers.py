"""Helpers of the field part's tests: the violations world on a fixed day, clients signed in
as someone (staff with the second factor passed), and what the tables hold (to assert that a
refused request wrote nothing)."""

import datetime as dt

from django.test import Client

from amanah.dates import RIYADH
from tests.conftest import otp_session_verify
from tests.samples import jpeg
from violations.models import EvidencePhoto, Finding, Inspection, InspectionEvent, Violation

from ..factories import violations_world

API = "/api/v1/violations/inspections"
TODAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=RIYADH)


def field_world(clock):
    clock.set(TODAY)
    return violations_world()


def signed_in(who, client: Client | None = None) -> Client:
    """A client signed in as a staff user or as a person (world.citizen, world.delegate)."""
    client = client or Client()
    user = getattr(who, "user", who)
    if user is not None:
        client.force_login(user)
        otp_session_verify(client, user)
    return client


def rows() -> dict[str, int]:
    """How many rows each table of inspections and notices holds."""
    return {model.__name__: model.objects.count()
            for model in (Inspection, InspectionEvent, Finding, EvidencePhoto, Violation)}


def photo_file(name: str = "front.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")


def open_body(world, **changes) -> dict:
    return {"municipality": world.municipality.code, "checklist": world.checklist.code,
            "offender_kind": "establishment",
            "unified_number": world.establishment.unified_number,
            "latitude": "26.250000", "longitude": "50.150000", "kind": "complaint",
            "source_reference": "CMP-1", **changes}


def unassigned(inspection):
    """A plan for the municipality, no inspector named yet (the factory names one)."""
    Inspection.objects.filter(pk=inspection.pk).update(inspector=None)
    inspection.refresh_from_db()
    return inspection
