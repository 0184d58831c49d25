"""Permits: their numbers, their one status writer, their events, and issuing one."""

import calendar
import datetime as dt

from django.db import transaction

from amanah import clock
from amanah.dates import business_date, hijri_year
from amanah.dispatch import task_on_commit
from amanah.errors import Conflict, NotFound
from amanah.models import Municipality

from ..enums import PermitEventKind, PermitStatus
from ..models import Application, Permit, PermitCounter, PermitEvent, PermitVersion

P = PermitStatus

PERMIT_MOVES: dict[str, frozenset[str]] = {
    P.VALID: frozenset({P.SUSPENDED, P.CANCELLED, P.EXPIRED}),
    P.SUSPENDED: frozenset({P.VALID, P.CANCELLED, P.EXPIRED}),
    # A permit renewed late (inside the late-renewal window) is valid again.
    P.EXPIRED: frozenset({P.VALID}),
    P.CANCELLED: frozenset(),
}


def months_add(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the 31st of a shorter month becomes its last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def permit_valid_until(*, start: dt.date, validity_months: int) -> dt.date | None:
    """The last day a permit starting on `start` is valid; None when the type never expires."""
    if not validity_months:
        return None
    return months_add(start, validity_months) - dt.timedelta(days=1)


def permit_number_next(*, municipality: Municipality, prefix: str, on: dt.date) -> str:
    """Next number in the municipality's Hijri-year series. The counter row stays locked until
    the issuing transaction commits, so a rolled-back issue gives its number back: no gaps."""
    year = hijri_year(on)
    PermitCounter.objects.bulk_create(
        [PermitCounter(municipality=municipality, hijri_year=year, last_number=0)],
        ignore_conflicts=True)
    counter = PermitCounter.objects.select_for_update().get(municipality=municipality,
                                                           hijri_year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{prefix}-{municipality.code}-{year}-{counter.last_number:06d}"


def permit_not_found() -> NotFound:
    return NotFound("permits.permit_not_found", "الرخصة غير موجودة.", "There is no such permit.")


def permit_lock(permit_id: int) -> Permit:
    permit = (Permit.objects.select_for_update(of=("self",))
              .select_related("permit_type", "municipality").filter(pk=permit_id).first())
    if permit is None:
        raise permit_not_found()
    return permit


def permit_event_append(permit: Permit, *, kind: str, actor=None, at: dt.datetime | None = None,
                        from_status: str = "", to_status: str = "", reason: str = "",
                        payload: dict | None = None) -> PermitEvent:
    """Append the next link of the permit's chain; the caller holds the row lock (or is
    creating the row) and saves the permit's chain head in the same transaction."""
    event = PermitEvent(kind=kind, actor=actor if getattr(actor, "pk", None) else None,
                        at=at or clock.now(), from_status=from_status, to_status=to_status,
                        reason=reason or "", payload=payload or {}, version=permit.version)
    event.link(permit)
    if permit.pk is not None:
        event.permit = permit
        event.save()
    return event


def permit_save(permit: Permit, fields: list[str]) -> None:
    permit.row_version += 1
    permit.save(update_fields=[*fields, "last_event_seq", "last_event_hash", "row_version"])


def permit_status_change(*, permit: Permit, to_status: str, kind: str, actor=None,
                         reason: str = "", payload: dict | None = None,
                         extra_fields: list[str] = ()) -> PermitEvent:
    """The one writer of Permit.status; the caller holds the row lock (permit_lock) and may
    have changed other columns (`extra_fields`, e.g. valid_until on a late renewal) that are
    saved with it."""
    from_status = permit.status
    if to_status not in PERMIT_MOVES.get(from_status, frozenset()):
        raise Conflict("permits.permit_status_refused",
                       "لا يمكن تنفيذ هذا الإجراء على الرخصة في حالتها الحالية.",
                       "This cannot be done to the permit in its current status.")
    permit.status = to_status
    event = permit_event_append(permit, kind=kind, actor=actor, from_status=from_status,
                                to_status=to_status, reason=reason, payload=payload)
    permit_save(permit, ["status", *extra_fields])
    return event


def application_details(application: Application) -> dict:
    """The answers a type prints on the permit (its fields marked `is_detail`), by key."""
    keys = [f.key for f in application.permit_type.fields.all() if f.is_detail]
    return {key: application.answers[key] for key in keys if key in application.answers}


def _validity_months(application: Application) -> int:
    """The type's validity, times the years chosen where the type lets the applicant choose
    (a licence for 1–3 years)."""
    from .fees import validity_years

    months = application.permit_type.validity_months
    return months * (validity_years(application.permit_type, application.answers) or 1)


@transaction.atomic
def permit_issue(*, application: Application, actor=None,
                 valid_from: dt.date | None = None) -> Permit:
    """Issue the permit a new application was approved for: numbered, valid from today (or
    from `valid_from`, an earlier day: emergency work covered from the day it started) for the
    type's validity, version 1; its certificate is made after the commit. The caller holds the
    application's lock and moves its status."""
    permit_type = application.permit_type
    today = business_date(clock.now())
    # Never later than the day of issue: a permit is not issued ahead of its validity.
    start = min(valid_from, today) if valid_from is not None else today
    permit = Permit(
        number=permit_number_next(municipality=application.municipality,
                                  prefix=permit_type.number_prefix, on=today),
        permit_type=permit_type, municipality=application.municipality,
        holder_person=application.owner_person,
        holder_establishment=application.owner_establishment, parcel=application.parcel,
        application=application, details=application_details(application), issued_on=today,
        valid_from=start,
        valid_until=permit_valid_until(start=start,
                                       validity_months=_validity_months(application)))
    issued = permit_event_append(permit, kind=PermitEventKind.ISSUED, actor=actor,
                                 to_status=permit.status,
                                 payload={"application": application.reference})
    permit.save()
    issued.permit = permit
    issued.save()
    PermitVersion.objects.create(permit=permit, version=1, details=permit.details,
                                 valid_until=permit.valid_until, application=application)
    # Made once and stored; the task is idempotent and a sweeper finds permits without one.
    task_on_commit("permits.certificate_ensure", permit_id=permit.pk)
    return permit
