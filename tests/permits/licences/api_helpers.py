"""Helpers of the licences API tests (part D): a licensing world on a fixed day, an issued
licence with a sign sub-permit, and a client signed in as someone."""

import datetime as dt

from django.utils import timezone

from amanah.dates import RIYADH
from permits.enums import PermitStatus
from permits.models import Application, Permit

from .factories import GROCERY, licence_issue_make, licence_world

API = "/api/v1/licences"
TODAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=RIYADH)


def api_world(clock):
    """The licence world on 1 December 2026, with a grocery licence (issued that day, its
    application submitted) and a sign permit hanging from it."""
    clock.set(TODAY)
    world = licence_world()
    world.licence = licence_issue_make(world, activities=(GROCERY,))
    Application.objects.filter(pk=world.licence.application_id).update(
        submitted_at=timezone.now())
    world.application = Application.objects.get(pk=world.licence.application_id)
    world.sign = Permit.objects.create(
        number="SG-M910-1448-000001", permit_type=world.signage_type,
        municipality=world.municipality, status=PermitStatus.VALID,
        holder_establishment=world.establishment, parcel=world.parcel, parent=world.licence,
        details={"sign_area_m2": "3.00"}, issued_on=dt.date(2026, 12, 1),
        valid_from=dt.date(2026, 12, 1), valid_until=world.licence.valid_until)
    return world


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client
