"""Fees: the preview a citizen reads before submitting, billing a stage once through payments,
and what the payable "permit_fee" does when SADAD reports the payment."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from amanah.errors import Conflict, DomainError
from payments.enums import BillCategory
from payments.models import Bill
from payments.registry import payable_get
from permits.enums import ApplicationEventKind, FeeStage
from permits.models import Application, ApplicationFee
from permits.payables import permit_fee_describe
from permits.services.applications import application_lock
from permits.services.fees import application_fee_bill, fee_preview, fee_total
from tests.permits.factories import GOOD_ANSWERS, permits_world
from workflow.models import CaseMove

from .apply_helpers import (
    application_in_review,
    draft_start,
    pay,
    private_files,  # noqa: F401 - fixture
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]


@pytest.fixture
def world(clock):
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    return permits_world()


def _preview(world, answers):
    return fee_preview(permit_type=world.permit_type, municipality=world.municipality,
                       answers=answers)


# --- The preview ------------------------------------------------------------------------------


def test_the_preview_prices_each_stage_from_the_answers(world):
    # given the building type: application 300.00 fixed, issuance 2.50/m² at least 500.00
    lines = _preview(world, GOOD_ANSWERS)
    # then 300.00 to apply, 2.50 × 420 = 1,050.00 to issue, 1,350.00 in all
    assert [(line.stage, line.amount, line.quantity, line.minimum_applied) for line in lines] \
        == [(FeeStage.APPLICATION, Decimal("300.00"), None, False),
            (FeeStage.ISSUANCE, Decimal("1050.00"), Decimal("420.00"), False)]
    assert fee_total(lines) == Decimal("1350.00")
    issuance = lines[1]
    assert (issuance.rate, issuance.minimum, issuance.unit_en, issuance.label("en"),
            issuance.label("ar")) == (Decimal("2.50"), Decimal("500.00"), "m²", "Issuance fee",
                                      "رسوم الإصدار")


def test_a_small_building_pays_the_minimum(world):
    lines = _preview(world, {**GOOD_ANSWERS, "built_area_m2": "100.00"})
    assert [(line.amount, line.minimum_applied) for line in lines] == [
        (Decimal("300.00"), False), (Decimal("500.00"), True)]


def test_a_missing_answer_says_what_the_fee_depends_on(world):
    lines = _preview(world, {"floors": 2})
    assert [line.amount for line in lines] == [Decimal("300.00"), None]
    assert (lines[1].pending("ar"), lines[1].pending("en")) == (
        "يعتمد على «مسطح البناء»", "Depends on “Built-up area”")
    assert fee_total(lines) is None


def test_a_stage_not_priced_in_the_municipality_says_so(world):
    from payments.models import FeeSchedule

    FeeSchedule.objects.filter(component=FeeStage.ISSUANCE).delete()
    lines = _preview(world, GOOD_ANSWERS)
    assert lines[1].amount is None
    assert lines[1].pending("en") == ("'Issuance fee' is not configured for this service here "
                                      "on this date.")


def test_the_preview_can_be_narrowed_to_stages(world):
    lines = fee_preview(permit_type=world.permit_type, municipality=world.municipality,
                        answers=GOOD_ANSWERS, stages=[FeeStage.ISSUANCE])
    assert [line.stage for line in lines] == [FeeStage.ISSUANCE]


# --- Billing a stage --------------------------------------------------------------------------


def test_a_stage_is_billed_once_to_the_owner(world):
    # given an application whose answers are saved
    application = draft_start(world)
    Application.objects.filter(pk=application.pk).update(answers=dict(GOOD_ANSWERS))
    # when its issuance stage is billed, twice
    with transaction.atomic():
        locked = application_lock(application.pk)
        fee = application_fee_bill(application=locked, stage=FeeStage.ISSUANCE,
                                   actor=world.reviewer)
        again = application_fee_bill(application=locked, stage=FeeStage.ISSUANCE)
    # then one bill, priced from the schedule with the area answer, payable by the owner
    assert again.pk == fee.pk and ApplicationFee.objects.count() == 1
    bill = Bill.objects.get()
    assert (bill.payable_kind, bill.payable_ref, bill.amount, bill.payer_person,
            bill.eservice, bill.category, bill.issued_by) == (
        "permit_fee", f"{application.reference}:issuance", Decimal("1050.00"), world.owner,
        world.permit_type.eservice, BillCategory.FEE, world.reviewer)
    assert (bill.fee_snapshot["component"], bill.fee_snapshot["quantity"]) == (
        "issuance", "420.00")
    assert (fee.stage, fee.amount, fee.bill, fee.paid_at) == (
        FeeStage.ISSUANCE, Decimal("1050.00"), bill, None)
    assert bill.description_en == (f"Issuance fee: New building permit — application "
                                   f"{application.reference}")
    assert bill.description_ar == (f"رسوم الإصدار: رخصة بناء جديدة — طلب "
                                   f"{application.reference}")
    billed = Application.objects.get(pk=application.pk).events.get(
        kind=ApplicationEventKind.FEE_BILLED)
    assert billed.payload == {"stage": "issuance", "bill": bill.billing_account,
                              "amount": "1050.00"}


def test_billing_with_a_stale_copy_of_the_application_is_refused(world):
    application = draft_start(world)
    stale = Application.objects.get(pk=application.pk)
    Application.objects.filter(pk=application.pk).update(row_version=5)
    with transaction.atomic(), pytest.raises(Conflict):
        application_fee_bill(application=stale, stage=FeeStage.APPLICATION)
    assert not Bill.objects.exists()


def test_a_stage_the_type_does_not_bill_is_refused(world):
    application = draft_start(world)
    with transaction.atomic(), pytest.raises(DomainError) as refused:
        application_fee_bill(application=application_lock(application.pk),
                             stage=FeeStage.RENEWAL)
    assert refused.value.code == "permits.fee_stage_not_billed"
    assert not Bill.objects.exists()


# --- The payable ------------------------------------------------------------------------------


def test_the_payable_kind_is_registered_and_describes_its_bills(world):
    kind = payable_get("permit_fee")
    assert kind.on_paid is not None
    application = draft_start(world)
    assert permit_fee_describe(f"{application.reference}:application") == (
        f"رسوم تقديم الطلب: رخصة بناء جديدة — طلب {application.reference}",
        f"Application fee: New building permit — application {application.reference}")


def test_paying_the_application_fee_records_it_and_moves_nothing(world, queued):
    # given an application with the municipality, its application fee billed
    application = application_in_review(world)
    fee = ApplicationFee.objects.get(application=application, stage=FeeStage.APPLICATION)
    case_state = application.case.state_id
    # when SADAD reports the payment
    with queued() as tasks:
        result = pay(fee.bill)
    # then the fee is paid, with an event in the application's chain
    fee.refresh_from_db()
    assert fee.paid_at == result.payment.processed_at
    paid = Application.objects.get(pk=application.pk).events.get(
        kind=ApplicationEventKind.FEE_PAID)
    assert (paid.payload["stage"], paid.payload["sptn"], paid.payload["amount"]) == (
        "application", result.payment.sptn, "300.00")
    # and nothing else moved: no case move asked for, the case where it was
    assert not CaseMove.objects.exists()
    application.case.refresh_from_db()
    assert application.case.state_id == case_state
    assert not result.payment.needs_review
    assert [name for name, _ in tasks] == ["payments.receipt_ensure"]


def test_paying_the_issuance_fee_asks_the_case_to_move_after_the_commit(world, queued):
    # given an approved application's issuance fee
    application = application_in_review(world)
    with transaction.atomic():
        fee = application_fee_bill(application=application_lock(application.pk),
                                   stage=FeeStage.ISSUANCE)
    case_state = application.case.state_id
    # when it is paid
    with queued() as tasks:
        result = pay(fee.bill)
    # then a "fee_paid" move is requested for the case and queued, not made inline
    move = CaseMove.objects.get()
    assert (move.case_id, move.action, move.source, move.moved_at) == (
        application.case_id, "fee_paid", f"payment:{result.payment.pk}", None)
    assert ("workflow.case_move_apply", {"move_id": move.pk}) in tasks
    application.case.refresh_from_db()
    assert application.case.state_id == case_state
    fee.refresh_from_db()
    assert fee.paid_at is not None


def test_a_lifecycle_fee_without_a_case_schedules_the_lifecycle_task(world, queued):
    # given a renewal stage billed on an application without a case
    from permits.models import PermitFeeRule

    PermitFeeRule.objects.create(permit_type=world.permit_type, stage=FeeStage.RENEWAL)
    from payments.enums import FeeRuleKind
    from payments.services.fees import fee_schedule_create

    fee_schedule_create(eservice=world.permit_type.eservice, municipality_class=2,
                        kind=FeeRuleKind.FIXED, amount=Decimal("200.00"),
                        effective_from=dt.date(2020, 1, 1), component=FeeStage.RENEWAL)
    application = draft_start(world)
    with transaction.atomic():
        fee = application_fee_bill(application=application_lock(application.pk),
                                   stage=FeeStage.RENEWAL)
    with queued() as tasks:
        pay(fee.bill)
    assert ("permits.application_lifecycle_paid", {"application_id": application.pk}) in tasks
    assert not CaseMove.objects.exists()


def test_a_second_payment_of_a_paid_fee_records_nothing_more(world):
    application = application_in_review(world)
    fee = ApplicationFee.objects.get(application=application, stage=FeeStage.APPLICATION)
    first = pay(fee.bill)
    fee.refresh_from_db()
    events = Application.objects.get(pk=application.pk).events.count()
    pay(fee.bill)  # goes to suspense (already paid): on_paid is not called again
    fee.refresh_from_db()
    assert fee.paid_at == first.payment.processed_at
    assert Application.objects.get(pk=application.pk).events.count() == events
