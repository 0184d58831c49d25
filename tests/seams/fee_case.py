"""A procedure with a fee step, and a payable kind that asks for the case to move on once its
bill is paid — the shape permits and violations plug in (see payments/registry.py's rule)."""

from decimal import Decimal

from amanah import clock
from payments.registry import payable_register, register_builtin_kinds
from payments.services import bill_issue, outbox_flush
from workflow.demo_definitions import _move, _state
from workflow.models import Case
from workflow.services import case_move_request, case_route, case_submit, definition_import
from workflow.services.definitions import EXPORT_FORMAT

FEE_CASE_KIND = "fee_case"

FEE_CASE = {
    "format": EXPORT_FORMAT, "code": "fee_case", "eservice": None,
    "name_ar": "طلب برسوم", "name_en": "Request with a fee", "description_ar": "",
    "description_en": "", "case_prefix": "FEE", "sla_hours": None,
    "states": [
        _state("submitted", "مقدم", "Submitted", "submitted", "customer_service", start=True),
        _state("awaiting_payment", "بانتظار السداد", "Awaiting payment", "awaiting_payment",
               "finance"),
        _state("in_review", "قيد الدراسة", "In review", "in_review", "licensing", sla=14),
        _state("approved", "معتمد", "Approved", "approved", "licensing"),
        _state("cancelled", "ملغى", "Cancelled", "cancelled", "customer_service"),
    ],
    "transitions": [
        _move("route", "توجيه آلي", "Route", "submitted", "awaiting_payment", ["system"]),
        _move("paid", "تم السداد", "Fee paid", "awaiting_payment", "in_review", ["system"]),
        _move("cancel", "إلغاء", "Cancel", "awaiting_payment", "cancelled",
              ["clerk", "head", "applicant"]),
        _move("approve", "اعتماد", "Approve", "in_review", "approved", ["reviewer", "head"]),
    ],
}


def fee_case_on_paid(*, bill, payment) -> None:
    """What permits will do: record (nothing to record here) and ask for the move."""
    case_move_request(case_id=int(bill.payable_ref), action="paid", source=f"bill:{bill.pk}")


def fee_case_kind_register() -> None:
    payable_register(FEE_CASE_KIND, describe=lambda ref: (f"رسوم الطلب {ref}", f"Fee {ref}"),
                     on_paid=fee_case_on_paid)


def fee_case_kind_unregister() -> None:
    register_builtin_kinds()


def fee_case_world(world, eservice) -> None:
    world.versions[FEE_CASE_KIND] = definition_import(data=dict(FEE_CASE),
                                                      municipality=world.amanah, publish=True)


def fee_case_awaiting_payment(world, eservice, *, amount: str = "300.00"):
    """A routed case waiting for its fee, and its bill, accepted by the simulated SADAD."""
    case = case_submit(kind=FEE_CASE_KIND, municipality=world.branch, subject="طلب برسوم",
                       submitted_by=world.applicant.user, applicant_person=world.applicant)
    case_route(case_id=case.pk)
    bill = bill_issue(payable_kind=FEE_CASE_KIND, payable_ref=str(case.pk),
                      municipality=world.branch, eservice=eservice,
                      payer_person=world.applicant, amount=Decimal(amount))
    outbox_flush()
    bill.refresh_from_db()
    return Case.objects.get(pk=case.pk), bill


def now():
    return clock.now()
