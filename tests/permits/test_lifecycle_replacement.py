"""Replacement of a lost certificate: the replacement stage is billed; once paid the count goes
up, a REPLACED event is written and the certificate is made again, marked as a replacement."""

from decimal import Decimal

import pytest

from amanah.errors import Conflict, DomainError
from payments.models import Bill
from payments.sadad.simulator.bank import simulated_bank_pay
from payments.services.outbox import outbox_flush
from permits.certificates import certificate_ensure, certificate_is_current
from permits.enums import ApplicationKind, ApplicationStatus
from permits.models import Application, Permit, PermitEvent
from permits.services.lifecycle import permit_replacement_request, permit_suspend
from tests.permits.factories import permits_world

from .lifecycle_helpers import REPLACEMENT_FEE, day, lifecycle_fees_make, permit_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    clock.set(day(2026, 12, 1))
    world = permits_world()
    lifecycle_fees_make(world)
    return world


def test_a_paid_replacement_makes_the_certificate_again_marked_as_such(
        world, clock, django_capture_on_commit_callbacks):
    # given a permit with its certificate made
    permit = permit_make(world)
    permit = certificate_ensure(permit_id=permit.pk)
    first_certificate = permit.certificate.name
    # when its holder reports it lost, a month later
    clock.set(day(2027, 1, 5))
    application = permit_replacement_request(permit_id=permit.pk, user=world.owner.user,
                                             reason="فُقدت الشهادة")
    # then the replacement fee is billed, exactly
    assert (application.kind, application.status) == (ApplicationKind.REPLACEMENT,
                                                      ApplicationStatus.AWAITING_FEE)
    bill = Bill.objects.get(permit_fee__application=application)
    assert (bill.amount, bill.payer_person) == (REPLACEMENT_FEE, world.owner)
    assert application.events.get(kind="created").reason == "فُقدت الشهادة"
    # when it is paid (the certificate task runs after the commit, as the worker would)
    outbox_flush()
    with django_capture_on_commit_callbacks(execute=True):
        simulated_bank_pay(billing_account=bill.billing_account, amount=Decimal("150.00"))
    # then the permit counts one replacement, same version, and its new certificate says so
    permit = Permit.objects.get(pk=permit.pk)
    assert (permit.replacement_count, permit.version, permit.status) == (1, 1, "valid")
    assert list(PermitEvent.objects.filter(permit=permit).order_by("seq")
                .values_list("kind", flat=True)) == [
        "issued", "certificate_made", "replaced", "certificate_made"]
    assert PermitEvent.objects.filter(kind="certificate_made").last().payload["replacement"]
    assert permit.certificate.name != first_certificate and certificate_is_current(permit)
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ISSUED


def test_a_replacement_needs_a_reason_and_a_valid_permit(world):
    permit = permit_make(world)
    with pytest.raises(DomainError) as refused:
        permit_replacement_request(permit_id=permit.pk, user=world.owner.user, reason=" ")
    assert (refused.value.code, refused.value.field) == ("permits.replacement_reason_required",
                                                         "reason")
    permit_suspend(permit_id=permit.pk, actor=world.head, reason="مخالفة")
    with pytest.raises(Conflict) as refused:
        permit_replacement_request(permit_id=permit.pk, user=world.owner.user, reason="فُقدت")
    assert refused.value.code == "permits.replacement_status"
    assert not Application.objects.filter(kind=ApplicationKind.REPLACEMENT).exists()
    assert not Bill.objects.exists()


def test_asking_twice_gives_the_same_request_and_one_bill(world):
    permit = permit_make(world)
    first = permit_replacement_request(permit_id=permit.pk, user=world.owner.user,
                                       reason="فُقدت")
    again = permit_replacement_request(permit_id=permit.pk, user=world.owner.user,
                                       reason="فُقدت")
    assert again.pk == first.pk and Bill.objects.count() == 1
