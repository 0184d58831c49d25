"""Site visits: the applicant's side books one of the inspectors' slots and may move it up to a
day before; the inspector answers the type's checklist, item by item, with photos where a
"no" needs one. The inspection's status has one writer, `inspection_status_change`.

Lock order: the application, then its inspection, then slots (in id order when two). A slot's
`booked` is changed only under the slot's row lock, so two people cannot take its last place
(the database's check `booked <= capacity` stands behind it)."""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from amanah import clock
from amanah.dates import RIYADH, business_date
from amanah.enums import StaffRole
from amanah.errors import Conflict, DomainError, NotFound, PermissionDenied
from amanah.models import Department
from amanah.permissions import staff_memberships
from amanah.uploads import JPEG, PNG, UploadPolicy, upload_check
from workflow.models import Case

from ..enums import (
    ApplicationEventKind,
    ApplicationStatus,
    FindingAnswer,
    InspectionOutcome,
    InspectionPurpose,
    InspectionStatus,
    PartyRole,
)
from ..models import (
    Application,
    Checklist,
    Inspection,
    InspectionFinding,
    InspectionPhoto,
    InspectionSlot,
)
from ..notify import party_sms_schedule
from ..selectors import staff_municipality_ids
from .applications import application_event_append, application_lock, application_save

INSPECTION_MOVES: dict[str, frozenset[str]] = {
    InspectionStatus.BOOKED: frozenset({InspectionStatus.DONE, InspectionStatus.CANCELLED}),
    InspectionStatus.DONE: frozenset(),
    InspectionStatus.CANCELLED: frozenset(),
}

# The procedure's step (permits/procedures.py) in which the site visit is made.
INSPECTION_STEP = "inspection"
# The department that visits when no case step names one (a clearance after issuing).
INSPECTION_DEPARTMENT = "inspection"
# Until how long before the visit the applicant's side may move or cancel it online.
APPLICANT_CHANGE_BEFORE = dt.timedelta(hours=24)
# Who records a visit: the department's inspectors, and its head.
RECORD_ROLES = frozenset({StaffRole.INSPECTOR, StaffRole.HEAD})
NOTE_MAX = 2000

INSPECTION_PHOTO_POLICY = UploadPolicy(
    content_types=frozenset({JPEG, PNG}), max_bytes=10 * 1024 * 1024,
    label_ar="صور الكشف الميداني", label_en="Inspection photos")


def inspection_lock(inspection_id: int) -> Inspection:
    inspection = (Inspection.objects.select_for_update(of=("self",))
                  .select_related("checklist").filter(pk=inspection_id).first())
    if inspection is None:
        raise inspection_not_found()
    return inspection


def inspection_not_found() -> NotFound:
    return NotFound("permits.inspection_not_found", "الزيارة غير موجودة.",
                    "There is no such visit.")


def inspection_status_change(*, inspection: Inspection, to_status: str,
                             outcome: str = "") -> None:
    """The one writer of Inspection.status; the caller holds the row lock and writes the
    application's event (inspections are part of the application's chain)."""
    if to_status not in INSPECTION_MOVES.get(inspection.status, frozenset()):
        raise Conflict("permits.inspection_status_refused",
                       "لا يمكن تنفيذ هذا الإجراء على الزيارة في حالتها الحالية.",
                       "This cannot be done to the visit in its current status.")
    inspection.status = to_status
    fields = ["status"]
    if to_status == InspectionStatus.DONE:
        inspection.done_at = clock.now()
        inspection.outcome = outcome
        fields += ["done_at", "outcome"]
    inspection.save(update_fields=fields)


# --- Slots ------------------------------------------------------------------------------------


def inspection_slots_open(*, department: Department, from_: dt.datetime, days: int
                          ) -> list[InspectionSlot]:
    """The department's slots with a place left, starting from `from_` (never in the past)
    for `days` days, soonest first."""
    start = max(from_, clock.now())
    return list(InspectionSlot.objects
                .filter(department=department, starts_at__gt=start,
                        starts_at__lt=start + dt.timedelta(days=days))
                .filter(booked__lt=F("capacity"))
                .select_related("department").order_by("starts_at", "pk"))


def _slot_not_found() -> NotFound:
    return NotFound("permits.slot_not_found", "الموعد غير موجود.",
                    "There is no such time slot.", field="slot")


def _slot_id(value) -> int:
    text = str(value if value is not None else "")
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise _slot_not_found()
    return int(text)


def _slot_lock(slot_id: int) -> InspectionSlot:
    slot = (InspectionSlot.objects.select_for_update(of=("self",)).select_related("department")
            .filter(pk=slot_id).first())
    if slot is None:
        raise _slot_not_found()
    return slot


def _slot_check(slot: InspectionSlot, *, department_id: int | None) -> None:
    if department_id is None or slot.department_id != department_id:
        raise DomainError("permits.slot_other_department",
                          "هذا الموعد ليس من مواعيد الجهة التي تكشف على طلبك.",
                          "This time slot is not one of the visiting department's.",
                          field="slot")
    if slot.starts_at <= clock.now():
        raise DomainError("permits.slot_past", "مضى وقت هذا الموعد؛ اختر موعدًا آخر.",
                          "This time has passed; choose another.", field="slot")
    if slot.booked >= slot.capacity:
        raise Conflict("permits.slot_full", "امتلأ هذا الموعد؛ اختر موعدًا آخر.",
                       "This time slot is full; choose another.", field="slot")


def inspection_department_for(application: Application, case: Case | None
                              ) -> Department | None:
    """Who visits: the department holding the case at its inspection step, else the
    municipality's inspection department."""
    if case is not None and case.state.code == INSPECTION_STEP:
        return case.department
    return (Department.objects.filter(municipality_id=application.municipality_id,
                                      code=INSPECTION_DEPARTMENT, is_active=True).first())


def _case(application: Application) -> Case | None:
    if application.case_id is None:
        return None
    return Case.objects.select_related("state", "department").get(pk=application.case_id)


def inspection_checklist_for(application: Application, purpose: str, case: Case | None
                             ) -> Checklist:
    """The checklist of a visit of `purpose` the application may book now, or why not."""
    permit_type = application.permit_type
    if purpose == InspectionPurpose.REINSTATEMENT and permit_type.clearance_checklist_id:
        if application.status != ApplicationStatus.ISSUED:
            raise DomainError("permits.inspection_not_now",
                              "تُحجز زيارة الكشف بعد إعادة الوضع بعد إصدار التصريح.",
                              "The reinstatement visit is booked once the permit is issued.",
                              field="purpose")
        # Part EXCAVATION: for a valid permit that has no clearance certificate yet.
        from .excavation import clearance_booking_check

        clearance_booking_check(application)
        return permit_type.clearance_checklist
    if purpose == permit_type.inspection_purpose and permit_type.inspection_checklist_id:
        if (application.status != ApplicationStatus.IN_REVIEW or case is None
                or case.state.code != INSPECTION_STEP):
            raise DomainError("permits.inspection_not_now",
                              "يُحجز موعد الكشف بعد إحالة الطلب إلى الكشف الميداني.",
                              "A visit is booked once the application is sent for inspection.",
                              field="purpose")
        return permit_type.inspection_checklist
    raise DomainError("permits.inspection_not_for_type",
                      "لا يتطلب هذا النوع من الطلبات هذه الزيارة.",
                      "This kind of application has no such visit.", field="purpose")


def _applicant_side_check(user, application: Application) -> None:
    from .corrections import is_applicant_side

    if not is_applicant_side(user, application):
        raise PermissionDenied("permits.inspection_applicant_only",
                               "يحجز موعد الكشف مقدم الطلب أو المكتب المكلف به.",
                               "Only the applicant's side books and moves visits.")


def _booking_event(application: Application, inspection: Inspection, *, action: str, actor,
                   slot: InspectionSlot | None, reason: str = "", **extra) -> None:
    if slot is not None and action in ("booked", "moved"):
        party_sms_schedule(application_id=application.pk, template="inspection_booked",
                           roles=PartyRole.values,
                           context={"when": f"{slot.starts_at.astimezone(RIYADH):%Y-%m-%d %H:%M}"})
    application_event_append(
        application, kind=ApplicationEventKind.INSPECTION, actor=actor, reason=reason,
        payload={"action": action, "inspection": inspection.pk, "purpose": inspection.purpose,
                 "slot": slot.pk if slot else None,
                 "starts_at": slot.starts_at.isoformat() if slot else None, **extra})
    application_save(application, [])


@transaction.atomic
def inspection_book(*, application_id: int, user, slot_id: int, purpose: str) -> Inspection:
    """The applicant's side takes a place in one of the visiting department's slots: one
    booked visit per purpose, never more people than the slot's capacity."""
    application = application_lock(application_id)
    _applicant_side_check(user, application)
    case = _case(application)
    checklist = inspection_checklist_for(application, purpose, case)
    if Inspection.objects.filter(application=application, purpose=purpose,
                                 status=InspectionStatus.BOOKED).exists():
        raise Conflict("permits.inspection_already_booked",
                       "لهذا الطلب موعد محجوز؛ يمكنك تغييره بدل حجز موعد آخر.",
                       "This application already has a visit booked; move it instead.",
                       field="slot")
    department = inspection_department_for(application, case)
    slot = _slot_lock(_slot_id(slot_id))
    _slot_check(slot, department_id=department.pk if department else None)
    inspection = Inspection.objects.create(
        application=application, purpose=purpose, checklist=checklist, slot=slot,
        inspector=slot.inspector, booked_by=user, booked_at=clock.now())
    slot.booked += 1
    slot.save(update_fields=["booked"])
    _booking_event(application, inspection, action="booked", actor=user, slot=slot)
    return inspection


def _inspection_for_change(inspection_id: int) -> tuple[Application, Inspection]:
    found = Inspection.objects.filter(pk=inspection_id).values_list("application_id",
                                                                     flat=True).first()
    if found is None:
        raise inspection_not_found()
    application = application_lock(found)
    inspection = inspection_lock(inspection_id)
    return application, inspection


def _applicant_change_check(inspection: Inspection, *, what_ar: str, what_en: str) -> None:
    if inspection.status != InspectionStatus.BOOKED:
        raise Conflict("permits.inspection_status_refused",
                       "لا يمكن تنفيذ هذا الإجراء على الزيارة في حالتها الحالية.",
                       "This cannot be done to the visit in its current status.")
    slot = inspection.slot
    if slot is not None and slot.starts_at - clock.now() < APPLICANT_CHANGE_BEFORE:
        raise DomainError("permits.inspection_change_too_late",
                          f"لا يمكن {what_ar} قبل أقل من ٢٤ ساعة من موعدها؛ تواصل مع البلدية.",
                          f"A visit cannot be {what_en} online less than 24 hours before it; "
                          "contact the municipality.", field="slot")


@transaction.atomic
def inspection_move(*, inspection_id: int, user, slot_id: int) -> Inspection:
    """The applicant's side moves a booked visit to another slot of the same department, up to
    24 hours before it; the old slot gets its place back."""
    application, inspection = _inspection_for_change(inspection_id)
    _applicant_side_check(user, application)
    _applicant_change_check(inspection, what_ar="تغيير الموعد", what_en="moved")
    new_id = _slot_id(slot_id)
    if new_id == inspection.slot_id:
        raise DomainError("permits.slot_same", "هذا هو موعدك الحالي.",
                          "This is the time already booked.", field="slot")
    # Both slots locked in id order, so two moves between the same two slots cannot deadlock.
    locked = {i: _slot_lock(i) for i in sorted({new_id, inspection.slot_id} - {None})}
    new, old = locked[new_id], locked.get(inspection.slot_id)
    department = (old.department if old is not None
                  else inspection_department_for(application, _case(application)))
    _slot_check(new, department_id=department.pk if department else None)
    if old is not None:
        old.booked -= 1
        old.save(update_fields=["booked"])
    new.booked += 1
    new.save(update_fields=["booked"])
    inspection.slot = new
    inspection.inspector = new.inspector
    inspection.save(update_fields=["slot", "inspector"])
    _booking_event(application, inspection, action="moved", actor=user, slot=new,
                   from_slot=old.pk if old else None)
    return inspection


@transaction.atomic
def inspection_cancel(*, inspection_id: int, user, reason: str = "") -> Inspection:
    """Call a booked visit off: the applicant's side up to 24 hours before it, the
    municipality's staff at any time; the slot gets its place back."""
    application, inspection = _inspection_for_change(inspection_id)
    is_staff = application.municipality_id in staff_municipality_ids(user)
    if not is_staff:
        _applicant_side_check(user, application)
        _applicant_change_check(inspection, what_ar="إلغاء الزيارة", what_en="cancelled")
    reason = (reason or "").strip()[:NOTE_MAX]
    inspection_status_change(inspection=inspection, to_status=InspectionStatus.CANCELLED)
    slot = inspection.slot
    if slot is not None:
        slot = _slot_lock(slot.pk)
        slot.booked -= 1
        slot.save(update_fields=["booked"])
    _booking_event(application, inspection, action="cancelled", actor=user, slot=slot,
                   reason=reason)
    return inspection


# --- Doing the visit ----------------------------------------------------------------------------


def inspector_may_record(user, inspection: Inspection) -> bool:
    """An inspector (or the head) of the department whose slot it is."""
    department_id = inspection.slot.department_id if inspection.slot_id else None
    return any(m.role in RECORD_ROLES and (m.department_id == department_id or (
        department_id is None and m.department.municipality_id
        == inspection.application.municipality_id))
        for m in staff_memberships(user))


def findings_hash(rows: Iterable[dict]) -> str:
    """SHA-256 of the findings as recorded (item, answer, note, photos' SHA-256), in the
    checklist's order: the application's event carries it, so a finding changed afterwards
    no longer matches its chain."""
    canonical = json.dumps(list(rows), ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _photos_of(photos: dict, code: str) -> list:
    found = photos.get(code) or []
    return list(found) if isinstance(found, list | tuple) else [found]


@transaction.atomic
def inspection_record(*, inspection_id: int, inspector, findings: dict, photos: dict,
                      notes: str = "") -> Inspection:
    """Record a visit: every checklist item answered yes, no or not applicable, a photo with
    every "no" that needs one; passed when nothing is "no"."""
    application, inspection = _inspection_for_change(inspection_id)
    inspection.application = application
    if not inspector_may_record(inspector, inspection):
        raise PermissionDenied("permits.inspection_inspector_only",
                               "يسجل نتيجة الكشف مفتش الجهة المختصة فقط.",
                               "Only the visiting department's inspectors record a visit.")
    if inspection.status != InspectionStatus.BOOKED:
        raise Conflict("permits.inspection_status_refused",
                       "لا يمكن تنفيذ هذا الإجراء على الزيارة في حالتها الحالية.",
                       "This cannot be done to the visit in its current status.")
    if inspection.slot is not None and business_date(clock.now()) < business_date(
            inspection.slot.starts_at):
        raise DomainError("permits.inspection_not_yet", "لم يحن يوم هذه الزيارة بعد.",
                          "The day of this visit has not come yet.")
    findings, photos = dict(findings or {}), dict(photos or {})
    items = list(inspection.checklist.items.order_by("order", "pk"))
    codes = {item.code for item in items}
    unknown = sorted((set(findings) | set(photos)) - codes)
    if unknown:
        raise DomainError("permits.inspection_unknown_item", "بند غير موجود في قائمة الكشف.",
                          "There is no such item on the checklist.", field=f"item_{unknown[0]}")
    answered = []
    for item in items:
        finding = findings.get(item.code) or {}
        answer = str(finding.get("answer") or "")
        note = str(finding.get("note") or "").strip()
        if answer not in FindingAnswer.values:
            raise DomainError("permits.inspection_item_unanswered",
                              f"أجب عن البند: {item.text_ar}",
                              f"Answer the item: {item.text_en}", field=f"item_{item.code}")
        if len(note) > NOTE_MAX:
            raise DomainError("permits.inspection_note_too_long",
                              f"الملاحظة {NOTE_MAX} حرف على الأكثر.",
                              f"A note is at most {NOTE_MAX} characters.",
                              field=f"item_{item.code}")
        files = _photos_of(photos, item.code)
        if answer == FindingAnswer.NO and item.photo_required_on_no and not files:
            raise DomainError("permits.inspection_photo_required",
                              f"أرفق صورة لما لم يتحقق في البند: {item.text_ar}",
                              f"Attach a photo of what fails the item: {item.text_en}",
                              field=f"photo_{item.code}")
        answered.append((item, answer, note, files))
    notes = (notes or "").strip()
    if len(notes) > NOTE_MAX:
        raise DomainError("permits.inspection_note_too_long",
                          f"الملاحظة {NOTE_MAX} حرف على الأكثر.",
                          f"A note is at most {NOTE_MAX} characters.", field="notes")
    checked = [[upload_check(file=f, policy=INSPECTION_PHOTO_POLICY,
                             field=f"photo_{item.code}") for f in files]
               for item, _answer, _note, files in answered]

    rows = []
    for (item, answer, note, _files), uploads in zip(answered, checked, strict=True):
        finding = InspectionFinding.objects.create(inspection=inspection, item=item,
                                                   answer=answer, note=note)
        shas = [_photo_store(finding, upload).sha256 for upload in uploads]
        rows.append({"item": item.code, "answer": answer, "note": note, "photos": shas})
    outcome = (InspectionOutcome.FAILED if any(r["answer"] == FindingAnswer.NO for r in rows)
               else InspectionOutcome.PASSED)
    inspection.inspector = inspector
    inspection.notes = notes
    inspection.save(update_fields=["inspector", "notes"])
    inspection_status_change(inspection=inspection, to_status=InspectionStatus.DONE,
                             outcome=outcome)
    application_event_append(
        application, kind=ApplicationEventKind.INSPECTION, actor=inspector, reason=notes,
        payload={"action": "recorded", "inspection": inspection.pk,
                 "purpose": inspection.purpose, "outcome": outcome,
                 "findings_sha256": findings_hash(rows)})
    application_save(application, [])
    # Part EXCAVATION: a passed reinstatement inspection issues the clearance certificate.
    from .excavation import clearance_issue

    clearance_issue(application=application, inspection=inspection, actor=inspector)
    return inspection


def _photo_store(finding: InspectionFinding, upload) -> InspectionPhoto:
    photo = InspectionPhoto(finding=finding, content_type=upload.content_type, size=upload.size,
                            sha256=upload.sha256, taken_at=clock.now())
    try:
        photo.file.save(upload.stored_name, upload.as_file(), save=False)
        photo.save()
    except BaseException:
        if photo.file.name:
            photo.file.delete(save=False)
        raise
    finally:
        upload.close()
    return photo


def visit_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start and end of a business day in Riyadh, as aware moments."""
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=RIYADH)
    return start, start + dt.timedelta(days=1)
