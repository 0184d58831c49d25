"""Where planned inspections come from, besides complaints:

- a sample of an instantly issued licence (permits' sampling hook hands it over here);
- a re-inspection when a warning's correction is due (once per warning);
- the routine plan: licensed establishments not visited for longer than their risk band
  allows, highest risk first, a daily quota per municipality.

Each is idempotent: run twice, it finds what it planned the first time.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q

from amanah import clock
from amanah.dates import business_date
from amanah.models import EServiceRollout, Establishment, Municipality
from amanah.selectors import VISIBLE_STATES, eservice_is_available
from permits.public import PermitFacts, establishment_licences, permit_facts

from .compliance import compliance_points
from .enums import (
    InspectionKind,
    InspectionStatus,
    LineStatus,
    NoticeKind,
    OffenderKind,
    ViolationEventKind,
    ViolationStatus,
)
from .fines import offender_size
from .models import Checklist, Inspection, Violation, ViolationEvent
from .services.inspections import VIOLATION_ESERVICE, inspection_plan
from .services.notices import OFFENDER_FIELDS
from .services.records import violation_event_append, violation_lock, violation_save

logger = logging.getLogger(__name__)

ROUTINE_PER_DAY_DEFAULT = 20


def checklist_for(activity_codes) -> Checklist | None:
    """The checklist of the first of the activities that has one, else the general one."""
    active = Checklist.objects.filter(is_active=True)
    by_activity = {c.activity_code: c for c in active.filter(
        activity_code__in=[code for code in activity_codes if code])}
    for code in activity_codes:
        if code in by_activity:
            return by_activity[code]
    return active.filter(is_general=True).order_by("code").first()


def licence_offender(facts: PermitFacts) -> dict:
    """The Offender values of a licence or permit's holder, from its facts."""
    values = {"permit_number": facts.number, "activity_codes": list(facts.activity_codes),
              "district": facts.district, "latitude": facts.latitude,
              "longitude": facts.longitude, "offender_kind": OffenderKind.PERMIT,
              "offender_key": f"PM:{facts.number}", "size": offender_size(None)}
    if facts.holder_establishment_id:
        establishment = Establishment.objects.get(pk=facts.holder_establishment_id)
        values.update(offender_kind=OffenderKind.ESTABLISHMENT, establishment=establishment,
                      offender_key=f"E:{establishment.unified_number}",
                      size=offender_size(establishment.size or ""))
    elif facts.holder_person_id:
        values["person_id"] = facts.holder_person_id
    return values


# --- samples of instant licences ----------------------------------------------------------------

def sample_inspection_take(sample) -> str | None:
    """permits' sampling handler: plan a SAMPLE inspection of the licence by the sample's due
    date and return its number; None (not taken) where violations are not in service or no
    checklist applies. Runs inside permits' transaction, under the sample's lock."""
    facts = permit_facts(sample.permit.number)
    if facts is None:
        return None
    existing = (Inspection.objects.filter(kind=InspectionKind.SAMPLE,
                                          source_reference=facts.number)
                .exclude(status=InspectionStatus.CANCELLED).values_list("number", flat=True)
                .first())
    if existing:
        return existing
    if not eservice_is_available(eservice=VIOLATION_ESERVICE,
                                 municipality_id=facts.municipality_id):
        return None
    checklist = checklist_for(facts.activity_codes)
    if checklist is None:
        logger.warning("no checklist for the sample of %s", facts.number)
        return None
    inspection = inspection_plan(
        municipality=Municipality.objects.get(pk=facts.municipality_id),
        kind=InspectionKind.SAMPLE, checklist=checklist, planned_for=sample.due_by,
        offender=licence_offender(facts), source_reference=facts.number)
    return inspection.number


# --- re-inspections after a warning -------------------------------------------------------------

def _warnings_due(today: dt.date):
    return (Violation.objects.filter(kind=NoticeKind.WARNING, status=ViolationStatus.WARNED,
                                     correction_due__lte=today)
            .exclude(pk__in=ViolationEvent.objects.filter(
                kind=ViolationEventKind.REINSPECTION_PLANNED).values("violation_id"))
            .order_by("correction_due", "pk"))


@transaction.atomic
def reinspection_plan(*, violation_id: int, today: dt.date | None = None) -> Inspection | None:
    """Plan the re-inspection of one warning whose correction is due, once: the warned items
    only, on the correction date, for the inspector who warned."""
    today = today or business_date(clock.now())
    warning = violation_lock(violation_id)
    if (warning is None or warning.kind != NoticeKind.WARNING
            or warning.status != ViolationStatus.WARNED or warning.correction_due is None
            or warning.correction_due > today
            or warning.events.filter(kind=ViolationEventKind.REINSPECTION_PLANNED).exists()):
        return None
    codes = list(warning.lines.filter(status=LineStatus.WARNED).order_by("id")
                 .values_list("item_code", flat=True))
    offender = {name: getattr(warning, name) for name in OFFENDER_FIELDS}
    inspection = inspection_plan(
        municipality=warning.municipality, kind=InspectionKind.REINSPECTION,
        checklist=warning.inspection.checklist, planned_for=warning.correction_due,
        offender=offender, inspector=warning.inspector, follows_notice=warning,
        only_item_codes=codes, source_reference=warning.number)
    violation_event_append(warning, kind=ViolationEventKind.REINSPECTION_PLANNED,
                           payload={"inspection": inspection.number, "items": codes,
                                    "planned_for": warning.correction_due.isoformat()})
    violation_save(warning, [])
    return inspection


def reinspections_plan(*, today: dt.date | None = None) -> int:
    """Daily (and its own sweeper): a re-inspection for every warning whose correction date
    has come and has none yet. Returns how many were planned."""
    today = today or business_date(clock.now())
    planned = 0
    for violation_id in list(_warnings_due(today).values_list("pk", flat=True)):
        if reinspection_plan(violation_id=violation_id, today=today) is not None:
            planned += 1
    return planned


# --- the routine plan ---------------------------------------------------------------------------

def _last_visits(establishment_ids: list[int]) -> dict[int, dt.date]:
    """When each establishment was last inspected or is planned to be (cancelled ones aside)."""
    rows = (Inspection.objects.filter(establishment_id__in=establishment_ids)
            .exclude(status=InspectionStatus.CANCELLED).values("establishment_id")
            .annotate(last_planned=Max("planned_for"), last_created=Max("created_at"),
                      last_submitted=Max("submitted_at")))
    last: dict[int, dt.date] = {}
    for row in rows:
        days = [row["last_planned"]]
        days += [business_date(moment) for moment in (row["last_created"],
                                                      row["last_submitted"]) if moment]
        last[row["establishment_id"]] = max(d for d in days if d)
    return last


def routine_plan_make(*, on: dt.date | None = None) -> int:
    """Plan today's ROUTINE inspections in each municipality where violations are in service:
    establishments with a valid licence there, not visited within their band's interval,
    highest risk (lowest points) first, at most VIOLATIONS_ROUTINE_PER_DAY per municipality.
    Returns how many were planned."""
    on = on or business_date(clock.now())
    quota = int(getattr(settings, "VIOLATIONS_ROUTINE_PER_DAY", ROUTINE_PER_DAY_DEFAULT))
    municipality_ids = sorted(set(EServiceRollout.objects.filter(
        eservice__code=VIOLATION_ESERVICE, state__in=VISIBLE_STATES)
        .values_list("municipality_id", flat=True)))
    planned = 0
    for municipality in Municipality.objects.filter(pk__in=municipality_ids).order_by("pk"):
        establishment_ids = list(Establishment.objects.filter(
            Q(municipality=municipality) | Q(municipality__isnull=True))
            .order_by("pk").values_list("pk", flat=True))
        last = _last_visits(establishment_ids)
        due = []
        for establishment_id in establishment_ids:
            licence = next((f for f in establishment_licences(establishment_id)
                            if f.is_valid and f.municipality_id == municipality.pk), None)
            if licence is None:
                continue
            score = compliance_points(establishment_id, on)
            visited = last.get(establishment_id)
            if visited is not None and visited > on - dt.timedelta(days=score.interval_days):
                continue
            due.append((score.points, visited or dt.date.min, establishment_id, licence))
        due.sort(key=lambda row: row[:3])
        for _points, _visited, _establishment_id, licence in due[:quota]:
            checklist = checklist_for(licence.activity_codes)
            if checklist is None:
                continue
            inspection_plan(municipality=municipality, kind=InspectionKind.ROUTINE,
                            checklist=checklist, planned_for=on,
                            offender=licence_offender(licence),
                            source_reference=licence.number)
            planned += 1
    return planned
