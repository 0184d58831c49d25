"""Site visits: booked by the applicant's side in the inspectors' slots (never beyond a slot's
capacity, even at the same instant), moved or cancelled online up to 24 hours before, and
recorded item by item with photos where a "no" needs one."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from amanah.dates import RIYADH
from amanah.errors import DomainError
from permits.enums import (
    ApplicationEventKind,
    InspectionOutcome,
    InspectionStatus,
    PartyRole,
)
from permits.models import (
    ApplicationEvent,
    Inspection,
    InspectionFinding,
    InspectionPhoto,
    InspectionSlot,
)
from permits.services.inspections import (
    findings_hash,
    inspection_book,
    inspection_cancel,
    inspection_move,
    inspection_record,
    inspection_slots_open,
)
from tests.factories import CitizenFactory
from tests.permits.factories import (
    application_at_inspection_make,
    application_submitted_make,
    permits_world,
    slot_make,
)
from tests.samples import jpeg, pdf, upload
from workflow.services import case_transition

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=RIYADH)  # a Tuesday morning in Riyadh


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def world(db, clock):
    clock.set(NOW)
    return permits_world()


def _slot_state(*slots) -> list:
    return [InspectionSlot.objects.filter(pk=s.pk).values_list("booked", flat=True).get()
            for s in slots]


def _application_state(application) -> tuple:
    application.refresh_from_db()
    return (application.row_version, application.last_event_seq,
            list(Inspection.objects.filter(application=application)
                 .values_list("pk", "status", "slot_id", "outcome")),
            InspectionFinding.objects.filter(inspection__application=application).count())


def _book(world, application, slot, user=None):
    return inspection_book(application_id=application.pk,
                           user=user or world.owner.user, slot_id=slot.pk, purpose="site")


# --- Booking -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_applicant_books_a_slot_once_sent_for_inspection(world, queued):
    application = application_at_inspection_make(world)
    slot = slot_make(world, starts_at=NOW + dt.timedelta(days=3), capacity=2)
    with queued() as tasks:
        inspection = _book(world, application, slot)
    # the parties are told when (Riyadh time)
    assert tasks == [("permits.party_sms_send", {
        "application_id": application.pk, "template": "inspection_booked",
        "roles": sorted(PartyRole.values), "context": {"when": "2026-12-04 09:00"}})]
    assert (inspection.status, inspection.slot, inspection.inspector, inspection.booked_by,
            inspection.checklist) == (InspectionStatus.BOOKED, slot, world.inspector,
                                      world.owner.user, world.permit_type.inspection_checklist)
    assert _slot_state(slot) == [1]
    event = ApplicationEvent.objects.filter(application=application).order_by("-seq").first()
    assert (event.kind, event.payload["action"], event.payload["slot"]) == (
        ApplicationEventKind.INSPECTION, "booked", slot.pk)
    # and the slot still shows as open (one place left), soonest first among the free ones
    later = slot_make(world, starts_at=NOW + dt.timedelta(days=5))
    assert inspection_slots_open(department=world.departments["inspection"], from_=NOW,
                                 days=14) == [slot, later]


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["not_sent", "staff", "stranger", "twice", "full", "past",
                                  "other_department"])
def test_a_refused_booking_changes_nothing(world, case):
    slot = slot_make(world, starts_at=NOW + dt.timedelta(days=3))
    if case == "not_sent":
        application = application_submitted_make(world)
    else:
        application = application_at_inspection_make(world)
    user, code = world.owner.user, {
        "not_sent": "permits.inspection_not_now",
        "staff": "permits.inspection_applicant_only",
        "stranger": "permits.inspection_applicant_only",
        "twice": "permits.inspection_already_booked",
        "full": "permits.slot_full", "past": "permits.slot_past",
        "other_department": "permits.slot_other_department"}[case]
    if case == "staff":
        user = world.clerk
    elif case == "stranger":
        user = CitizenFactory(municipality=world.municipality).user
    elif case == "twice":
        _book(world, application, slot_make(world, starts_at=NOW + dt.timedelta(days=4)))
    elif case == "full":
        _book(world, application_at_inspection_make(world), slot)
    elif case == "past":
        slot = slot_make(world, starts_at=NOW - dt.timedelta(hours=1))
    elif case == "other_department":
        slot = InspectionSlot.objects.create(
            department=world.departments["engineering"], starts_at=NOW + dt.timedelta(days=3),
            ends_at=NOW + dt.timedelta(days=3, hours=1))
    before = (_application_state(application), _slot_state(slot))
    with pytest.raises(DomainError) as refused:
        _book(world, application, slot, user=user)
    assert refused.value.code == code
    assert (_application_state(application), _slot_state(slot)) == before


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                       " AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_people_cannot_both_take_the_last_place(world):
    # given two applications at inspection and a slot with one place left
    first = application_at_inspection_make(world)
    second = application_at_inspection_make(world)
    slot = slot_make(world, starts_at=NOW + dt.timedelta(days=2), capacity=1)
    results: dict = {}

    def book(application):
        try:
            results[application.pk] = _book(world, application, slot).pk
        except DomainError as refusal:
            results[application.pk] = refusal.code
        finally:
            connection.close()

    # when both book it at the same instant: both are made to meet at the slot's row, held
    # meanwhile by a third connection, and go on together when it lets go
    holder_ready, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                InspectionSlot.objects.select_for_update().get(pk=slot.pk)
                holder_ready.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holder_ready.wait(timeout=30)
    threads = [threading.Thread(target=book, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while _waiting_on_locks() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _waiting_on_locks() == 2
    release.set()
    for thread in (holder, *threads):
        thread.join(timeout=30)
    # then exactly one has the place, the other is told the slot is full
    assert len(results) == 2
    assert sorted(str(v) for v in results.values()).count("permits.slot_full") == 1
    assert _slot_state(slot) == [1]
    assert Inspection.objects.filter(slot=slot, status=InspectionStatus.BOOKED).count() == 1


# --- Moving and cancelling ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_applicant_moves_the_visit_and_the_old_slot_gets_its_place_back(world):
    application = application_at_inspection_make(world)
    old = slot_make(world, starts_at=NOW + dt.timedelta(days=2))
    new = slot_make(world, starts_at=NOW + dt.timedelta(days=6))
    inspection = _book(world, application, old)
    moved = inspection_move(inspection_id=inspection.pk, user=world.office_worker.user,
                            slot_id=new.pk)
    assert (moved.slot_id, moved.status) == (new.pk, InspectionStatus.BOOKED)
    assert _slot_state(old, new) == [0, 1]
    event = ApplicationEvent.objects.filter(application=application).order_by("-seq").first()
    assert (event.payload["action"], event.payload["from_slot"], event.payload["slot"]) == (
        "moved", old.pk, new.pk)


@pytest.mark.django_db
def test_moving_or_cancelling_less_than_24_hours_before_is_refused(world, clock):
    application = application_at_inspection_make(world)
    old = slot_make(world, starts_at=NOW + dt.timedelta(days=2))
    new = slot_make(world, starts_at=NOW + dt.timedelta(days=6))
    inspection = _book(world, application, old)
    # when it is 23 hours 59 minutes before the visit
    clock.set(old.starts_at - dt.timedelta(hours=23, minutes=59))
    before = (_application_state(application), _slot_state(old, new))
    for attempt in (lambda: inspection_move(inspection_id=inspection.pk, user=world.owner.user,
                                            slot_id=new.pk),
                    lambda: inspection_cancel(inspection_id=inspection.pk,
                                              user=world.owner.user)):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "permits.inspection_change_too_late"
    assert (_application_state(application), _slot_state(old, new)) == before
    # exactly 24 hours before, it is still allowed
    clock.set(old.starts_at - dt.timedelta(hours=24))
    inspection_move(inspection_id=inspection.pk, user=world.owner.user, slot_id=new.pk)
    assert _slot_state(old, new) == [0, 1]


@pytest.mark.django_db
def test_a_cancelled_visit_frees_its_place_and_another_can_be_booked(world):
    application = application_at_inspection_make(world)
    slot = slot_make(world, starts_at=NOW + dt.timedelta(days=2))
    inspection = _book(world, application, slot)
    inspection_cancel(inspection_id=inspection.pk, user=world.owner.user, reason="سفر")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CANCELLED
    assert _slot_state(slot) == [0]
    again = _book(world, application, slot)
    assert again.pk != inspection.pk and _slot_state(slot) == [1]


# --- Recording the visit ----------------------------------------------------------------------


def _findings(**answers) -> dict:
    values = {"fence": "yes", "setbacks": "yes", "safety": "na", **answers}
    return {code: {"answer": answer, "note": ""} for code, answer in values.items()}


@pytest.fixture
def booked(world, clock):
    application = application_at_inspection_make(world)
    slot = slot_make(world, starts_at=NOW + dt.timedelta(days=1))
    inspection = _book(world, application, slot)
    clock.set(slot.starts_at + dt.timedelta(minutes=30))  # the inspector is on site
    return inspection


@pytest.mark.django_db
def test_a_visit_with_no_no_passes_and_the_case_may_go_on(world, booked):
    done = inspection_record(inspection_id=booked.pk, inspector=world.inspector,
                             findings=_findings(), photos={}, notes="الموقع جاهز")
    assert (done.status, done.outcome, done.inspector, done.notes) == (
        InspectionStatus.DONE, InspectionOutcome.PASSED, world.inspector, "الموقع جاهز")
    assert list(done.findings.order_by("item__order").values_list("item__code", "answer")) == [
        ("fence", "yes"), ("setbacks", "yes"), ("safety", "na")]
    event = ApplicationEvent.objects.filter(application=booked.application).order_by(
        "-seq").first()
    assert event.payload["findings_sha256"] == findings_hash([
        {"item": "fence", "answer": "yes", "note": "", "photos": []},
        {"item": "setbacks", "answer": "yes", "note": "", "photos": []},
        {"item": "safety", "answer": "na", "note": "", "photos": []}])
    assert (event.kind, event.payload["outcome"]) == (ApplicationEventKind.INSPECTION, "passed")
    # the procedure's guard now lets the inspector pass the case on to the decision
    case = case_transition(case_id=booked.application.case_id, action="inspection_passed",
                           actor=world.inspector)
    assert case.state.code == "decision"


@pytest.mark.django_db
def test_a_no_with_its_photo_fails_the_visit(world, booked):
    photo = upload("fence.jpg", jpeg(), "image/jpeg")
    done = inspection_record(inspection_id=booked.pk, inspector=world.inspector,
                             findings=_findings(fence="no"), photos={"fence": [photo]})
    assert done.outcome == InspectionOutcome.FAILED
    stored = InspectionPhoto.objects.get(finding__inspection=done)
    assert (stored.content_type, stored.finding.item.code) == ("image/jpeg", "fence")
    # and the guard keeps the case at inspection
    with pytest.raises(DomainError) as refused:
        case_transition(case_id=booked.application.case_id, action="inspection_passed",
                        actor=world.inspector)
    assert refused.value.code == "permits.inspection_not_passed"


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "findings", "photos", "code"), [
    ("inspector", {"fence": "no"}, {}, "permits.inspection_photo_required"),
    ("inspector", {"safety": ""}, {}, "permits.inspection_item_unanswered"),
    ("inspector", {"safety": "maybe"}, {}, "permits.inspection_item_unanswered"),
    ("inspector", {"roof": "yes"}, {}, "permits.inspection_unknown_item"),
    ("inspector", {"fence": "no"}, {"fence": "pdf"}, "upload.type_not_allowed"),
    ("clerk", {}, {}, "permits.inspection_inspector_only"),
    ("owner", {}, {}, "permits.inspection_inspector_only"),
])
def test_a_refused_record_changes_nothing(world, booked, who, findings, photos, code):
    users = {"inspector": world.inspector, "clerk": world.clerk, "owner": world.owner.user}
    files = {"pdf": upload("x.pdf", pdf(), "application/pdf")}
    before = _application_state(booked.application)
    with pytest.raises(DomainError) as refused:
        inspection_record(inspection_id=booked.pk, inspector=users[who],
                          findings=_findings(**findings),
                          photos={code_: [files[name]] for code_, name in photos.items()})
    assert refused.value.code == code
    assert _application_state(booked.application) == before
    assert InspectionPhoto.objects.count() == 0


@pytest.mark.django_db
def test_a_visit_is_not_recorded_before_its_day(world, clock):
    application = application_at_inspection_make(world)
    slot = slot_make(world, starts_at=NOW + dt.timedelta(days=2))
    inspection = _book(world, application, slot)
    before = _application_state(application)
    with pytest.raises(DomainError) as refused:
        inspection_record(inspection_id=inspection.pk, inspector=world.inspector,
                          findings=_findings(), photos={})
    assert refused.value.code == "permits.inspection_not_yet"
    assert _application_state(application) == before
