"""Utility excavation: the emergency path and the clearance certificate.

Emergency: a contractor who had to dig at once (a burst main) files afterwards, within the
type's `emergency_hours` of starting. The draft says so (Application.is_emergency and
work_started_at); submission refuses a start in the future, a filing past the window (naming
the deadline in both calendars) and the flag on a type that has no emergency path. The case
opens urgent, and the permit is valid from the day the digging started, so the record shows
the digging was covered.

Clearance: once the road is reinstated, the contractor's side books the reinstatement
inspection of a valid excavation permit (REVIEW's booking, purpose "reinstatement", the type's
clearance checklist). When the inspector records it passed, a clearance certificate is issued
in the same transaction: a permit of type "excavation_clearance" whose parent is the
excavation permit, numbered and certified like any permit. Only one per excavation permit:
checked under the excavation permit's row lock (lock order: application, then permit).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from amanah import clock
from amanah.dates import RIYADH, business_date, dual_date_format
from amanah.dispatch import task_on_commit
from amanah.errors import Conflict, DomainError, NotFound
from workflow.enums import CasePriority

from ..enums import (
    ApplicationEventKind,
    InspectionOutcome,
    InspectionPurpose,
    InspectionStatus,
    PartyRole,
    PermitEventKind,
    PermitStatus,
)
from ..models import (
    Application,
    Inspection,
    InspectionSlot,
    Permit,
    PermitType,
    PermitVersion,
)
from ..notify import party_sms_schedule
from ..prerequisites import Refusal
from .applications import application_event_append, application_save
from .parties import application_for_filer
from .permits import permit_event_append, permit_lock, permit_number_next

CLEARANCE_TYPE_CODE = "excavation_clearance"


# --- Emergency filing -------------------------------------------------------------------------


def emergency_deadline(application: Application) -> dt.datetime | None:
    """The last moment an emergency application may be submitted: the type's hours after the
    digging started."""
    if application.work_started_at is None:
        return None
    return application.work_started_at + dt.timedelta(
        hours=application.permit_type.emergency_hours)


def _when(moment: dt.datetime, language: str) -> str:
    return f"{moment.astimezone(RIYADH):%H:%M} {dual_date_format(moment, language)}"


def _emergency_page(application: Application) -> str:
    return reverse("permits:excavation_emergency", args=[application.reference])


def _emergency_problems(application: Application, *, is_emergency: bool,
                        started: dt.datetime | None) -> list[Refusal]:
    if not is_emergency:
        return []
    link = _emergency_page(application)
    permit_type = application.permit_type
    if not permit_type.emergency_allowed:
        return [Refusal("permits.emergency_not_allowed",
                        "لا يُقبل التقديم الطارئ بعد بدء الأعمال لهذه الخدمة.",
                        "This service has no emergency filing after the work started.",
                        link=link, field="is_emergency")]
    if started is None:
        return [Refusal("permits.emergency_start_required",
                        "أدخل تاريخ ووقت بدء الحفر الطارئ.",
                        "Enter the date and time the emergency digging started.",
                        link=link, field="work_started_at")]
    now = clock.now()
    if started > now:
        return [Refusal("permits.emergency_start_future",
                        "وقت بدء الحفر في المستقبل؛ التقديم الطارئ لأعمال بدأت فعلاً.",
                        "The digging start is in the future; the emergency path is for work "
                        "that has already started.", link=link, field="work_started_at")]
    hours = permit_type.emergency_hours
    deadline = started + dt.timedelta(hours=hours)
    if now > deadline:
        return [Refusal("permits.emergency_too_late",
                        f"انتهت مهلة التقديم الطارئ ({hours} ساعة من بدء الحفر) في "
                        f"{_when(deadline, 'ar')}؛ قدّم طلب حفر عاديًا.",
                        f"The emergency filing window ({hours} hours from the start of the "
                        f"digging) closed at {_when(deadline, 'en')}; file an ordinary "
                        "excavation application.", link=link, field="work_started_at")]
    return []


def emergency_refusals(application: Application) -> list[Refusal]:
    """Why the application's emergency claim cannot stand now (checked at submission): a type
    with no emergency path, no start time, a start in the future, or the filing window
    closed. Reads only; an application that is not an emergency has nothing to refuse."""
    return _emergency_problems(application, is_emergency=application.is_emergency,
                               started=application.work_started_at)


@transaction.atomic
def application_emergency_set(*, application_id: int, user, is_emergency: bool,
                              work_started_at: dt.datetime | None = None,
                              expected_version: int | None = None) -> Application:
    """The filer's side of a draft says the work is an emergency that started at
    `work_started_at` (or that it is not); refused, as submission would refuse it, on a type
    without an emergency path, for a start in the future or outside the filing window."""
    application = application_for_filer(application_id=application_id, user=user,
                                        expected_version=expected_version)
    if work_started_at is not None and work_started_at.tzinfo is None:
        raise DomainError("permits.emergency_start_invalid", "وقت بدء الحفر غير صحيح.",
                          "The digging start time is not valid.", field="work_started_at")
    refusals = _emergency_problems(application, is_emergency=bool(is_emergency),
                                   started=work_started_at)
    if refusals:
        first = refusals[0]
        raise DomainError(first.code, first.reason_ar, first.reason_en, field=first.field)
    application.is_emergency = bool(is_emergency)
    application.work_started_at = work_started_at if is_emergency else None
    application_event_append(
        application, kind=ApplicationEventKind.ANSWERS_SAVED, actor=user,
        payload={"emergency": application.is_emergency,
                 "work_started_at": (application.work_started_at.isoformat()
                                     if application.work_started_at else None)})
    application_save(application, ["is_emergency", "work_started_at"])
    return application


def case_priority_for(application: Application) -> str:
    """The priority the application's case opens with: urgent for emergency work."""
    return CasePriority.URGENT if application.is_emergency else CasePriority.NORMAL


def permit_valid_from_for(application: Application) -> dt.date | None:
    """The day the permit issued for `application` is valid from when that is not the day of
    issue: for emergency work, the day the digging started (so the digging was covered)."""
    if application.is_emergency and application.work_started_at is not None:
        return business_date(application.work_started_at)
    return None


# --- The clearance certificate --------------------------------------------------------------


def excavation_permit_of(application: Application) -> Permit | None:
    """The permit the application issued (not its clearance), or None."""
    return (Permit.objects.filter(application=application, parent__isnull=True)
            .order_by("pk").first())


def clearance_of(permit: Permit) -> Permit | None:
    return (Permit.objects.filter(parent=permit, permit_type__code=CLEARANCE_TYPE_CODE)
            .order_by("pk").first())


def _clearance_exists() -> Conflict:
    return Conflict("permits.clearance_already_issued",
                    "صدرت شهادة المخالصة لهذا التصريح من قبل.",
                    "The clearance certificate of this permit was already issued.")


def clearance_booking_check(application: Application) -> Permit:
    """A reinstatement inspection is booked for a valid excavation permit that has no
    clearance yet; the permit is returned locked (the caller holds the application's lock)."""
    found = excavation_permit_of(application)
    if found is None:
        raise NotFound("permits.permit_not_found", "الرخصة غير موجودة.",
                       "There is no such permit.")
    permit = permit_lock(found.pk)
    if clearance_of(permit) is not None:
        raise _clearance_exists()
    if permit.status != PermitStatus.VALID:
        raise DomainError("permits.clearance_permit_not_valid",
                          "يُحجز كشف إعادة الوضع لتصريح حفريات ساري فقط.",
                          "The reinstatement inspection is booked for a valid excavation "
                          "permit only.", field="purpose")
    return permit


def clearance_issue(*, application: Application, inspection: Inspection,
                    actor=None) -> Permit | None:
    """A passed reinstatement inspection issues the excavation permit's clearance
    certificate (once): numbered, not expiring, held by the permit's holder, its certificate
    made after the commit. Anything else issues nothing (None). The caller holds the
    application's lock, inside its transaction (the inspection's record)."""
    if (inspection.purpose != InspectionPurpose.REINSTATEMENT
            or inspection.outcome != InspectionOutcome.PASSED):
        return None
    found = excavation_permit_of(application)
    if found is None:
        raise NotFound("permits.permit_not_found", "الرخصة غير موجودة.",
                       "There is no such permit.")
    parent = permit_lock(found.pk)
    if clearance_of(parent) is not None:
        raise _clearance_exists()
    clearance_type = PermitType.objects.filter(code=CLEARANCE_TYPE_CODE).first()
    if clearance_type is None:
        raise DomainError("permits.clearance_type_missing",
                          "نوع شهادة المخالصة غير معرّف؛ تواصل مع مدير النظام.",
                          "The clearance certificate type is not set up; contact the "
                          "administrator.")
    today = business_date(clock.now())
    permit = Permit(
        number=permit_number_next(municipality=parent.municipality,
                                  prefix=clearance_type.number_prefix, on=today),
        permit_type=clearance_type, municipality=parent.municipality,
        holder_person_id=parent.holder_person_id,
        holder_establishment_id=parent.holder_establishment_id, parcel_id=parent.parcel_id,
        parent=parent, details={},
        issued_on=today, valid_from=today, valid_until=None)
    issued = permit_event_append(permit, kind=PermitEventKind.ISSUED, actor=actor,
                                 to_status=permit.status,
                                 payload={"excavation_permit": parent.number,
                                          "application": application.reference,
                                          "inspection": inspection.pk})
    permit.save()
    issued.permit = permit
    issued.save()
    PermitVersion.objects.create(permit=permit, version=1, details={}, valid_until=None)
    application_event_append(application, kind=ApplicationEventKind.INSPECTION, actor=actor,
                             payload={"action": "clearance_issued", "permit": permit.number,
                                      "inspection": inspection.pk})
    application_save(application, [])
    task_on_commit("permits.certificate_ensure", permit_id=permit.pk)
    party_sms_schedule(application_id=application.pk, template="issued",
                       roles=PartyRole.values, context={"permit": permit.number})
    return permit


# --- Reads for the clearance page -----------------------------------------------------------


@dataclass
class ClearancePage:
    application: Application
    permit: Permit
    clearance: Permit | None
    booked: Inspection | None
    done: list[Inspection]
    slots: list[InspectionSlot]

    @property
    def may_book(self) -> bool:
        return (self.clearance is None and self.booked is None
                and self.permit.status == PermitStatus.VALID)


def clearance_page(*, user, reference: str, now: dt.datetime) -> ClearancePage | None:
    """What the applicant's side of an issued excavation application sees about its
    clearance, or None (→ 404) when `user` is not on that side or there is no such permit.
    A fixed number of queries."""
    from ..review_selectors import SLOT_DAYS_SHOWN, application_for_applicant_side
    from .inspections import inspection_department_for, inspection_slots_open

    application = application_for_applicant_side(user=user, reference=reference)
    if application is None or application.permit_type.clearance_checklist_id is None:
        return None
    permit = excavation_permit_of(application)
    if permit is None:
        return None
    clearance = clearance_of(permit)
    inspections = list(Inspection.objects
                       .filter(application=application, purpose=InspectionPurpose.REINSTATEMENT)
                       .select_related("slot").order_by("-booked_at", "-pk"))
    booked = next((i for i in inspections if i.status == InspectionStatus.BOOKED), None)
    slots = []
    if clearance is None and booked is None and permit.status == PermitStatus.VALID:
        department = inspection_department_for(application, None)
        if department is not None:
            slots = inspection_slots_open(department=department, from_=now,
                                          days=SLOT_DAYS_SHOWN)
    return ClearancePage(application=application, permit=permit, clearance=clearance,
                         booked=booked, slots=slots,
                         done=[i for i in inspections if i.status == InspectionStatus.DONE])


def permit_clearance_for(permit: Permit) -> Permit | None:
    """For a permit's page: the clearance certificate issued for it, if any (one query)."""
    return clearance_of(permit)
