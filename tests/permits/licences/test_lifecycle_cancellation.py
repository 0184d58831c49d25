"""Cancelling a licence at the holder's request: 50.00 per whole month left (a part month
counts whole), nothing billed — and cancelled at once — when no month is left; once paid, the
licence and its valid or suspended sub-permits are cancelled with the holder's reason."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.errors import Conflict, DomainError, PermissionDenied
from amanah.events import audit_verify
from payments.models import Bill
from permits.enums import ApplicationKind, ApplicationStatus, PermitStatus
from permits.licences.lifecycle import (
    CancellationQuote,
    licence_cancellation_quote,
    licence_cancellation_request,
    months_left,
)
from permits.models import Application, Permit, PermitEvent
from permits.services.lifecycle import permit_suspend, permits_expire_due
from tests.permits.lifecycle_helpers import day

from .factories import GOOD_LICENCE_ANSWERS, licence_issue_make, licence_world
from .life_helpers import fees, pay, sub_permit_make

pytestmark = pytest.mark.django_db

P = PermitStatus


@pytest.fixture
def world(clock):
    # Issued 1 December 2026 for 1 year: valid until 30 November 2027.
    clock.set(day(2026, 12, 1))
    return licence_world()


@pytest.mark.parametrize("today, valid_until, months", [
    (dt.date(2027, 11, 30), dt.date(2027, 11, 30), 0),  # its last day: nothing left
    (dt.date(2027, 12, 5), dt.date(2027, 11, 30), 0),  # already over
    (dt.date(2027, 11, 29), dt.date(2027, 11, 30), 1),  # one day left: a month
    (dt.date(2027, 8, 30), dt.date(2027, 11, 30), 3),  # exactly 3 months
    (dt.date(2027, 8, 29), dt.date(2027, 11, 30), 4),  # 3 months and a day
    (dt.date(2026, 12, 30), dt.date(2027, 11, 30), 11),  # exactly 11 months
    (dt.date(2026, 12, 29), dt.date(2027, 11, 30), 12),  # 11 months and 1 day: 12
    (dt.date(2027, 1, 31), dt.date(2027, 2, 28), 1),  # the 31st + 1 month is 28 February
])
def test_months_left_round_a_part_month_up(today, valid_until, months):
    assert months_left(valid_until, today=today) == months


def test_the_quote_is_50_a_month_left(world):
    licence = licence_issue_make(world)
    assert licence_cancellation_quote(licence, today=dt.date(2027, 8, 30)) == CancellationQuote(
        months_left=3, amount=Decimal("150.00"))
    assert licence_cancellation_quote(licence, today=dt.date(2026, 12, 1)) == CancellationQuote(
        months_left=12, amount=Decimal("600.00"))
    assert licence_cancellation_quote(licence, today=dt.date(2027, 11, 30)) == CancellationQuote(
        months_left=0, amount=Decimal("0.00"))


def test_a_paid_cancellation_cancels_the_licence_and_its_sub_permits(
        world, clock, queued, django_capture_on_commit_callbacks):
    # given a licence with a valid sign permit and a suspended one
    licence = licence_issue_make(world)
    sign = sub_permit_make(world, licence)
    suspended_sign = sub_permit_make(world, licence)
    permit_suspend(permit_id=suspended_sign.pk, actor=world.head, reason="لوحة مخالفة")
    # when the delegate asks to cancel it on 30 August 2027 (3 months left)
    clock.set(day(2027, 8, 30))
    application = licence_cancellation_request(permit_id=licence.pk, user=world.delegate.user,
                                               reason="إغلاق المحل")
    # then a cancellation application waits for 3 × 50.00, billed to the establishment
    assert (application.kind, application.status, application.case_id) == (
        ApplicationKind.CANCELLATION, ApplicationStatus.AWAITING_FEE, None)
    assert fees(application) == [("cancellation", Decimal("150.00"))]
    bill = Bill.objects.get(permit_fee__application=application)
    assert (bill.payer_establishment, bill.payable_ref) == (
        world.establishment, f"{application.reference}:cancellation")
    assert Permit.objects.get(pk=licence.pk).status == P.VALID
    # and asking again returns the same request
    assert licence_cancellation_request(permit_id=licence.pk, user=world.delegate.user,
                                        reason="مرة أخرى").pk == application.pk
    # when it is paid
    with queued() as tasks:
        pay(application, django_capture_on_commit_callbacks)
    # then the licence and both sign permits are cancelled with the holder's reason
    assert [Permit.objects.get(pk=p.pk).status for p in (licence, sign, suspended_sign)] == [
        P.CANCELLED, P.CANCELLED, P.CANCELLED]
    cancelled = PermitEvent.objects.get(permit=licence, kind="cancelled")
    assert (cancelled.reason, cancelled.payload) == ("إغلاق المحل", {
        "application": application.reference, "at_holders_request": True})
    assert PermitEvent.objects.get(permit=sign, kind="cancelled").payload == {
        "application": application.reference, "at_holders_request": True,
        "with_parent": licence.number}
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ISSUED
    # and each holder is told by SMS
    assert [name for name, _ in tasks].count("permits.permit_notify_holder") == 3
    assert all(r.ok for r in audit_verify(chain="permit"))


def test_with_no_month_left_it_is_cancelled_at_once_without_a_bill(world, clock, queued):
    licence = licence_issue_make(world)
    clock.set(day(2027, 11, 30))
    with queued() as tasks:
        application = licence_cancellation_request(permit_id=licence.pk,
                                                   user=world.delegate.user, reason="نقل النشاط")
    assert (application.status, fees(application)) == (ApplicationStatus.ISSUED, [])
    assert not Bill.objects.exists()
    assert Permit.objects.get(pk=licence.pk).status == P.CANCELLED
    assert ("permits.permit_notify_holder",
            {"event_id": PermitEvent.objects.get(permit=licence, kind="cancelled").pk}) in tasks


def test_a_suspended_licence_can_be_cancelled_at_the_holders_request(world, clock):
    licence = licence_issue_make(world)
    permit_suspend(permit_id=licence.pk, actor=world.head, reason="مخالفة")
    clock.set(day(2027, 11, 30))
    licence_cancellation_request(permit_id=licence.pk, user=world.delegate.user,
                                 reason="إغلاق")
    assert Permit.objects.get(pk=licence.pk).status == P.CANCELLED


def test_refusals_change_nothing(world, clock):
    licence = licence_issue_make(world)
    expired = licence_issue_make(world, answers=dict(GOOD_LICENCE_ANSWERS))
    with pytest.raises(DomainError) as refused:
        licence_cancellation_request(permit_id=licence.pk, user=world.delegate.user,
                                     reason="  ")
    assert (refused.value.code, refused.value.field) == (
        "permits.cancellation_reason_required", "reason")
    for who in (world.other_delegate, world.citizen):
        with pytest.raises(PermissionDenied) as refused:
            licence_cancellation_request(permit_id=licence.pk, user=who.user, reason="إغلاق")
        assert refused.value.code == "permits.not_holder"
    sign = sub_permit_make(world, licence)
    with pytest.raises(Conflict) as refused:
        licence_cancellation_request(permit_id=sign.pk, user=world.delegate.user,
                                     reason="إزالة اللوحة")
    assert refused.value.code == "permits.cancellation_not_offered"
    clock.set(day(2027, 12, 2))
    permits_expire_due()
    with pytest.raises(Conflict) as refused:
        licence_cancellation_request(permit_id=expired.pk, user=world.delegate.user,
                                     reason="إغلاق")
    assert refused.value.code == "permits.cancellation_status"
    assert refused.value.message_en == "An expired or cancelled licence cannot be cancelled."
    assert not Application.objects.filter(kind=ApplicationKind.CANCELLATION).exists()
    assert not Bill.objects.exists()
    # nothing was cancelled: the licences (and the sign with them) expired by the nightly job
    assert [Permit.objects.get(pk=p.pk).status for p in (licence, sign)] == [
        P.EXPIRED, P.EXPIRED]


def test_a_licence_that_expired_before_the_fee_was_paid_is_not_cancelled(
        world, clock, django_capture_on_commit_callbacks):
    licence = licence_issue_make(world)
    clock.set(day(2027, 11, 29))
    application = licence_cancellation_request(permit_id=licence.pk, user=world.delegate.user,
                                               reason="إغلاق")
    clock.set(day(2027, 12, 1))
    permits_expire_due()
    pay(application, django_capture_on_commit_callbacks)
    assert Permit.objects.get(pk=licence.pk).status == P.EXPIRED
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.WITHDRAWN
