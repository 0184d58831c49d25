"""The emergency excavation path and the clearance certificate (part EXCAVATION): filing
within the type's hours of the digging, the refusals at submission, the urgent case, the
permit valid from the digging day, the reinstatement inspection and the one clearance."""

import datetime as dt

import pytest
from django.db import transaction

from amanah.dates import RIYADH, business_date
from amanah.errors import Conflict, DomainError
from permits.enums import ApplicationStatus, InspectionOutcome, InspectionPurpose, PermitStatus
from permits.models import Application, Inspection, Permit, PermitType
from permits.services.applications import application_lock, application_status_change
from permits.services.excavation import (
    application_emergency_set,
    clearance_issue,
    emergency_refusals,
)
from permits.services.inspections import inspection_book, inspection_record
from permits.services.permits import permit_issue, permit_lock, permit_status_change
from permits.services.submission import SubmissionRefused, application_submit
from tests.permits.apply_helpers import nothing_changed_snapshot
from tests.permits.factories import (
    excavation_draft_complete,
    excavation_world,
    slot_make,
)
from workflow.enums import CasePriority
from workflow.models import Case

pytestmark = pytest.mark.django_db

# 09:00 in Riyadh on 10 March 2026 (21 Ramadan 1447): inside the seeded fee schedules.
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=RIYADH)
ALL_YES = {code: {"answer": "yes"} for code in (
    "route", "backfill", "asphalt", "level", "kerbs", "markings", "barriers", "clean")}


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def world(clock):
    clock.set(NOW)
    return excavation_world()


def _emergency_draft(world, *, hours_ago: float = 3):
    application = excavation_draft_complete(world)
    return application_emergency_set(
        application_id=application.pk, user=world.contractor_worker.user, is_emergency=True,
        work_started_at=NOW - dt.timedelta(hours=hours_ago))


def _refused_submit(world, application) -> SubmissionRefused:
    before = nothing_changed_snapshot(application.pk)
    with pytest.raises(SubmissionRefused) as refused:
        application_submit(application_id=application.pk, user=world.contractor_worker.user)
    assert nothing_changed_snapshot(application.pk) == before
    return refused.value


# --- Filing --------------------------------------------------------------------------------


def test_an_emergency_filed_three_hours_after_digging_opens_an_urgent_case(world):
    # given a complete excavation draft marked as emergency work that started 3 hours ago
    application = _emergency_draft(world)
    assert (application.is_emergency, application.work_started_at) == (
        True, NOW - dt.timedelta(hours=3))
    # when the contractor submits it
    application_submit(application_id=application.pk, user=world.contractor_worker.user)
    # then the municipality receives it, its case urgent
    application = Application.objects.select_related("case").get(pk=application.pk)
    assert application.status == ApplicationStatus.IN_REVIEW
    assert application.case.priority == CasePriority.URGENT


def test_an_ordinary_excavation_opens_a_normal_case(world):
    application = excavation_draft_complete(world)
    application_submit(application_id=application.pk, user=world.contractor_worker.user)
    application = Application.objects.select_related("case").get(pk=application.pk)
    assert (application.is_emergency, application.case.priority) == (False,
                                                                     CasePriority.NORMAL)


def test_an_emergency_submitted_25_hours_after_digging_is_refused_with_its_deadline(
        world, clock):
    # given an emergency draft saved 23 hours after the digging started (10:00 the day before)
    application = _emergency_draft(world, hours_ago=23)
    # when the contractor submits it two hours later, 25 hours after the start
    clock.advance(hours=2)
    refusal = _refused_submit(world, application)
    # then it is refused, naming the deadline it missed in both calendars; nothing changed
    [reason] = [r for r in refusal.refusals if r.code == "permits.emergency_too_late"]
    assert reason.reason_en == (
        "The emergency filing window (24 hours from the start of the digging) closed at 10:00 "
        "21 Ramadan 1447 AH — 10 March 2026; file an ordinary excavation application.")
    assert reason.reason_ar == (
        "انتهت مهلة التقديم الطارئ (24 ساعة من بدء الحفر) في 10:00 21 رمضان 1447 هـ — "
        "10 مارس 2026 م؛ قدّم طلب حفر عاديًا.")
    assert reason.field == "work_started_at"
    assert [r.code for r in refusal.refusals] == ["permits.emergency_too_late"]


def test_a_start_in_the_future_is_refused_when_saved_and_at_submission(world):
    application = excavation_draft_complete(world)
    before = nothing_changed_snapshot(application.pk)
    # when the contractor says the digging starts in an hour
    with pytest.raises(DomainError) as refused:
        application_emergency_set(application_id=application.pk,
                                  user=world.contractor_worker.user, is_emergency=True,
                                  work_started_at=NOW + dt.timedelta(hours=1))
    # then it is refused, and the draft is as it was
    assert (refused.value.code, refused.value.field) == ("permits.emergency_start_future",
                                                         "work_started_at")
    assert nothing_changed_snapshot(application.pk) == before
    # and a future start written by another path is refused at submission too
    Application.objects.filter(pk=application.pk).update(
        is_emergency=True, work_started_at=NOW + dt.timedelta(hours=1))
    refusal = _refused_submit(world, application)
    assert [r.code for r in refusal.refusals] == ["permits.emergency_start_future"]


def test_an_emergency_needs_its_start_time(world):
    application = excavation_draft_complete(world)
    with pytest.raises(DomainError) as refused:
        application_emergency_set(application_id=application.pk,
                                  user=world.contractor_worker.user, is_emergency=True)
    assert refused.value.code == "permits.emergency_start_required"
    assert Application.objects.get(pk=application.pk).is_emergency is False


def test_a_type_without_an_emergency_path_refuses_the_flag(world):
    # given a draft of a type whose emergency path is switched off
    application = excavation_draft_complete(world)
    PermitType.objects.filter(pk=world.permit_type.pk).update(emergency_allowed=False)
    before = nothing_changed_snapshot(application.pk)
    # when the contractor marks it as emergency, it is refused and nothing changes
    with pytest.raises(DomainError) as refused:
        application_emergency_set(application_id=application.pk,
                                  user=world.contractor_worker.user, is_emergency=True,
                                  work_started_at=NOW - dt.timedelta(hours=1))
    assert refused.value.code == "permits.emergency_not_allowed"
    assert nothing_changed_snapshot(application.pk) == before
    # and a flag written by another path is refused at submission
    Application.objects.filter(pk=application.pk).update(
        is_emergency=True, work_started_at=NOW - dt.timedelta(hours=1))
    refusal = _refused_submit(world, application)
    assert [r.code for r in refusal.refusals] == ["permits.emergency_not_allowed"]


def test_unmarking_an_emergency_clears_its_start(world):
    application = _emergency_draft(world)
    application = application_emergency_set(application_id=application.pk,
                                            user=world.contractor_worker.user,
                                            is_emergency=False)
    assert (application.is_emergency, application.work_started_at) == (False, None)
    assert emergency_refusals(application) == []


def test_only_the_filer_side_marks_an_emergency(world):
    application = excavation_draft_complete(world)
    for user, code in ((world.other_contractor_worker.user, "permits.application_not_found"),
                       (world.owner.user, "permits.not_the_filer")):
        with pytest.raises(DomainError) as refused:
            application_emergency_set(application_id=application.pk, user=user,
                                      is_emergency=True,
                                      work_started_at=NOW - dt.timedelta(hours=1))
        assert refused.value.code == code
    assert Application.objects.get(pk=application.pk).is_emergency is False


# --- The permit's validity ------------------------------------------------------------------


def _issued(world, *, emergency_hours_ago: float | None = 3) -> tuple[Application, Permit]:
    """An excavation application submitted and issued through permit_issue as REVIEW's issue
    task calls it (the case's steps are the journey test's)."""
    from permits.services.excavation import permit_valid_from_for

    if emergency_hours_ago is None:
        application = excavation_draft_complete(world)
    else:
        application = _emergency_draft(world, hours_ago=emergency_hours_ago)
    application_submit(application_id=application.pk, user=world.contractor_worker.user)
    with transaction.atomic():
        locked = application_lock(application.pk)
        permit = permit_issue(application=locked, valid_from=permit_valid_from_for(locked))
        application_status_change(application=locked, to_status=ApplicationStatus.ISSUED)
    return Application.objects.select_related("permit_type").get(pk=application.pk), permit


def test_an_emergency_permit_is_valid_from_the_day_the_digging_started(world):
    # given emergency work that started at 22:00 the evening before (13 hours ago)
    application, permit = _issued(world, emergency_hours_ago=11)
    # then the permit, issued today, is valid from yesterday for the type's 3 months
    assert (permit.issued_on, permit.valid_from, permit.valid_until) == (
        dt.date(2026, 3, 10), dt.date(2026, 3, 9), dt.date(2026, 6, 8))
    assert business_date(application.work_started_at) == dt.date(2026, 3, 9)


def test_an_ordinary_permit_is_valid_from_its_day_of_issue(world):
    _application, permit = _issued(world, emergency_hours_ago=None)
    assert (permit.issued_on, permit.valid_from, permit.valid_until) == (
        dt.date(2026, 3, 10), dt.date(2026, 3, 10), dt.date(2026, 6, 9))


def test_permit_issue_never_starts_a_permit_after_its_day_of_issue(world):
    application = excavation_draft_complete(world)
    with transaction.atomic():
        permit = permit_issue(application=application_lock(application.pk),
                              valid_from=dt.date(2026, 4, 1))
    assert (permit.issued_on, permit.valid_from) == (dt.date(2026, 3, 10),
                                                     dt.date(2026, 3, 10))


# --- The clearance certificate --------------------------------------------------------------


def _book(world, application, *, at: dt.datetime):
    slot = slot_make(world, starts_at=at, capacity=3)
    return inspection_book(application_id=application.pk, user=world.contractor_worker.user,
                           slot_id=slot.pk, purpose=InspectionPurpose.REINSTATEMENT)


def _record(world, visit, findings, clock):
    clock.set(visit.slot.starts_at + dt.timedelta(minutes=20))
    return inspection_record(inspection_id=visit.pk, inspector=world.inspector,
                             findings=findings, photos={})


def test_a_failed_reinstatement_issues_nothing_and_a_passed_one_issues_the_clearance(
        world, clock):
    application, permit = _issued(world)
    # when the reinstatement visit finds the road markings not restored
    visit = _book(world, application, at=NOW + dt.timedelta(days=10))
    assert (visit.purpose, visit.checklist.code) == ("reinstatement",
                                                     "excavation-reinstatement")
    failed = _record(world, visit, {**ALL_YES, "markings": {"answer": "no"}}, clock)
    # then nothing is issued
    assert failed.outcome == InspectionOutcome.FAILED
    assert not Permit.objects.filter(parent=permit).exists()
    # when the contractor books again and the visit passes
    visit = _book(world, application, at=clock.now() + dt.timedelta(days=2))
    passed = _record(world, visit, ALL_YES, clock)
    # then the clearance certificate is issued under the excavation permit
    assert passed.outcome == InspectionOutcome.PASSED
    clearance = Permit.objects.get(parent=permit)
    assert clearance.number == "EC-KHB-1447-000002"  # the branch's second permit this year
    assert (clearance.permit_type.code, clearance.holder_person_id, clearance.parcel_id,
            clearance.status, clearance.valid_until, clearance.issued_on,
            clearance.application_id) == (
        "excavation_clearance", world.owner.pk, world.parcel.pk, PermitStatus.VALID, None,
        dt.date(2026, 3, 22), None)
    assert clearance.events.get().payload == {
        "excavation_permit": permit.number, "application": application.reference,
        "inspection": visit.pk}


def test_a_second_clearance_is_refused(world, clock):
    # given an excavation permit whose clearance was issued
    application, permit = _issued(world)
    visit = _book(world, application, at=NOW + dt.timedelta(days=1))
    _record(world, visit, ALL_YES, clock)
    assert Permit.objects.filter(parent=permit).count() == 1
    inspections = Inspection.objects.count()
    # when the contractor tries to book another reinstatement visit, it is refused
    with pytest.raises(Conflict) as refused:
        _book(world, application, at=clock.now() + dt.timedelta(days=1))
    assert refused.value.code == "permits.clearance_already_issued"
    assert Inspection.objects.count() == inspections
    # and issuing a second one for a passed visit is refused too, nothing written
    with pytest.raises(Conflict) as refused, transaction.atomic():
        clearance_issue(application=application_lock(application.pk),
                        inspection=Inspection.objects.get(pk=visit.pk))
    assert refused.value.code == "permits.clearance_already_issued"
    assert Permit.objects.filter(parent=permit).count() == 1


def test_the_reinstatement_visit_is_booked_for_a_valid_permit_only(world):
    application, permit = _issued(world)
    with transaction.atomic():
        permit_status_change(permit=permit_lock(permit.pk), to_status=PermitStatus.SUSPENDED,
                             kind="suspended", reason="أعمال مخالفة")
    with pytest.raises(DomainError) as refused:
        _book(world, application, at=NOW + dt.timedelta(days=1))
    assert refused.value.code == "permits.clearance_permit_not_valid"
    assert not Inspection.objects.filter(application=application).exists()


def test_the_clearance_type_is_never_offered_nor_started(world):
    from permits.service_cards import service_card_list
    from permits.services.drafts import application_draft_create

    assert "excavation_clearance" not in [t.code for t in service_card_list(
        user=world.contractor_worker.user)]
    with pytest.raises(DomainError):
        application_draft_create(user=world.contractor_worker.user,
                                 permit_type_code="excavation_clearance",
                                 municipality=world.municipality,
                                 on_behalf_of_owner_id=world.owner.national_id)
    assert not Case.objects.exists()
