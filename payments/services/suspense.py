"""Suspense payments: allocated to a bill, refunded (four eyes) or written off, all audited."""

import re

from django.db import transaction

from amanah import clock
from amanah.dispatch import task_on_commit
from amanah.enums import MunicipalityKind, StaffRole
from amanah.errors import Conflict, DomainError, NotFound, PermissionDenied
from amanah.models import Department
from amanah.permissions import user_departments
from amanah.statuses import StatusTransitions, row_lock_ensure

from ..enums import PaymentEventKind, PaymentStatus, ResolutionKind, ResolutionStatus
from ..locks import (
    bill_qs_for_update,
    locked_first,
    payment_qs_for_update,
    resolution_qs_for_update,
)
from ..models import Payment, SuspenseResolution
from .payments import (
    bill_pay,
    payment_disposition,
    payment_event_record,
    payment_status_change,
)

# Who may work the suspense queue, and who may approve money leaving the municipality:
# roles held in a finance department.
FINANCE_DEPARTMENT_CODE = "finance"
FINANCE_ROLES = (StaffRole.CASHIER, StaffRole.HEAD)
REFUND_APPROVER_ROLES = (StaffRole.HEAD,)


def finance_departments(user, roles) -> list[Department]:
    return [d for d in user_departments(user, roles=roles) if d.code == FINANCE_DEPARTMENT_CODE]


def finance_check(user, *, payment: Payment, roles=FINANCE_ROLES) -> None:
    """Finance staff of the bill's municipality (or of the Amanah, which oversees all);
    a payment for no known bill may be worked by finance staff anywhere."""
    _finance_check(user, municipality_id=payment.bill.municipality_id if payment.bill_id
                   else None, roles=roles)


def _finance_check(user, *, municipality_id: int | None, roles) -> None:
    if getattr(user, "is_superuser", False) and user.is_active:
        return
    departments = finance_departments(user, roles)
    if municipality_id is None:
        allowed = bool(departments)
    else:
        allowed = any(d.municipality_id == municipality_id
                      or d.municipality.kind == MunicipalityKind.AMANAH for d in departments)
    if not allowed:
        raise PermissionDenied("payments.not_finance_staff",
                               "هذا الإجراء لموظفي المالية المخولين فقط.",
                               "Only authorised finance staff may do this.")


# Where a refund request may go: decided once, by someone other than who asked.
RESOLUTION_TRANSITIONS = StatusTransitions("resolution", ResolutionStatus, {
    ResolutionStatus.REQUESTED: {ResolutionStatus.DONE, ResolutionStatus.REJECTED},
})


def resolution_decide(*, resolution: SuspenseResolution, to_status: str, actor, payment: Payment,
                      reason: str = "") -> None:
    """The one writer of `SuspenseResolution.status` once it is requested: under its lock,
    only along RESOLUTION_TRANSITIONS, the decision recorded on the payment's chain."""
    row_lock_ensure(resolution, resolution_qs_for_update())
    RESOLUTION_TRANSITIONS.check(resolution.status, to_status)
    from_status = resolution.status
    resolution.status = to_status
    resolution.decided_by = actor
    resolution.decided_at = clock.now()
    resolution.save(update_fields=["status", "decided_by", "decided_at"])
    approved = to_status == ResolutionStatus.DONE
    payload = {"resolution": resolution.pk}
    if approved:
        payload["iban"] = resolution.refund_iban
    payment_event_record(
        payment=payment, actor=actor, reason=reason, payload=payload,
        kind=PaymentEventKind.REFUND_APPROVED if approved else PaymentEventKind.REFUND_REJECTED,
        statuses=(from_status, to_status))


def _payer_notify(event) -> None:
    """The payer hears what staff decided about their held money (see payments/notices.py)."""
    task_on_commit("payments.payment_notify_payer", event_id=event.pk)


def _payment_in_suspense(payment_id: int) -> Payment:
    payment = locked_first(payment_qs_for_update().select_related("bill__municipality")
                           .filter(pk=payment_id))
    if payment is None:
        raise NotFound("payment.not_found", "الدفعة غير موجودة.", "No such payment.")
    if payment.status != PaymentStatus.SUSPENSE:
        raise Conflict("payment.not_in_suspense", "الدفعة ليست معلقة.",
                       "This payment is not in suspense.")
    return payment


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise DomainError("resolution.reason_required", "اكتب سبباً واضحاً (٥ أحرف على الأقل).",
                          "Write a clear reason (at least 5 characters).", field="reason")
    return reason[:500]


def _no_open_request(payment: Payment) -> None:
    if SuspenseResolution.objects.filter(payment=payment,
                                         status=ResolutionStatus.REQUESTED).exists():
        raise Conflict("resolution.request_open", "يوجد طلب استرداد قيد الاعتماد لهذه الدفعة.",
                       "A refund request for this payment is awaiting approval.")


def _finance_municipality_ids(user, roles) -> set[int] | None:
    """The municipalities whose bills `user` may work on as finance staff; None for all (the
    Amanah's finance staff oversee every branch, as do superusers)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    departments = finance_departments(user, roles)
    if any(d.municipality.kind == MunicipalityKind.AMANAH for d in departments):
        return None
    return {d.municipality_id for d in departments}


def _bill_in_scope_for_update(user, *, bill_id: int | None, billing_account: str | None):
    """The target bill, locked, looked for only among the bills `user` may work on.

    The scope is part of the one query that looks for the bill, so a bill of another
    municipality is, to the caller, exactly a bill that does not exist: the same answer after
    the same work, and nothing about it (its amount, its status) is judged or locked first."""
    if (bill_id is None) == (billing_account is None):
        raise TypeError("give exactly one of bill_id and billing_account")
    bills = bill_qs_for_update().select_related("municipality")
    bills = (bills.filter(pk=bill_id) if bill_id is not None
             else bills.filter(billing_account=billing_account))
    municipality_ids = _finance_municipality_ids(user, FINANCE_ROLES)
    if municipality_ids is not None:
        bills = bills.filter(municipality_id__in=municipality_ids)
    bill = locked_first(bills)
    if bill is None:
        raise NotFound("bill.not_found", "الفاتورة غير موجودة.", "No such bill.", field="bill")
    return bill


@transaction.atomic
def suspense_allocate(*, payment_id: int, actor, reason: str, bill_id: int | None = None,
                      billing_account: str | None = None) -> SuspenseResolution:
    """Applies a suspense payment to an open bill of the same amount in the actor's scope
    (the bill given by its id or by its number)."""
    payment = _payment_in_suspense(payment_id)
    finance_check(actor, payment=payment)
    reason = _reason_required(reason)
    _no_open_request(payment)
    bill = _bill_in_scope_for_update(actor, bill_id=bill_id, billing_account=billing_account)
    status, why = payment_disposition(bill=bill, amount=payment.amount)
    if status != PaymentStatus.APPLIED:
        raise Conflict("resolution.bill_not_matching",
                       "لا يمكن تخصيص الدفعة لهذه الفاتورة (غير مستحقة أو المبلغ مختلف).",
                       "The payment cannot pay this bill (not payable, or another amount).",
                       field="bill")
    now = clock.now()
    resolution = SuspenseResolution.objects.create(
        payment=payment, kind=ResolutionKind.ALLOCATE, status=ResolutionStatus.DONE,
        amount=payment.amount, target_bill=bill, reason=reason, requested_by=actor,
        requested_at=now, decided_by=actor, decided_at=now)
    previous_bill = payment.bill.billing_account if payment.bill_id else None
    event = payment_status_change(
        payment=payment, to_status=PaymentStatus.APPLIED, kind=PaymentEventKind.ALLOCATED,
        actor=actor, reason=reason,
        payload={"bill": bill.billing_account, "previous_bill": previous_bill,
                 "resolution": resolution.pk},
        changes={"bill": bill, "suspense_reason": ""})
    bill_pay(bill=bill, payment=payment, actor=actor)
    _payer_notify(event)
    return resolution


_IBAN = re.compile(r"SA\d{22}", re.ASCII)


@transaction.atomic
def refund_request(*, payment_id: int, actor, reason: str, iban: str) -> SuspenseResolution:
    """Asks to give a suspense payment back; someone else with the approver role decides."""
    payment = _payment_in_suspense(payment_id)
    finance_check(actor, payment=payment)
    reason = _reason_required(reason)
    iban = re.sub(r"\s", "", iban or "").upper()
    if not _IBAN.fullmatch(iban):
        raise DomainError("resolution.bad_iban", "رقم الآيبان السعودي يبدأ بـ SA ويليه ٢٢ رقماً.",
                          "A Saudi IBAN is SA followed by 22 digits.", field="iban")
    _no_open_request(payment)
    resolution = SuspenseResolution.objects.create(
        payment=payment, kind=ResolutionKind.REFUND, status=ResolutionStatus.REQUESTED,
        amount=payment.amount, reason=reason, refund_iban=iban, requested_by=actor,
        requested_at=clock.now())
    payment_event_record(payment=payment, kind=PaymentEventKind.REFUND_REQUESTED, actor=actor,
                         reason=reason, payload={"resolution": resolution.pk},
                         statuses=("", ResolutionStatus.REQUESTED))
    return resolution


def _open_refund(resolution_id: int) -> SuspenseResolution:
    resolution = locked_first(resolution_qs_for_update().filter(pk=resolution_id))
    if resolution is None or resolution.kind != ResolutionKind.REFUND:
        raise NotFound("resolution.not_found", "طلب الاسترداد غير موجود.",
                       "No such refund request.")
    if resolution.status != ResolutionStatus.REQUESTED:
        raise Conflict("resolution.already_decided", "تم البت في هذا الطلب من قبل.",
                       "This request was already decided.")
    return resolution


def _four_eyes(resolution: SuspenseResolution, actor) -> Payment:
    if actor.pk == resolution.requested_by_id:
        raise PermissionDenied("resolution.four_eyes",
                               "لا يعتمد طلب الاسترداد من قدّمه؛ يلزم موظف آخر.",
                               "The requester cannot approve their own refund; "
                               "a second person must.")
    payment = _payment_in_suspense(resolution.payment_id)
    finance_check(actor, payment=payment, roles=REFUND_APPROVER_ROLES)
    return payment


@transaction.atomic
def refund_approve(*, resolution_id: int, actor) -> SuspenseResolution:
    """A second finance person approves a refund: the payment leaves suspense as refunded."""
    resolution = _open_refund(resolution_id)
    payment = _four_eyes(resolution, actor)
    resolution_decide(resolution=resolution, to_status=ResolutionStatus.DONE, actor=actor,
                      payment=payment)
    event = payment_status_change(
        payment=payment, to_status=PaymentStatus.REFUNDED, kind=PaymentEventKind.REFUNDED,
        actor=actor, payload={"resolution": resolution.pk, "iban": resolution.refund_iban})
    _payer_notify(event)
    return resolution


@transaction.atomic
def refund_reject(*, resolution_id: int, actor, reason: str) -> SuspenseResolution:
    """A second finance person turns a refund down; the payment stays in suspense."""
    resolution = _open_refund(resolution_id)
    payment = _four_eyes(resolution, actor)
    reason = _reason_required(reason)
    resolution_decide(resolution=resolution, to_status=ResolutionStatus.REJECTED, actor=actor,
                      payment=payment, reason=reason)
    return resolution


@transaction.atomic
def suspense_write_off(*, payment_id: int, actor, reason: str) -> SuspenseResolution:
    """Closes a suspense payment that can be neither allocated nor refunded, with a reason."""
    payment = _payment_in_suspense(payment_id)
    finance_check(actor, payment=payment, roles=REFUND_APPROVER_ROLES)
    reason = _reason_required(reason)
    _no_open_request(payment)
    now = clock.now()
    resolution = SuspenseResolution.objects.create(
        payment=payment, kind=ResolutionKind.WRITE_OFF, status=ResolutionStatus.DONE,
        amount=payment.amount, reason=reason, requested_by=actor, requested_at=now,
        decided_by=actor, decided_at=now)
    event = payment_status_change(
        payment=payment, to_status=PaymentStatus.WRITTEN_OFF, kind=PaymentEventKind.WRITTEN_OFF,
        actor=actor, reason=reason, payload={"resolution": resolution.pk})
    _payer_notify(event)
    return resolution
