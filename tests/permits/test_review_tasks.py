"""The decision's consequences, as the procedure's effects schedule them: the issuance fee
billed on approval, the permit issued when the case reaches "issued", rejection and
withdrawal followed — each once however often its task runs, and the sweeper catching up
the ones whose task was lost."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from amanah.dates import RIYADH
from payments.models import Bill
from payments.services import payment_record
from permits.enums import (
    ApplicationEventKind,
    ApplicationStatus,
    FeeStage,
    PartyRole,
    PermitStatus,
)
from permits.models import ApplicationEvent, ApplicationFee, Permit
from permits.services.permits import permit_valid_until
from permits.services.review import (
    HandleOutcome,
    application_approved_handle,
    application_issue_handle,
    application_rejected_handle,
    applications_sweep,
)
from tests.permits.factories import (
    application_decision_make,
    application_submitted_make,
    building_type_make,
    permits_world,
)
from workflow.models import Case, CaseEvent, CaseMove
from workflow.services import (
    case_cancel,
    case_move_apply,
    case_move_request,
    case_transition,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=RIYADH)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def world(clock):
    clock.set(NOW)
    return permits_world()


def _approve(world, application, *, run=True, capture=None):
    """The reviewer approves; `run` runs the tasks the commit queues (eagerly, in-process)."""
    with capture(execute=run):
        case_transition(case_id=application.case_id, action="approve", actor=world.reviewer,
                        comment="مطابق للاشتراطات")
    return CaseEvent.objects.filter(case_id=application.case_id, action="approve").get()


def _issuance_fee(application):
    return ApplicationFee.objects.select_related("bill").get(application=application,
                                                             stage=FeeStage.ISSUANCE)


def test_approval_bills_the_issuance_fee_once(world, django_capture_on_commit_callbacks):
    application = application_decision_make(world, now=NOW)
    event = _approve(world, application, capture=django_capture_on_commit_callbacks)
    application.refresh_from_db()
    # then the issuance fee is billed at 2.50 per m² built (420 m²) and the owner pays it
    fee = _issuance_fee(application)
    assert (fee.amount, fee.bill.amount, fee.bill.payer_person_id) == (
        Decimal("1050.00"), Decimal("1050.00"), world.owner.pk)
    assert (fee.bill.payable_kind, fee.bill.payable_ref) == (
        "permit_fee", f"{application.reference}:issuance")
    assert application.status == ApplicationStatus.AWAITING_FEE
    assert ApplicationEvent.objects.filter(application=application,
                                           kind=ApplicationEventKind.FEE_BILLED,
                                           payload__stage="issuance").count() == 1
    # and when the task runs again, nothing more happens
    version = application.row_version
    assert application_approved_handle(case_id=application.case_id,
                                       event_id=event.pk) == HandleOutcome.ALREADY_DONE
    application.refresh_from_db()
    assert application.row_version == version
    assert Bill.objects.filter(payable_ref=f"{application.reference}:issuance").count() == 1


def test_the_paid_fee_moves_the_case_and_the_permit_is_issued_once(
        world, django_capture_on_commit_callbacks, queued):
    application = application_decision_make(world, now=NOW)
    _approve(world, application, capture=django_capture_on_commit_callbacks)
    bill = _issuance_fee(application).bill
    # when the fee is paid, its move is asked for and made after the commit
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(sptn="SP-ISSUE-1", amount=bill.amount,
                       billing_account=bill.billing_account, bank_id="RJHISARI",
                       channel="INTERNET", method="ACTDEB", processed_at=NOW)
    # then the case reached "issued" and its effect issued the permit
    case = Case.objects.get(pk=application.case_id)
    assert case.state.code == "issued"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ISSUED
    permit = Permit.objects.get(application=application)
    assert (permit.status, permit.holder_person, permit.parcel, permit.version) == (
        PermitStatus.VALID, world.owner, world.parcel, 1)
    assert permit.number.startswith("BP-M900-")
    assert permit.valid_until == permit_valid_until(start=permit.issued_on, validity_months=36)
    assert _issuance_fee(application).paid_at is not None
    # and issuing again does nothing (no second permit, no second number)
    with queued() as tasks:
        outcome = application_issue_handle(case_id=application.case_id, event_id=None)
    assert outcome == HandleOutcome.ALREADY_DONE
    assert tasks == []
    assert Permit.objects.filter(application=application).count() == 1


def test_a_type_without_an_issuance_fee_is_issued_on_approval(
        world, django_capture_on_commit_callbacks):
    # given a type that bills only its application fee
    free = building_type_make(world.municipality, code="fence_small",
                              checklist=world.permit_type.inspection_checklist,
                              fee_stages=(FeeStage.APPLICATION,))
    world = dataclasses.replace(world, permit_type=free)
    application = application_decision_make(world, now=NOW)
    event = _approve(world, application, capture=django_capture_on_commit_callbacks)
    # then nothing is billed, the case moved on by itself and the permit is issued
    assert not ApplicationFee.objects.filter(application=application,
                                             stage=FeeStage.ISSUANCE).exists()
    move = CaseMove.objects.get(case_id=application.case_id)
    assert (move.action, move.source, move.moved_at is not None) == (
        "fee_paid", f"permits.approved:{event.pk}", True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ISSUED
    assert Permit.objects.filter(application=application).count() == 1


def test_an_approved_amendment_versions_its_permit_instead_of_issuing_another(
        world, django_capture_on_commit_callbacks):
    from permits.models import PermitFeeRule
    from permits.services.lifecycle import permit_amendment_start
    from tests.permits.lifecycle_helpers import permit_make
    from workflow.services import case_route

    # given an issued permit whose holder asks for a third floor (the type bills nothing at
    # filing nor for an amendment), the amendment's case through review and its visit
    PermitFeeRule.objects.filter(permit_type=world.permit_type,
                                 stage=FeeStage.APPLICATION).delete()
    permit = permit_make(world)
    amendment = permit_amendment_start(permit_id=permit.pk, user=world.owner.user,
                                       answers={"floors": "3"})
    case_route(case_id=amendment.case_id)
    amendment = application_decision_make(world, now=NOW, application=amendment)
    # when it is approved
    _approve(world, amendment, capture=django_capture_on_commit_callbacks)
    # then nothing is billed, the case moves on by itself, and the permit is version 2
    assert not ApplicationFee.objects.filter(application=amendment).exists()
    amendment.refresh_from_db()
    assert amendment.status == ApplicationStatus.ISSUED
    permit.refresh_from_db()
    assert (permit.version, permit.details["floors"]) == (2, 3)
    assert Permit.objects.count() == 1


def test_rejection_is_followed_with_its_reason_once(world, django_capture_on_commit_callbacks):
    application = application_submitted_make(world)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=application.case_id, action="reject", actor=world.head,
                        comment="الموقع خارج النطاق العمراني")
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == (
        ApplicationStatus.REJECTED, "الموقع خارج النطاق العمراني")
    assert application_rejected_handle(case_id=application.case_id,
                                       event_id=None) == HandleOutcome.ALREADY_DONE


def test_withdrawal_is_followed(world, django_capture_on_commit_callbacks):
    application = application_submitted_make(world)
    with django_capture_on_commit_callbacks(execute=True):
        case_cancel(case_id=application.case_id, actor=world.owner.user, comment="عدلنا عن البناء")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_the_sweeper_brings_along_applications_whose_task_was_lost(
        world, clock, django_capture_on_commit_callbacks):
    # given an approval whose task never ran (the broker lost it)
    application = application_decision_make(world, now=NOW)
    _approve(world, application, run=False, capture=django_capture_on_commit_callbacks)
    # then a sweep within two minutes leaves it to its task
    assert applications_sweep()["done"] == 0
    # and one after that bills the fee, once
    clock.advance(minutes=3)
    counts = applications_sweep()
    assert (counts["done"], counts["failed"]) == (1, 0)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWAITING_FEE
    assert applications_sweep()["done"] == 0
    # given the fee paid and the case moved to "issued", but the issuing task lost
    bill = _issuance_fee(application).bill
    with django_capture_on_commit_callbacks(execute=False):
        payment_record(sptn="SP-SWEEP-1", amount=bill.amount,
                       billing_account=bill.billing_account, bank_id="RJHISARI",
                       channel="INTERNET", method="ACTDEB", processed_at=clock.now())
    move = CaseMove.objects.get(case_id=application.case_id)
    with django_capture_on_commit_callbacks(execute=False):
        case_move_apply(move_id=move.pk)
    assert Case.objects.get(pk=application.case_id).state.code == "issued"
    assert not Permit.objects.filter(application=application).exists()
    # when the sweeper runs a few minutes later, the permit is issued, once
    clock.advance(minutes=3)
    assert applications_sweep()["done"] == 1
    assert applications_sweep()["done"] == 0
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ISSUED
    assert Permit.objects.filter(application=application).count() == 1


def test_the_parties_are_told_by_sms_at_each_decision(world, queued,
                                                      django_capture_on_commit_callbacks):
    application = application_decision_make(world, now=NOW)
    # approval: the parties are told, the owner is sent the issuance bill
    with queued() as approved:
        case_transition(case_id=application.case_id, action="approve", actor=world.reviewer,
                        comment="مطابق")
    approve_event = CaseEvent.objects.get(case_id=application.case_id, action="approve")
    assert ("permits.application_approved", {"case_id": application.case_id,
                                             "event_id": approve_event.pk}) in approved
    with queued() as billed:
        application_approved_handle(case_id=application.case_id, event_id=approve_event.pk)
    fee = _issuance_fee(application)
    assert [task for task in billed if task[0] == "permits.party_sms_send"] == [
        ("permits.party_sms_send", {"application_id": application.pk, "template": "approved",
                                    "roles": sorted(PartyRole.values), "context": {}}),
        ("permits.party_sms_send", {"application_id": application.pk, "template": "fee_billed",
                                    "roles": ["owner"],
                                    "context": {"bill": fee.bill.billing_account,
                                                "amount": "1050.00",
                                                "stage_ar": "رسوم الإصدار",
                                                "stage_en": "Issuance fee"}})]
    # issue: the permit's number goes to every party
    with django_capture_on_commit_callbacks(execute=False):
        case_move_apply(move_id=case_move_request(
            case_id=application.case_id, action="fee_paid", source="test").pk)
    with queued() as issued:
        application_issue_handle(case_id=application.case_id, event_id=None)
    permit = Permit.objects.get(application=application)
    assert ("permits.party_sms_send", {"application_id": application.pk, "template": "issued",
                                       "roles": sorted(PartyRole.values),
                                       "context": {"permit": permit.number}}) in issued


def test_the_sweeper_runs_every_few_minutes():
    from amanah.celery import app

    entry = app.conf.beat_schedule["permits-applications-sweep"]
    assert (entry["task"], entry["schedule"]) == ("permits.applications_sweep", 300.0)
    assert "permits.applications_sweep" in app.tasks
