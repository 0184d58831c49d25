"""A sampled instant licence ends with a planned SAMPLE inspection: permits' sampling hook
hands the sample to violations, which plans it by the sample's due date with the activity's
checklist (or the general one) and answers with the inspection's number."""

import pytest
from django.db import transaction

from amanah.enums import OwningApp, RolloutState
from permits.enums import ApplicationStatus, SampleInspectionStatus
from permits.licences.sampling import sample_inspection_offer
from permits.models import Application, Permit, SampleInspection
from permits.services.applications import application_lock, application_status_change
from permits.services.lifecycle import application_lifecycle_settle
from tests.factories import EServiceFactory, EServiceRolloutFactory
from tests.permits.licences.core_helpers import world_on_today
from tests.permits.licences.factories import GROCERY, licence_draft_make
from tests.violations.factories import catalogue_make, checklist_make
from violations.enums import InspectionEventKind, InspectionKind, InspectionStatus, OffenderKind
from violations.models import Checklist, Inspection

pytestmark = pytest.mark.django_db


def _instant_issued(world) -> Permit:
    """An instant grocery licence whose (no) fees are settled: issued, and counted for
    sampling."""
    application = licence_draft_make(world, activities=(GROCERY,))
    with transaction.atomic():
        locked = application_lock(application.pk)
        for status in (ApplicationStatus.IN_REVIEW, ApplicationStatus.AWAITING_FEE):
            application_status_change(application=locked, to_status=status)
    application_lifecycle_settle(application_id=application.pk)
    return Permit.objects.get(application=application)


def _violations_in_service(world, state=RolloutState.LIVE):
    service = EServiceFactory(code="violation", owning_app=OwningApp.VIOLATIONS)
    EServiceRolloutFactory(eservice=service, municipality=world.municipality, state=state)
    return checklist_make(catalogue_make())


@pytest.fixture
def world(clock, settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = tmp_path / "media"
    return world_on_today(clock)


def test_the_fifth_grocery_is_sampled_and_a_sample_inspection_is_planned(
        world, django_capture_on_commit_callbacks):
    # given violations in service in the municipality, and a checklist for groceries
    _violations_in_service(world)
    grocery = Checklist.objects.create(code="grocery", name_ar="بقالة", name_en="Grocery",
                                       activity_code=GROCERY)
    # when five grocery licences are issued instantly (20 %: the 5th is sampled)
    with django_capture_on_commit_callbacks(execute=True):
        permits = [_instant_issued(world) for _ in range(5)]
    # then the sample is handed over to violations with the planned inspection's number
    sample = SampleInspection.objects.get()
    inspection = Inspection.objects.get()
    assert (sample.permit_id, sample.status, sample.reference) == (
        permits[4].pk, SampleInspectionStatus.HANDED_OVER, inspection.number)
    # and the inspection is a planned SAMPLE of that licence, by the sample's due date
    assert (inspection.kind, inspection.status, inspection.source_reference,
            inspection.permit_number, inspection.planned_for, inspection.checklist) == (
        InspectionKind.SAMPLE, InspectionStatus.PLANNED, permits[4].number,
        permits[4].number, sample.due_by, grocery)
    assert (inspection.offender_kind, inspection.establishment, inspection.offender_key,
            inspection.activity_codes, inspection.inspector) == (
        OffenderKind.ESTABLISHMENT, world.establishment,
        f"E:{world.establishment.unified_number}", [GROCERY], None)
    assert list(inspection.events.values_list("kind", flat=True)) == [
        InspectionEventKind.PLANNED]


def test_offered_again_the_handler_answers_with_the_same_inspection(world):
    _violations_in_service(world)
    permits = [_instant_issued(world) for _ in range(5)]
    sample = SampleInspection.objects.get()
    # when the sample is offered twice (a lost answer, a sweeper)
    first = sample_inspection_offer(sample_id=sample.pk)
    second = sample_inspection_offer(sample_id=sample.pk)
    from violations.planning import sample_inspection_take

    again = sample_inspection_take(SampleInspection.objects.get())
    # then one inspection, with the general checklist (no grocery checklist here)
    inspection = Inspection.objects.get()
    assert (first, second, again) == (inspection.number, None, inspection.number)
    assert (inspection.checklist.code, inspection.source_reference) == ("general",
                                                                        permits[4].number)


def test_where_violations_are_not_in_service_the_sample_stays_queued(world):
    _violations_in_service(world, state=RolloutState.OFF)
    [_instant_issued(world) for _ in range(5)]
    sample = SampleInspection.objects.get()
    assert sample_inspection_offer(sample_id=sample.pk) is None
    assert SampleInspection.objects.get().status == SampleInspectionStatus.QUEUED
    assert Inspection.objects.count() == 0
    assert Application.objects.count() == 5


def test_an_inspection_opened_by_licence_number_takes_the_holder_from_permits(world):
    # given violations in service and a licence of the establishment, whose size the
    # registry does not give (charged as medium)
    assert world.establishment.size == ""
    _violations_in_service(world)
    permit = _instant_issued(world)
    from violations.enums import ShareSize
    from violations.services.inspections import inspection_open

    # when the inspector opens an inspection by the licence's number
    inspection, _ = inspection_open(
        actor=world.inspector, municipality=world.municipality, checklist_code="general",
        offender_kind=OffenderKind.ESTABLISHMENT, permit_number=f" {permit.number} ")
    # then the holder, activities, place and size come from the licence
    assert (inspection.establishment, inspection.permit_number, inspection.activity_codes,
            inspection.offender_key, inspection.district, inspection.size) == (
        world.establishment, permit.number, [GROCERY],
        f"E:{world.establishment.unified_number}", world.district.code, ShareSize.MEDIUM)
    assert (inspection.latitude, inspection.longitude) == (world.parcel.latitude,
                                                           world.parcel.longitude)
