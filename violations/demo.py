"""Demo data for violations (issue 11), seeded after the licence demo: the catalogue, the
"violation" e-service's start page, and, in Khobar (a pilot municipality), a few records a demo
user meets:

- a warning to Gulf Taste Foods (the café licensed in the licence demo): workers without valid
  health certificates, to correct within 14 days;
- a fine to the demo citizen Abdullah Aldossary for dumping waste outside the places provided,
  awaiting the inspection head's approval;
- a clean routine inspection of the same café.

The inspections are written and submitted as the inspection factories of the tests do (numbers,
events and status through violations.services.records) and their notices are made by
notices_record, the service inspection_submit calls. What the approval and inspections parts
add (the evidence seal, photos, the approval case, the fine's bill) is not seeded here.

Each record is found by its source reference ("demo:…"): a second run writes nothing. The
"violation" e-service's rollout is the amanah demo's (pilot in the pilots, off elsewhere).
"""

import datetime as dt

from django.db import transaction

from amanah import clock
from amanah.dates import business_date
from amanah.demo import eservice_start_page_ensure
from amanah.enums import StaffRole
from amanah.identity import luhn_check_digit
from amanah.models import Establishment, Municipality, Person, User
from permits.public import establishment_licences

from .catalogue import Log, violation_catalogue_seed
from .enums import Answer, InspectionEventKind, InspectionKind, InspectionStatus, OffenderKind
from .fines import offender_size
from .models import Checklist, Finding, Inspection
from .services.notices import notices_record
from .services.records import (
    inspection_event_append,
    inspection_lock,
    inspection_status_change,
    number_next,
)

MUNICIPALITY = "KHB"
ESTABLISHMENT = "7002000011"  # Gulf Taste Foods, the café of the licence demo
CITIZEN = "101234567"  # Abdullah Aldossary (ID payload; the check digit is added)
# The offender's "my violations" page, built by the offender part.
START_PAGE = "violations:mine"

# source reference, offender ("establishment" | "citizen"), kind, checklist, "no" items,
# what the inspector noted, days since planned
INSPECTIONS = [
    ("demo:warning", "establishment", InspectionKind.ROUTINE, "cafe", {
        "HL-002": "ثلاثة عمال دون شهادات صحية سارية / three workers without valid health "
                  "certificates"}, 0),
    ("demo:fine", "citizen", InspectionKind.COMPLAINT, "general-municipal", {
        "PS-002": "أكياس نفايات منزلية على الرصيف المقابل / household waste bags left on the "
                  "pavement opposite"}, 0),
    ("demo:clean", "establishment", InspectionKind.ROUTINE, "cafe", {}, 120),
]


def seed(*, log: Log) -> None:
    violation_catalogue_seed(log=log)
    eservice_start_page_ensure(code="violation", url_name=START_PAGE, log=log)
    municipality = Municipality.objects.filter(code=MUNICIPALITY).first()
    inspector = _staff(municipality, StaffRole.INSPECTOR) if municipality else None
    offenders = {"establishment": _establishment_offender(),
                 "citizen": _citizen_offender()}
    made = []
    for reference, offender, kind, checklist_code, no, days_ago in INSPECTIONS:
        checklist = Checklist.objects.filter(code=checklist_code).first()
        if municipality is None or inspector is None or offenders[offender] is None \
                or checklist is None:
            made.append(f"{reference} skipped (not seeded)")
            continue
        if Inspection.objects.filter(municipality=municipality,
                                     source_reference=reference).exists():
            made.append(f"{reference} kept")
            continue
        notices = _inspection_submit(municipality=municipality, inspector=inspector,
                                     reference=reference, kind=kind, checklist=checklist,
                                     offender=offenders[offender], no=no, days_ago=days_ago)
        made.append(f"{reference} made ({', '.join(n.number for n in notices) or 'clean'})")
    log("demo violations: " + "; ".join(made))


def _staff(municipality: Municipality, role: str) -> User | None:
    return (User.objects.filter(memberships__department__municipality=municipality,
                                memberships__department__code="inspection",
                                memberships__role=role, memberships__is_active=True)
            .order_by("pk").first())


def _establishment_offender() -> dict | None:
    establishment = Establishment.objects.filter(unified_number=ESTABLISHMENT).first()
    if establishment is None:
        return None
    licences = [f for f in establishment_licences(establishment.pk) if f.is_valid]
    licence = licences[0] if licences else None
    return {"offender_kind": OffenderKind.ESTABLISHMENT,
            "offender_key": f"E:{establishment.unified_number}",
            "establishment": establishment, "size": offender_size(establishment.size),
            "permit_number": licence.number if licence else "",
            "activity_codes": licence.activity_codes if licence else [],
            "place_description": establishment.name_ar,
            "district": licence.district if licence else "",
            "latitude": licence.latitude if licence else None,
            "longitude": licence.longitude if licence else None}


def _citizen_offender() -> dict | None:
    person = Person.objects.filter(national_id=CITIZEN + luhn_check_digit(CITIZEN)).first()
    if person is None:
        return None
    return {"offender_kind": OffenderKind.PERSON, "offender_key": f"P:{person.national_id}",
            "person": person, "size": offender_size(None),
            "place_description": "حي العقربية، شارع الأمير فيصل بن فهد",
            "district": "aqrabiyah"}


@transaction.atomic
def _inspection_submit(*, municipality, inspector, reference, kind, checklist, offender, no,
                       days_ago):
    today = business_date(clock.now())
    inspection = Inspection(
        number=number_next(municipality=municipality, series="INS", on=today),
        municipality=municipality, kind=kind, status=InspectionStatus.PLANNED,
        checklist=checklist, inspector=inspector,
        planned_for=today - dt.timedelta(days=days_ago), source_reference=reference,
        **offender)
    event = inspection_event_append(inspection, kind=InspectionEventKind.PLANNED,
                                    actor=inspector, to_status=InspectionStatus.PLANNED)
    inspection.save()
    event.inspection = inspection
    event.save()
    inspection = inspection_lock(inspection.pk)
    inspection.started_at = clock.now()
    inspection_status_change(inspection=inspection, to_status=InspectionStatus.DRAFT,
                             kind=InspectionEventKind.STARTED, actor=inspector,
                             extra_fields=["started_at"])
    # A person is asked only what concerns them; a shop every question of its checklist.
    person = offender["offender_kind"] == OffenderKind.PERSON
    Finding.objects.bulk_create([
        Finding(inspection=inspection, question=question, item_code=question.item_code,
                answer=(Answer.NO if question.item_code in no
                        else Answer.NOT_APPLICABLE if person else Answer.YES),
                note=no.get(question.item_code, ""))
        for question in checklist.questions.order_by("position")])
    inspection = inspection_lock(inspection.pk)
    inspection.submitted_at = clock.now()
    inspection_status_change(inspection=inspection, to_status=InspectionStatus.SUBMITTED,
                             kind=InspectionEventKind.SUBMITTED, actor=inspector,
                             extra_fields=["submitted_at"])
    return notices_record(inspection=inspection, actor=inspector)
