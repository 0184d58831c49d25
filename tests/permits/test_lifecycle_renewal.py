"""Renewal: inside the window the renewal stage is billed; after expiry, within the late window,
the late renewal fine too; before the window or after the late one it is refused with the
dates. Paid, the permit runs on from the later of today and its old last day."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.errors import DomainError, PermissionDenied
from amanah.events import audit_verify
from payments.models import Bill
from payments.sadad.simulator.bank import simulated_bank_pay
from payments.services.outbox import outbox_flush
from permits.enums import ApplicationKind, ApplicationStatus
from permits.models import Application, ApplicationFee, Permit, PermitEvent, PermitVersion
from permits.services.lifecycle import (
    application_lifecycle_settle,
    permit_renewal_start,
    permits_expire_due,
)
from tests.factories import CitizenFactory
from tests.permits.factories import permits_world

from .lifecycle_helpers import LATE_RENEWAL_FINE, day, lifecycle_fees_make, permit_make

pytestmark = pytest.mark.django_db

# Issued 1 December 2026 for 36 months: valid until 30 November 2029; renewal opens 90 days
# before (1 September 2029); a late renewal is possible for 180 days after (29 May 2030).
RENEWAL_FEE = Decimal("420.00")  # 1.00 per m² of the 420 m² built


@pytest.fixture
def world(clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    clock.set(day(2026, 12, 1))
    world = permits_world()
    lifecycle_fees_make(world)
    return world


def _pay(application, django_capture_on_commit_callbacks, *, stages=None):
    """Pay the application's bills at the simulated bank; on_paid's task runs after commit."""
    outbox_flush()
    for fee in ApplicationFee.objects.filter(application=application).select_related("bill"):
        if stages is None or fee.stage in stages:
            with django_capture_on_commit_callbacks(execute=True):
                simulated_bank_pay(billing_account=fee.bill.billing_account,
                                   amount=fee.bill.amount)


def _fees(application) -> list[tuple[str, Decimal]]:
    return list(ApplicationFee.objects.filter(application=application).order_by("id")
                .values_list("stage", "amount"))


def test_renewal_inside_the_window_bills_the_renewal_fee(world, clock, queued,
                                                         django_capture_on_commit_callbacks):
    permit = permit_make(world)
    # when the holder renews on 15 October 2029, inside the window
    clock.set(day(2029, 10, 15))
    application = permit_renewal_start(permit_id=permit.pk, user=world.owner.user)
    # then a renewal application waits for its fee: the renewal stage, exactly, to the owner
    assert (application.kind, application.status, application.permit) == (
        ApplicationKind.RENEWAL, ApplicationStatus.AWAITING_FEE, permit)
    assert _fees(application) == [("renewal", RENEWAL_FEE)]
    bill = Bill.objects.get(permit_fee__application=application)
    assert (bill.amount, bill.payer_person, bill.payable_ref) == (
        RENEWAL_FEE, world.owner, f"{application.reference}:renewal")
    assert Permit.objects.get(pk=permit.pk).valid_until == dt.date(2029, 11, 30)
    # when the bill is paid
    with queued() as tasks:
        _pay(application, django_capture_on_commit_callbacks)
    # then the permit runs 36 months more from its old last day, as version 2
    permit = Permit.objects.get(pk=permit.pk)
    assert (permit.status, permit.valid_until, permit.version) == (
        "valid", dt.date(2032, 11, 30), 2)
    assert list(PermitVersion.objects.filter(permit=permit).values_list(
        "version", "valid_until", "application")) == [
        (1, dt.date(2029, 11, 30), permit.application_id),
        (2, dt.date(2032, 11, 30), application.pk)]
    renewed = PermitEvent.objects.get(permit=permit, kind="renewed")
    assert (renewed.version, renewed.payload) == (2, {
        "application": application.reference, "valid_until": "2032-11-30",
        "previous_valid_until": "2029-11-30"})
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ISSUED
    # and its certificate is made again for the new version, the holder told
    assert ("permits.certificate_ensure", {"permit_id": permit.pk}) in tasks
    assert all(r.ok for r in audit_verify(chain="permit"))


def test_renewal_before_the_window_is_refused_with_the_date_it_opens(world, clock):
    permit = permit_make(world)
    clock.set(day(2029, 8, 31))
    with pytest.raises(DomainError) as refused:
        permit_renewal_start(permit_id=permit.pk, user=world.owner.user)
    assert refused.value.code == "permits.renewal_not_open"
    assert refused.value.message_en == (
        "Renewal is not open yet: you can renew from 22 Rabi al-Thani 1451 AH — "
        "1 September 2029.")
    assert "1 سبتمبر 2029 م" in refused.value.message_ar
    assert not Application.objects.filter(kind=ApplicationKind.RENEWAL).exists()
    assert not Bill.objects.exists()


def test_late_renewal_bills_the_fine_too_and_makes_the_permit_valid_again(
        world, clock, django_capture_on_commit_callbacks):
    # given a permit the nightly job expired
    permit = permit_make(world)
    clock.set(day(2030, 2, 1))
    assert permits_expire_due() == 1
    # when the holder renews late, on 1 February 2030
    application = permit_renewal_start(permit_id=permit.pk, user=world.owner.user)
    # then the renewal fee and the late renewal fine are billed, exactly
    assert _fees(application) == [("renewal", RENEWAL_FEE), ("late_renewal", LATE_RENEWAL_FINE)]
    # and paying only the renewal fee renews nothing yet
    _pay(application, django_capture_on_commit_callbacks, stages={"renewal"})
    assert Permit.objects.get(pk=permit.pk).status == "expired"
    # once the fine is paid too, the permit is valid for 36 months from today
    _pay(application, django_capture_on_commit_callbacks, stages={"late_renewal"})
    permit = Permit.objects.get(pk=permit.pk)
    assert (permit.status, permit.valid_until, permit.version) == (
        "valid", dt.date(2033, 1, 31), 2)
    assert list(PermitEvent.objects.filter(permit=permit).order_by("seq").values_list(
        "kind", "from_status", "to_status")) == [
        ("issued", "", "valid"), ("expired", "valid", "expired"),
        ("renewed", "expired", "valid"), ("certificate_made", "", "")]


def test_renewal_after_the_late_window_is_refused(world, clock):
    permit = permit_make(world)
    clock.set(day(2030, 5, 30))
    with pytest.raises(DomainError) as refused:
        permit_renewal_start(permit_id=permit.pk, user=world.owner.user)
    assert refused.value.code == "permits.renewal_too_late"
    assert refused.value.message_en == (
        "The late renewal period ended on 27 Muharram 1452 AH — 29 May 2030; apply for a "
        "new permit.")
    assert not Application.objects.filter(kind=ApplicationKind.RENEWAL).exists()
    assert not Bill.objects.exists()


def test_asking_again_gives_the_same_renewal_with_the_fine_added_once_late(world, clock):
    permit = permit_make(world)
    clock.set(day(2029, 11, 20))
    first = permit_renewal_start(permit_id=permit.pk, user=world.owner.user)
    assert permit_renewal_start(permit_id=permit.pk, user=world.owner.user).pk == first.pk
    assert _fees(first) == [("renewal", RENEWAL_FEE)]
    # unpaid past the last day, asking again adds the late renewal fine to the same renewal
    clock.set(day(2029, 12, 5))
    assert permit_renewal_start(permit_id=permit.pk, user=world.owner.user).pk == first.pk
    assert _fees(first) == [("renewal", RENEWAL_FEE), ("late_renewal", LATE_RENEWAL_FINE)]
    assert Application.objects.filter(kind=ApplicationKind.RENEWAL).count() == 1


def test_only_the_holder_renews(world, clock):
    permit = permit_make(world)
    clock.set(day(2029, 10, 15))
    for user in (CitizenFactory().user, world.office_worker.user, world.head):
        with pytest.raises(PermissionDenied):
            permit_renewal_start(permit_id=permit.pk, user=user)
    assert not Application.objects.filter(kind=ApplicationKind.RENEWAL).exists()


def test_settling_twice_renews_once(world, clock, django_capture_on_commit_callbacks):
    permit = permit_make(world)
    clock.set(day(2029, 10, 15))
    application = permit_renewal_start(permit_id=permit.pk, user=world.owner.user)
    _pay(application, django_capture_on_commit_callbacks)
    application_lifecycle_settle(application_id=application.pk)
    permit = Permit.objects.get(pk=permit.pk)
    assert (permit.version, permit.valid_until) == (2, dt.date(2032, 11, 30))
    assert PermitEvent.objects.filter(permit=permit, kind="renewed").count() == 1


def test_a_paid_renewal_whose_task_was_lost_is_settled_by_the_sweeper(world, clock):
    from amanah.celery import app

    permit = permit_make(world)
    clock.set(day(2029, 10, 15))
    application = permit_renewal_start(permit_id=permit.pk, user=world.owner.user)
    # given the bill paid, but the task its payment queued never ran (lost with the broker)
    outbox_flush()
    fee = ApplicationFee.objects.select_related("bill").get(application=application)
    simulated_bank_pay(billing_account=fee.bill.billing_account, amount=fee.bill.amount)
    assert ApplicationFee.objects.get(pk=fee.pk).paid_at is not None
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AWAITING_FEE
    # when the periodic sweeper runs
    assert app.tasks["permits.application_lifecycle_sweep"].apply().get() == 1
    # then the permit is renewed, once, and a second sweep finds nothing
    assert Permit.objects.get(pk=permit.pk).valid_until == dt.date(2032, 11, 30)
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ISSUED
    assert app.tasks["permits.application_lifecycle_sweep"].apply().get() == 0
