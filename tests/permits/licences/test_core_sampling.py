"""Sampling instantly issued licences: systematic and exact — at 20 % the 5th and 10th
licence, at 10 % the 10th — each with a SAMPLE_QUEUED event, and handed over to a registered
handler, which then holds it."""

import pytest
from django.db import transaction

from permits.enums import ApplicationStatus, PermitEventKind, SampleInspectionStatus
from permits.licences.sampling import (
    sample_inspection_handler_register,
    sample_inspection_handler_unregister,
    sample_inspection_status_change,
    sampling_activity,
)
from permits.models import Application, Permit, PermitEvent, SampleInspection
from permits.services.applications import application_lock, application_status_change
from permits.services.lifecycle import application_lifecycle_settle

from .core_helpers import files_kept_apart, world_on_today
from .factories import BARBER, GROCERY, RESTAURANT, licence_draft_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]


@pytest.fixture
def private_files(settings, tmp_path):
    return files_kept_apart(settings, tmp_path)


@pytest.fixture
def world(clock):
    return world_on_today(clock)


def _instant_paid_settled(world, activities) -> Permit:
    """A licence application awaiting its (paid: none billed) fees without a case, settled
    by the lifecycle settler of kind NEW — the instant path's settlement."""
    application = licence_draft_make(world, activities=activities)
    with transaction.atomic():
        locked = application_lock(application.pk)
        for status in (ApplicationStatus.IN_REVIEW, ApplicationStatus.AWAITING_FEE):
            application_status_change(application=locked, to_status=status)
    application_lifecycle_settle(application_id=application.pk)
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ISSUED
    return Permit.objects.get(application=application)


def _sampled(permits) -> list[int]:
    chosen = set(SampleInspection.objects.values_list("permit_id", flat=True))
    return [n for n, permit in enumerate(permits, start=1) if permit.pk in chosen]


def test_ten_groceries_at_20_percent_sample_the_5th_and_the_10th(world):
    permits = [_instant_paid_settled(world, (GROCERY,)) for _ in range(10)]
    assert _sampled(permits) == [5, 10]
    assert PermitEvent.objects.filter(kind=PermitEventKind.SAMPLE_QUEUED).count() == 2
    assert list(SampleInspection.objects.order_by("pk").values_list(
        "status", "rate_percent")) == [("queued", 20), ("queued", 20)]


def test_ten_barbers_at_10_percent_sample_the_10th_only(world):
    permits = [_instant_paid_settled(world, (BARBER,)) for _ in range(10)]
    assert _sampled(permits) == [10]


def test_the_highest_rate_counts_a_licence_of_several_activities(world):
    activities = world.activities
    assert sampling_activity([activities[BARBER], activities[GROCERY]]).code == GROCERY
    activities[BARBER].sample_inspection_percent = 20
    assert sampling_activity([activities[GROCERY], activities[BARBER]]).code == GROCERY  # tie
    assert sampling_activity([activities[RESTAURANT]]) is None


def test_a_registered_handler_takes_the_samples_over(world, django_capture_on_commit_callbacks):
    offered = []

    def inspection_plan(sample):
        offered.append(sample.permit_id)
        return f"VIS-{sample.permit_id}"

    sample_inspection_handler_register(inspection_plan)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            permits = [_instant_paid_settled(world, (GROCERY,)) for _ in range(5)]
    finally:
        sample_inspection_handler_unregister(inspection_plan)
    sample = SampleInspection.objects.get()
    assert offered == [permits[4].pk]
    assert (sample.permit_id, sample.status, sample.reference, sample.handed_to.split(".")[-1],
            sample.handed_at is not None) == (
        permits[4].pk, SampleInspectionStatus.HANDED_OVER, f"VIS-{permits[4].pk}",
        "inspection_plan", True)


def test_a_sample_moves_only_forward(world):
    permits = [_instant_paid_settled(world, (GROCERY,)) for _ in range(5)]
    sample = SampleInspection.objects.get(permit=permits[4])
    sample_inspection_status_change(sample=sample, to_status=SampleInspectionStatus.DONE)
    with pytest.raises(Exception) as refused:
        sample_inspection_status_change(sample=sample,
                                        to_status=SampleInspectionStatus.QUEUED)
    assert refused.value.code == "permits.sample_status_refused"
    assert SampleInspection.objects.get(pk=sample.pk).status == SampleInspectionStatus.DONE
