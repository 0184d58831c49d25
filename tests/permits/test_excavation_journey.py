"""The emergency excavation path end to end, on PostgreSQL with a real Celery worker: the
contractor files 3 hours after digging → submitted urgent → reviewed → approved → issuance fee
(per metre, the seeded class-1 schedule) paid through SADAD's notification → permit valid from
the digging day → reinstatement inspection booked on the clearance page and failed → booked
again and passed → clearance certificate issued, numbered, under the permit, certified.

The worker's work is waited for by polling the database until a deadline."""

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from amanah import clock as amanah_clock
from amanah.dates import business_date
from payments.services import outbox_flush
from permits.enums import ApplicationStatus, FeeStage, InspectionOutcome, PermitStatus
from permits.models import Application, ApplicationFee, Inspection, Permit
from permits.services.excavation import application_emergency_set
from permits.services.inspections import inspection_record
from permits.services.submission import application_submit
from tests.payments.factories import notification, pmt, post
from tests.permits.factories import excavation_draft_complete, excavation_world, slot_make
from workflow.enums import CasePriority
from workflow.models import Case
from workflow.services import case_transition

ALL_YES = {code: {"answer": "yes"} for code in (
    "route", "backfill", "asphalt", "level", "kerbs", "markings", "barriers", "clean")}


def _wait_for(predicate, *, seconds: float = 90, what: str = ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _pay(client, bill, sptn: str):
    outbox_flush()
    response = post(client, notification([pmt(sptn=sptn, amount=str(bill.amount),
                                              billing_account=bill.billing_account)]))
    assert response.status_code == 200
    assert b"<Result>ACCEPTED</Result>" in response.content


def _state(application) -> str:
    return Case.objects.get(pk=application.case_id).state.code


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


def _book_on_page(client, world, application, starts_at):
    slot = slot_make(world, starts_at=starts_at, capacity=2)
    client.force_login(world.contractor_worker.user)
    url = reverse("permits:excavation_clearance", args=[application.reference])
    response = client.post(url, {"op": "book", "slot": slot.pk})
    assert (response.status_code, response.get("Location")) == (302, url)
    return Inspection.objects.get(application=application, slot=slot)


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_an_emergency_excavation_from_filing_to_clearance(client, real_worker):
    world = excavation_world()
    contractor = world.contractor_worker.user
    # given a burst main dug 3 hours ago, and the contractor's complete draft saying so
    started = amanah_clock.now() - dt.timedelta(hours=3)
    application = excavation_draft_complete(world)
    application_emergency_set(application_id=application.pk, user=contractor,
                              is_emergency=True, work_started_at=started)

    # when the contractor submits it
    application_submit(application_id=application.pk, user=contractor)
    application = Application.objects.get(pk=application.pk)
    # then the case is urgent, routed by the worker to review, its application fee billed
    assert Case.objects.get(pk=application.case_id).priority == CasePriority.URGENT
    _wait_for(lambda: _state(application) == "review", what="the case to be routed")
    application_fee = ApplicationFee.objects.select_related("bill").get(
        application=application, stage=FeeStage.APPLICATION)
    assert application_fee.amount == Decimal("300.00")
    _pay(client, application_fee.bill, "SP-EX-APP-1")

    # when staff review it and the reviewer approves
    case_transition(case_id=application.case_id, action="send_to_decision", actor=world.clerk)
    case_transition(case_id=application.case_id, action="approve", actor=world.reviewer,
                    comment="إصلاح طارئ موثق")
    # then the worker bills the issuance fee: 10.00 a metre × 150 m (class 1)
    fee = _wait_for(lambda: ApplicationFee.objects.select_related("bill").filter(
        application=application, stage=FeeStage.ISSUANCE).first(), what="the issuance bill")
    assert (fee.amount, fee.bill.amount) == (Decimal("1500.00"), Decimal("1500.00"))
    _wait_for(lambda: Application.objects.get(pk=application.pk).status
              == ApplicationStatus.AWAITING_FEE, what="the application to await its fee")

    # when SADAD notifies the payment, the worker moves the case on and issues the permit
    _pay(client, fee.bill, "SP-EX-ISSUE-1")
    permit = _wait_for(lambda: Permit.objects.filter(application=application,
                                                     parent__isnull=True).first(),
                       what="the permit")
    _wait_for(lambda: Application.objects.get(pk=application.pk).status
              == ApplicationStatus.ISSUED, what="the application to be issued")
    # then it is valid from the day the digging started, for the type's 3 months
    assert re.fullmatch(r"EX-KHB-14\d\d-\d{6}", permit.number)
    assert permit.valid_from == business_date(started)
    assert permit.issued_on == business_date(amanah_clock.now())
    assert permit.status == PermitStatus.VALID

    # when the contractor books the reinstatement inspection and it fails (markings)
    now = amanah_clock.now()
    visit = _book_on_page(client, world, application, now + dt.timedelta(hours=2))
    amanah_clock.freeze(visit.slot.starts_at + dt.timedelta(minutes=15))
    try:
        failed = inspection_record(inspection_id=visit.pk, inspector=world.inspector,
                                   findings={**ALL_YES, "markings": {"answer": "no"}},
                                   photos={}, notes="الدهانات لم تُعد")
    finally:
        amanah_clock.freeze(None)
    # then nothing is issued, and the contractor books again; this time it passes
    assert failed.outcome == InspectionOutcome.FAILED
    assert not Permit.objects.filter(parent=permit).exists()
    visit = _book_on_page(client, world, application, now + dt.timedelta(hours=5))
    amanah_clock.freeze(visit.slot.starts_at + dt.timedelta(minutes=15))
    try:
        passed = inspection_record(inspection_id=visit.pk, inspector=world.inspector,
                                   findings=ALL_YES, photos={})
    finally:
        amanah_clock.freeze(None)
    assert passed.outcome == InspectionOutcome.PASSED

    # then the clearance certificate is issued under the permit, held by its holder, and
    # the worker makes its certificate
    clearance = Permit.objects.get(parent=permit)
    assert re.fullmatch(r"EC-KHB-14\d\d-\d{6}", clearance.number)
    assert (clearance.permit_type.code, clearance.holder_person_id, clearance.valid_until) == (
        "excavation_clearance", permit.holder_person_id, None)
    _wait_for(lambda: Permit.objects.get(pk=clearance.pk).certificate_sha256,
              what="the clearance's certificate")
    # and the clearance page shows it
    response = client.get(reverse("permits:excavation_clearance",
                                  args=[application.reference]))
    assert response.status_code == 200
    assert clearance.number in response.content.decode()
