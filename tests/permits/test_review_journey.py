"""A building permit through its case, on PostgreSQL with a real Celery worker: submitted →
correction asked and answered → plan check → sent to inspection → visit booked by the
applicant → visit done and passed → approved → issuance fee billed (by the worker) → paid
through SADAD's notification while a clerk holds the case → issued, with its permit.

The worker's work is waited for by polling the database until a deadline; nothing sleeps to
make an assertion true."""

import datetime as dt
import re
import time
from decimal import Decimal

import pytest

from amanah import clock as amanah_clock
from payments.enums import BillStatus
from payments.models import Bill, Payment
from payments.services import outbox_flush
from permits.enums import (
    ApplicationStatus,
    FeeStage,
    InspectionOutcome,
    PermitStatus,
)
from permits.models import Application, ApplicationFee, Permit
from permits.services.corrections import (
    application_correction_answer,
    application_correction_request,
)
from permits.services.inspections import inspection_book, inspection_record
from permits.services.plan_check import plan_check_run
from tests.locking import ClerkHoldsCase
from tests.payments.factories import notification, pmt, post
from tests.permits.factories import (
    application_document_make,
    application_submitted_make,
    permits_world,
    slot_make,
)
from tests.samples import pdf, upload
from workflow.models import Case, CaseMove
from workflow.services import case_transition


def _wait_for(predicate, *, seconds: float = 90, what: str = ""):
    """Poll the database until `predicate()` is true, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _pay(client, bill: Bill, sptn: str):
    return post(client, notification([pmt(sptn=sptn, amount=str(bill.amount),
                                          billing_account=bill.billing_account)]))


def _state(application) -> str:
    return Case.objects.get(pk=application.case_id).state.code


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_a_building_permit_goes_through_review_to_issue(client, real_worker):
    # given an application submitted by the design office for the owner, routed to review,
    # with its plans and its application fee (300.00) billed
    world = permits_world()
    application = application_submitted_make(world, application_fee="billed")
    application_document_make(application)
    assert _state(application) == "review"
    application_bill = ApplicationFee.objects.get(application=application,
                                                  stage=FeeStage.APPLICATION).bill
    outbox_flush()
    assert _pay(client, application_bill, "SP-APP-1").status_code == 200
    assert ApplicationFee.objects.get(bill=application_bill).paid_at is not None

    # when staff ask for the floors and plans to be corrected, and the office corrects them
    application_correction_request(application_id=application.pk, actor=world.clerk,
                                   fields=["floors"], documents=["architectural_plans"],
                                   note="عدد الأدوار لا يطابق المخططات")
    assert _state(application) == "awaiting_applicant"
    application_correction_answer(
        application_id=application.pk, user=world.office_worker.user, data={"floors": "3"},
        files={"architectural_plans": upload("plans-v2.pdf", pdf(pages=2), "application/pdf")},
        note="صُححت المخططات")
    application.refresh_from_db()
    assert (application.status, application.answers["floors"], application.answers_version,
            _state(application)) == (ApplicationStatus.IN_REVIEW, 3, 2, "review")

    # then the plan passes the zone's limits on the corrected answers (3 floors of 3)
    assert plan_check_run(application_id=application.pk, actor=world.reviewer).passed
    case_transition(case_id=application.case_id, action="send_to_inspection",
                    actor=world.clerk)
    assert _state(application) == "inspection"

    # when the owner books a visit and the inspector records it, all "yes"
    slot = slot_make(world, starts_at=amanah_clock.now() + dt.timedelta(hours=2))
    visit = inspection_book(application_id=application.pk, user=world.owner.user,
                            slot_id=slot.pk, purpose="site")
    amanah_clock.freeze(slot.starts_at + dt.timedelta(minutes=15))  # on site
    try:
        visit = inspection_record(
            inspection_id=visit.pk, inspector=world.inspector,
            findings={code: {"answer": "yes"} for code in ("fence", "setbacks", "safety")},
            photos={})
        case_transition(case_id=application.case_id, action="inspection_passed",
                        actor=world.inspector)
    finally:
        amanah_clock.freeze(None)
    assert (visit.outcome, _state(application)) == (InspectionOutcome.PASSED, "decision")

    # when the reviewer approves, the worker bills the issuance fee: 2.50 × 420 m²
    case_transition(case_id=application.case_id, action="approve", actor=world.reviewer,
                    comment="مطابق للاشتراطات")
    fee = _wait_for(lambda: ApplicationFee.objects.select_related("bill").filter(
        application=application, stage=FeeStage.ISSUANCE).first(), what="the issuance bill")
    assert (fee.amount, fee.bill.amount) == (Decimal("1050.00"), Decimal("1050.00"))
    _wait_for(lambda: Application.objects.get(pk=application.pk).status
              == ApplicationStatus.AWAITING_FEE, what="the application to await its fee")
    assert _state(application) == "awaiting_fee"

    # when SADAD notifies the payment while a clerk holds the case
    with ClerkHoldsCase(application.case_id):
        started = time.monotonic()
        response = _pay(client, fee.bill, "SP-ISSUE-1")
        # then SADAD is answered at once, the payment recorded and the fee paid
        assert response.status_code == 200
        assert b"<Result>ACCEPTED</Result>" in response.content
        assert time.monotonic() - started < 10
        assert Payment.objects.get(sptn="SP-ISSUE-1").bill_id == fee.bill_id
        assert Bill.objects.get(pk=fee.bill_id).status == BillStatus.PAID
        assert ApplicationFee.objects.get(pk=fee.pk).paid_at is not None
        # and the case waits for the clerk: the worker tried, found it busy, will try again
        _wait_for(lambda: CaseMove.objects.filter(case_id=application.case_id,
                                                  action="fee_paid", attempts__gte=1).exists(),
                  what="the worker's first try at the move")
        assert _state(application) == "awaiting_fee"

    # then once the clerk lets go the case reaches "issued" and the worker issues the permit
    permit = _wait_for(lambda: Permit.objects.filter(application=application).first(),
                       what="the permit")
    _wait_for(lambda: Application.objects.get(pk=application.pk).status
              == ApplicationStatus.ISSUED, what="the application to be issued")
    assert _state(application) == "issued"
    assert re.fullmatch(r"BP-M900-14\d\d-\d{6}", permit.number)
    assert (permit.status, permit.holder_person_id, permit.parcel_id) == (
        PermitStatus.VALID, world.owner.pk, world.parcel.pk)
    assert permit.details == {"floors": 3, "built_area_m2": "420.00", "use": "residential"}
    # valid for 36 months: to the day before the same date three years on
    start = permit.valid_from
    assert permit.valid_until == dt.date(start.year + 3, start.month, start.day) - dt.timedelta(
        days=1)
    assert CaseMove.objects.get(case_id=application.case_id, action="fee_paid").moved_at
    assert Permit.objects.filter(application=application).count() == 1
