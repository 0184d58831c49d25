"""The reviewed path: a licence with a reviewed activity opens a case on the procedure its
activities name; on approval the issuance and signage fees are billed; paying one of them
does not move the case, paying both issues the licence."""

import datetime as dt
from decimal import Decimal

import pytest

from payments.sadad.simulator.bank import simulated_bank_pay
from payments.services.outbox import outbox_flush
from permits.enums import ApplicationStatus, FeeStage
from permits.licences.services import licence_path
from permits.models import Application, ApplicationFee, LicenceDeclaration, Permit
from permits.procedures import permit_procedure
from permits.services.submission import application_submit
from workflow.models import Case, CaseMove
from workflow.services import case_transition
from workflow.services.definitions import definition_import

from .core_helpers import TODAY, files_kept_apart, world_on_today
from .factories import (
    CIVIL_DEFENCE_NUMBER,
    GOOD_LICENCE_ANSWERS,
    GROCERY,
    LICENCE_CODE,
    RESTAURANT,
    licence_draft_make,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]


@pytest.fixture
def private_files(settings, tmp_path):
    return files_kept_apart(settings, tmp_path)


@pytest.fixture
def world(clock):
    return world_on_today(clock)

RESTAURANT_ANSWERS = {**GOOD_LICENCE_ANSWERS, "civil_defence_number": CIVIL_DEFENCE_NUMBER,
                      "trade_name": "مطعم النخيل"}


def _procedure(world, code: str, *, inspection: bool) -> None:
    definition_import(data=permit_procedure(code=code, eservice=LICENCE_CODE,
                                            name_ar=code, name_en=code,
                                            review_department="licensing",
                                            inspection=inspection),
                      municipality=world.municipality, publish=True)


def _state(application) -> str:
    return Case.objects.get(pk=Application.objects.get(pk=application.pk).case_id).state.code


def test_the_procedure_with_more_steps_wins(world):
    _procedure(world, "food_review", inspection=True)
    _procedure(world, "quick_review", inspection=False)
    world.activities[RESTAURANT].procedure_code = "quick_review"
    world.activities[RESTAURANT].save()
    world.activities[GROCERY].is_instant = False
    world.activities[GROCERY].procedure_code = "food_review"
    world.activities[GROCERY].save()
    application = licence_draft_make(world, activities=(RESTAURANT, GROCERY),
                                     answers=RESTAURANT_ANSWERS)
    path = licence_path(application)
    assert (path.instant, path.procedure_code,
            [a.code for a in path.reviewed_activities]) == (False, "food_review",
                                                            [RESTAURANT, GROCERY])


def test_a_restaurant_goes_through_its_case_and_is_issued_once_both_fees_are_paid(
        world, django_capture_on_commit_callbacks):
    # given the restaurant activity reviewed on a procedure without a site visit
    _procedure(world, "restaurant_review", inspection=False)
    world.activities[RESTAURANT].procedure_code = "restaurant_review"
    world.activities[RESTAURANT].save()
    application = licence_draft_make(world, activities=(RESTAURANT,),
                                     answers=RESTAURANT_ANSWERS)
    # when the delegate submits it (no declaration: it is reviewed)
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application_id=application.pk, user=world.delegate.user)
    application.refresh_from_db()
    case = Case.objects.get(pk=application.case_id)
    # then a case is opened on the restaurant's procedure, routed to review
    assert (application.status, case.definition.code, case.state.code,
            LicenceDeclaration.objects.count()) == (
        ApplicationStatus.IN_REVIEW, "restaurant_review", "review", 0)
    # when staff send it for decision and the reviewer approves
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=case.pk, action="send_to_decision", actor=world.clerk)
        case_transition(case_id=case.pk, action="approve", actor=world.reviewer,
                        comment="مستوفٍ")
    # then both fees are billed under the food tariff: issuance max(15 × 60, 500) = 900,
    # signage 200 × 3 = 600
    assert (Application.objects.get(pk=application.pk).status, _state(application)) == (
        ApplicationStatus.AWAITING_FEE, "awaiting_fee")
    fees = list(ApplicationFee.objects.filter(application=application).order_by("pk")
                .select_related("bill"))
    assert [(f.stage, f.amount) for f in fees] == [
        (FeeStage.ISSUANCE, Decimal("900.00")), (FeeStage.SIGNAGE, Decimal("600.00"))]
    # when only the signage fee is paid
    outbox_flush()
    with django_capture_on_commit_callbacks(execute=True):
        simulated_bank_pay(billing_account=fees[1].bill.billing_account, amount=fees[1].amount)
    # then the case waits: no move asked for, nothing issued
    assert not CaseMove.objects.filter(case_id=case.pk, action="fee_paid").exists()
    assert (_state(application), Permit.objects.filter(application=application).exists()) == (
        "awaiting_fee", False)
    # when the issuance fee is paid too
    with django_capture_on_commit_callbacks(execute=True):
        simulated_bank_pay(billing_account=fees[0].bill.billing_account, amount=fees[0].amount)
    # then the case moves on and the licence is issued to the establishment
    permit = Permit.objects.get(application=application)
    assert (_state(application), Application.objects.get(pk=application.pk).status,
            permit.holder_establishment_id, permit.issued_on, permit.valid_until) == (
        "issued", ApplicationStatus.ISSUED, world.establishment.pk, TODAY,
        dt.date(2027, 11, 30))
    assert CaseMove.objects.filter(case_id=case.pk, action="fee_paid").count() == 1
