"""Suspense queue: allocate, refund with four eyes, write off — audited and role-checked."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError

from amanah.enums import StaffRole
from amanah.errors import DomainError
from payments.enums import (
    BillStatus,
    PaymentEventKind,
    PaymentStatus,
    ResolutionKind,
    ResolutionStatus,
    SuspenseReason,
)
from payments.models import Payment, Receipt, SuspenseResolution
from payments.services import (
    payment_record,
    refund_approve,
    refund_reject,
    refund_request,
    suspense_allocate,
    suspense_write_off,
)
from tests.factories import (
    CitizenFactory,
    DepartmentFactory,
    MunicipalityFactory,
    StaffMembershipFactory,
)

from .factories import UNKNOWN_ACCOUNT, bill_make

pytestmark = pytest.mark.django_db

IBAN = "SA0380000000608010167519"


@pytest.fixture
def municipality():
    return MunicipalityFactory(municipality_class=2)


def staff(municipality, role, department_code="finance"):
    from amanah.models import Department

    department = (Department.objects.filter(municipality=municipality, code=department_code)
                  .first() or DepartmentFactory(municipality=municipality, code=department_code))
    return StaffMembershipFactory(department=department, role=role).user


@pytest.fixture
def cashier(municipality):
    return staff(municipality, StaffRole.CASHIER)


@pytest.fixture
def head(municipality):
    return staff(municipality, StaffRole.HEAD)


def suspense_payment(*, bill=None, amount="150.00", sptn="SP1"):
    from amanah import clock

    return payment_record(sptn=sptn, amount=Decimal(amount),
                          billing_account=bill.billing_account if bill else UNKNOWN_ACCOUNT,
                          bank_id="RJHISARI", channel="ATM", method="CASH",
                          processed_at=clock.now()).payment


def test_suspense_payment_allocated_to_a_bill_pays_it(municipality, cashier):
    # given an unknown-bill payment of 150.00 and an open bill of 150.00
    payment = suspense_payment()
    bill = bill_make(amount="150.00", municipality=municipality)
    # when a cashier allocates it
    resolution = suspense_allocate(payment_id=payment.pk, bill_id=bill.pk, actor=cashier,
                                   reason="citizen typed a wrong number")
    # then the bill is paid by it, with a receipt, and the act is audited
    payment.refresh_from_db()
    bill.refresh_from_db()
    assert (payment.status, payment.bill_id, payment.suspense_reason) == (
        PaymentStatus.APPLIED, bill.pk, "")
    assert (bill.status, bill.amount_paid) == (BillStatus.PAID, Decimal("150.00"))
    assert Receipt.objects.filter(payment=payment, bill=bill).count() == 1
    assert (resolution.kind, resolution.status, resolution.requested_by, resolution.decided_by) \
        == (ResolutionKind.ALLOCATE, ResolutionStatus.DONE, cashier, cashier)
    assert list(payment.events.values_list("kind", "actor")) == [
        (PaymentEventKind.RECORDED, None), (PaymentEventKind.ALLOCATED, cashier.pk)]


def test_allocation_to_a_bill_of_another_amount_is_refused(municipality, cashier, db_snapshot,
                                                           queued):
    payment = suspense_payment(amount="100.00")
    bill = bill_make(amount="150.00", municipality=municipality)
    before = db_snapshot()
    with queued() as tasks, pytest.raises(DomainError) as refused:
        suspense_allocate(payment_id=payment.pk, bill_id=bill.pk, actor=cashier,
                          reason="citizen typed a wrong number")
    assert refused.value.code == "resolution.bill_not_matching"
    assert db_snapshot() == before
    assert tasks == []


def test_refund_needs_a_second_person(municipality, cashier, head, db_snapshot):
    # given an overpayment in suspense and a cashier's refund request
    bill = bill_make(amount="150.00", municipality=municipality)
    payment = suspense_payment(bill=bill, amount="200.00")
    assert payment.suspense_reason == SuspenseReason.OVERPAID
    request = refund_request(payment_id=payment.pk, actor=cashier, reason="overpaid by 50",
                             iban=IBAN)
    assert request.status == ResolutionStatus.REQUESTED
    before = db_snapshot()
    # when the requester tries to approve it
    with pytest.raises(DomainError) as refused:
        refund_approve(resolution_id=request.pk, actor=cashier)
    # then it is refused and nothing changes
    assert refused.value.code == "resolution.four_eyes"
    assert db_snapshot() == before
    # and when the head of finance approves it, the payment is refunded
    refund_approve(resolution_id=request.pk, actor=head)
    payment.refresh_from_db()
    request.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert (request.status, request.decided_by) == (ResolutionStatus.DONE, head)
    assert list(payment.events.values_list("kind", flat=True)) == [
        "recorded", "refund_requested", "refund_approved", "refunded"]
    # and the bill is untouched
    assert bill.__class__.objects.get(pk=bill.pk).status == BillStatus.UNPAID


def test_head_cannot_approve_their_own_refund_request(municipality, head, db_snapshot):
    payment = suspense_payment()
    request = refund_request(payment_id=payment.pk, actor=head, reason="unknown bill",
                             iban=IBAN)
    before = db_snapshot()
    with pytest.raises(DomainError) as refused:
        refund_approve(resolution_id=request.pk, actor=head)
    assert refused.value.code == "resolution.four_eyes"
    assert db_snapshot() == before


def test_a_cashier_cannot_approve_a_refund(municipality, cashier, db_snapshot):
    payment = suspense_payment()
    request = refund_request(payment_id=payment.pk, actor=cashier, reason="unknown bill",
                             iban=IBAN)
    other_cashier = staff(municipality, StaffRole.CASHIER)
    before = db_snapshot()
    with pytest.raises(DomainError) as refused:
        refund_approve(resolution_id=request.pk, actor=other_cashier)
    assert refused.value.code == "payments.not_finance_staff"
    assert db_snapshot() == before


def test_the_database_itself_refuses_a_self_approved_refund(cashier):
    payment = suspense_payment()
    from amanah import clock

    with pytest.raises(IntegrityError):
        SuspenseResolution.objects.create(
            payment=payment, kind=ResolutionKind.REFUND, status=ResolutionStatus.DONE,
            amount=payment.amount, reason="x", requested_by=cashier, requested_at=clock.now(),
            decided_by=cashier, decided_at=clock.now())


def test_rejected_refund_leaves_the_payment_in_suspense(municipality, cashier, head):
    payment = suspense_payment()
    request = refund_request(payment_id=payment.pk, actor=cashier, reason="unknown bill",
                             iban=IBAN)
    refund_reject(resolution_id=request.pk, actor=head, reason="citizen will be billed")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUSPENSE
    assert SuspenseResolution.objects.get(pk=request.pk).status == ResolutionStatus.REJECTED
    # and it can be decided only once
    with pytest.raises(DomainError) as refused:
        refund_approve(resolution_id=request.pk, actor=head)
    assert refused.value.code == "resolution.already_decided"


def test_second_open_refund_request_is_refused(cashier):
    payment = suspense_payment()
    refund_request(payment_id=payment.pk, actor=cashier, reason="unknown bill", iban=IBAN)
    with pytest.raises(DomainError) as refused:
        refund_request(payment_id=payment.pk, actor=cashier, reason="again please", iban=IBAN)
    assert refused.value.code == "resolution.request_open"
    assert SuspenseResolution.objects.count() == 1


def test_write_off_needs_a_reason_and_the_head(municipality, cashier, head, db_snapshot):
    payment = suspense_payment(amount="0.50")
    before = db_snapshot()
    with pytest.raises(DomainError) as by_cashier:
        suspense_write_off(payment_id=payment.pk, actor=cashier, reason="bank fee remainder")
    with pytest.raises(DomainError) as without_reason:
        suspense_write_off(payment_id=payment.pk, actor=head, reason="  ")
    assert (by_cashier.value.code, without_reason.value.code) == (
        "payments.not_finance_staff", "resolution.reason_required")
    assert db_snapshot() == before
    suspense_write_off(payment_id=payment.pk, actor=head, reason="bank fee remainder")
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.WRITTEN_OFF


def test_applied_payment_is_not_in_suspense(municipality, cashier):
    bill = bill_make(amount="150.00", municipality=municipality)
    payment = suspense_payment(bill=bill, amount="150.00")
    assert payment.status == PaymentStatus.APPLIED
    with pytest.raises(DomainError) as refused:
        refund_request(payment_id=payment.pk, actor=cashier, reason="changed mind", iban=IBAN)
    assert refused.value.code == "payment.not_in_suspense"


@pytest.mark.parametrize("who", ["anonymous", "citizen", "clerk_same_municipality",
                                 "cashier_outside_finance", "finance_of_another_municipality"])
def test_only_finance_staff_of_the_bill_municipality_work_its_suspense(municipality, who,
                                                                       db_snapshot, queued):
    # given an underpayment on a bill of this municipality
    bill = bill_make(amount="150.00", municipality=municipality)
    payment = suspense_payment(bill=bill, amount="100.00")
    actor = {
        "anonymous": lambda: AnonymousUser(),
        "citizen": lambda: CitizenFactory().user,
        "clerk_same_municipality": lambda: staff(municipality, StaffRole.CLERK),
        "cashier_outside_finance": lambda: staff(municipality, StaffRole.CASHIER, "licensing"),
        "finance_of_another_municipality": lambda: staff(MunicipalityFactory(),
                                                         StaffRole.HEAD),
    }[who]()
    before = db_snapshot()
    with queued() as tasks, pytest.raises(DomainError) as refused:
        refund_request(payment_id=payment.pk, actor=actor, reason="underpaid", iban=IBAN)
    assert refused.value.code == "payments.not_finance_staff"
    assert db_snapshot() == before
    assert tasks == []
