"""The payable kind "permit_fee": a stage of an application billed through payments.

Registered in PermitsConfig.ready(). Its on_paid follows payments/registry.py's rule: inside the
payment's transaction it records the payment in permits' own rows (ApplicationFee.paid_at and a
FEE_PAID event in the application's chain) and only *schedules* what follows — the case's
"fee_paid" move for an issuance fee, the lifecycle task for a renewal, late renewal,
replacement or amendment billed without a case. It never moves a case inline, so a clerk
holding the case open can neither hold up nor fail a payment.

Lock order: payments holds the bill when this runs, then the application is locked here. Code
that holds an application's lock must therefore not lock one of its bills (cancel a bill after
the commit, from a task), or the two could wait on each other.
"""

import logging

from amanah.dispatch import task_on_commit
from payments.registry import payable_register
from workflow.services import case_move_request

from .enums import ApplicationEventKind, FeeStage
from .models import Application, ApplicationFee
from .services.applications import application_event_append, application_lock, application_save
from .services.fees import PAYABLE_KIND, stage_label

logger = logging.getLogger(__name__)

# Stages that follow a permit's issue; billed without a case, their payment is acted on by the
# lifecycle task (part LIFECYCLE: permits.application_lifecycle_paid).
LIFECYCLE_STAGES = frozenset({FeeStage.RENEWAL, FeeStage.LATE_RENEWAL, FeeStage.REPLACEMENT,
                              FeeStage.AMENDMENT})
# Stages billed on a case's approval: the case's "fee_paid" move is asked for once all of the
# application's are paid (a licence bills its signage fee with its issuance fee).
APPROVAL_STAGES = frozenset({FeeStage.ISSUANCE, FeeStage.SIGNAGE, *LIFECYCLE_STAGES})


def _ref_split(ref: str) -> tuple[str, str]:
    reference, _, stage = (ref or "").partition(":")
    return reference, stage


def permit_fee_describe(ref: str) -> tuple[str, str]:
    """The bill's description: the service's name, the application's reference, the stage."""
    reference, stage = _ref_split(ref)
    application = (Application.objects.select_related("permit_type")
                   .filter(reference=reference).first())
    stage_ar = stage_label(stage, "ar") if stage in FeeStage.values else stage
    stage_en = stage_label(stage, "en") if stage in FeeStage.values else stage
    if application is None:
        return (f"{stage_ar} — طلب {reference}", f"{stage_en} — application {reference}")
    permit_type = application.permit_type
    return (f"{stage_ar}: {permit_type.name_ar} — طلب {reference}",
            f"{stage_en}: {permit_type.name_en or permit_type.name_ar} — application "
            f"{reference}")


def permit_fee_on_paid(*, bill, payment) -> None:
    """Record the stage as paid (once) and schedule what the payment lets happen next."""
    fee = ApplicationFee.objects.filter(bill_id=bill.pk).only("pk", "application_id").first()
    if fee is None:
        # payments flags the payment for review: staff see a fee nobody recorded.
        raise LookupError(f"no permit fee is recorded for bill {bill.billing_account}")
    application = application_lock(fee.application_id)
    fee = ApplicationFee.objects.select_for_update().get(pk=fee.pk)
    if fee.paid_at is not None:
        return  # recorded already: the same payment told twice, or a second payment
    fee.paid_at = payment.processed_at
    fee.save(update_fields=["paid_at"])
    application_event_append(application, kind=ApplicationEventKind.FEE_PAID,
                             payload={"stage": fee.stage, "bill": bill.billing_account,
                                      "payment": payment.pk, "sptn": payment.sptn,
                                      "amount": str(payment.amount)})
    application_save(application, [])
    if application.case_id is not None and fee.stage in APPROVAL_STAGES:
        if application.fees.filter(stage__in=APPROVAL_STAGES, paid_at__isnull=True).exists():
            return  # another fee of the approval (a licence's signage fee) is still unpaid
        # The case moves on after this commit, retried while a clerk holds it.
        case_move_request(case_id=application.case_id, action="fee_paid",
                          source=f"payment:{payment.pk}")
    elif application.case_id is None:
        # Billed without a case (a renewal, a replacement, an instant licence, a
        # cancellation): the lifecycle task settles it once every stage is paid.
        task_on_commit("permits.application_lifecycle_paid", application_id=application.pk)


def permit_fee_register() -> None:
    payable_register(PAYABLE_KIND, describe=permit_fee_describe, on_paid=permit_fee_on_paid)
