"""The whole life of a building permit in one test, on PostgreSQL with a real Celery worker and
the real services only (no row is written by hand once the world is built):

the design office drafts it for the owner (answers, parcel through the deed registry, parties,
plans) → submitted → the owner consents → case opened, application fee billed and paid through
SADAD → a correction asked and answered → plan check → site visit booked and passed → approved
→ issuance fee paid through SADAD while a clerk holds the case → issued → certificate → the
public verification page → renewed inside the window → amended through its own case → expired
by the nightly job → every audit chain intact.

The worker runs on real time while this process moves the clock: what the worker computes from
"today" (the day a permit is issued) is read back from the database, not assumed. The worker's
work is waited for by polling the database until a deadline; nothing sleeps to make an
assertion true."""

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from amanah.events import audit_verify
from payments.enums import BillStatus
from payments.models import Bill, Payment
from payments.services import outbox_flush
from permits.enums import (
    ApplicationKind,
    ApplicationStatus,
    ConsentStatus,
    FeeStage,
    InspectionOutcome,
    PartyRole,
    PermitStatus,
)
from permits.lifecycle_tasks import permits_expire_due
from permits.models import (
    Application,
    ApplicationFee,
    ApplicationParty,
    Permit,
    PermitVersion,
)
from permits.services.corrections import (
    application_correction_answer,
    application_correction_request,
)
from permits.services.drafts import (
    application_answers_save,
    application_document_upload,
    application_draft_create,
)
from permits.services.inspections import inspection_book, inspection_record
from permits.services.lifecycle import permit_amendment_start, permit_renewal_start
from permits.services.parcels import application_parcel_set
from permits.services.parties import application_consent_give, application_party_add
from permits.services.plan_check import plan_check_run
from permits.services.submission import application_submit
from tests.locking import ClerkHoldsCase
from tests.payments.factories import notification, pmt, post
from tests.permits.factories import permits_world, slot_make
from tests.permits.lifecycle_helpers import day, lifecycle_fees_make
from tests.samples import pdf, upload
from workflow.models import Case, CaseMove
from workflow.services import case_transition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

STEP_1 = {"floors": "2", "built_area_m2": "420.00", "footprint_m2": "300.00",
          "use": "residential"}
STEP_2 = {"front_setback_m": "5.00", "side_setback_m": "2.50", "rear_setback_m": "2.00",
          "notes": ""}
VISIT_ALL_YES = {code: {"answer": "yes"} for code in ("fence", "setbacks", "safety")}


# --- waiting for the worker, and a clerk holding a case ------------------------------------


def _wait_for(predicate, *, seconds: float = 90, what: str = ""):
    """Poll the database until `predicate()` is true, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def certificates_removed():
    """The worker stores certificates in its own private folder: remove what this test made."""
    made: set[str] = set()
    yield made
    storage = Permit._meta.get_field("certificate").storage
    for name in made:
        storage.delete(name)


# --- one helper per step ---------------------------------------------------------------------


def _state(application) -> str:
    return Case.objects.get(pk=application.case_id).state.code


def _status(application) -> str:
    return Application.objects.get(pk=application.pk).status


def _pay(client, bill: Bill, sptn: str):
    """SADAD's notification of a payment of the whole bill at a bank."""
    outbox_flush()
    return post(client, notification([pmt(sptn=sptn, amount=str(bill.amount),
                                          billing_account=bill.billing_account)]))


def _pay_and_accept(client, bill: Bill, sptn: str) -> None:
    response = _pay(client, bill, sptn)
    assert response.status_code == 200
    assert b"<Result>ACCEPTED</Result>" in response.content


def _fee(application, stage: str) -> ApplicationFee:
    return ApplicationFee.objects.select_related("bill").get(application=application,
                                                             stage=stage)


def _office_drafts(world) -> Application:
    """The office's person starts the draft for the owner and fills it in, step by step."""
    user = world.office_worker.user
    application = application_draft_create(user=user, permit_type_code="building_new",
                                           municipality=world.municipality,
                                           on_behalf_of_owner_id=world.owner.national_id)
    application_answers_save(application_id=application.pk, user=user, step=1, data=STEP_1)
    application_answers_save(application_id=application.pk, user=user, step=2, data=STEP_2)
    application_parcel_set(application_id=application.pk, user=user,
                           deed_number=world.deed.deed_number, deed_date=world.deed.deed_date,
                           district_code=world.district.code, latitude="26.250000",
                           longitude="50.150000")
    application_party_add(application_id=application.pk, user=user, role=PartyRole.CONTRACTOR,
                          office_licence_number=world.contractor.licence_number)
    application_document_upload(application_id=application.pk, user=user,
                                kind="architectural_plans",
                                file=upload("plans.pdf", pdf(pages=2), "application/pdf"))
    return Application.objects.get(pk=application.pk)


def _through_plan_check_and_visit(world, application, *, clock):
    """Staff's review after the fee is paid: plan check, sent to inspection, the owner books a
    slot, the inspector passes the visit; the case is at "decision"."""
    assert plan_check_run(application_id=application.pk, actor=world.reviewer).passed
    case_transition(case_id=application.case_id, action="send_to_inspection",
                    actor=world.clerk)
    assert _state(application) == "inspection"
    slot = slot_make(world, starts_at=clock.now() + dt.timedelta(hours=2))
    visit = inspection_book(application_id=application.pk, user=world.owner.user,
                            slot_id=slot.pk, purpose="site")
    back_to = clock.now()
    clock.set(slot.starts_at + dt.timedelta(minutes=15))  # the inspector on site
    visit = inspection_record(inspection_id=visit.pk, inspector=world.inspector,
                              findings=VISIT_ALL_YES, photos={})
    case_transition(case_id=application.case_id, action="inspection_passed",
                    actor=world.inspector)
    clock.set(back_to)
    assert (visit.outcome, _state(application)) == (InspectionOutcome.PASSED, "decision")


def _verify_page(client, permit) -> str:
    with translation.override("ar"):
        url = reverse("permits:permit_verify", args=[permit.verification_token])
    assert url == f"/ar/permits/verify/{permit.verification_token}/"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- the test --------------------------------------------------------------------------------


def test_a_building_permit_from_draft_to_expiry(client, real_worker, clock,
                                                certificates_removed):
    # given the municipality, its staff, the owner with a deed, a design office and a
    # contractor, and the building permit type with its renewal fees (1.00 a m², min 300.00)
    clock.set(day(2026, 12, 1))
    world = permits_world()
    lifecycle_fees_make(world, stages=(FeeStage.RENEWAL,))
    office_user = world.office_worker.user

    # when the office drafts the application for the owner and submits it
    application = _office_drafts(world)
    assert (application.status, application.parcel.deed_number,
            application.answers_version) == (ApplicationStatus.DRAFT,
                                             world.deed.deed_number, 3)
    assert sorted(application.parties.values_list("role", flat=True)) == sorted(
        [PartyRole.OWNER, PartyRole.DESIGN_OFFICE, PartyRole.CONTRACTOR])
    application_submit(application_id=application.pk, user=office_user)
    # then it waits for the owner's consent, with no case yet
    application = Application.objects.get(pk=application.pk)
    assert (application.status, application.case_id) == (ApplicationStatus.AWAITING_CONSENT,
                                                         None)

    # when the owner consents in the portal
    application_consent_give(application_id=application.pk, user=world.owner.user)
    # then the case is opened, routed to review by the worker, and the application fee billed
    application = Application.objects.get(pk=application.pk)
    assert application.status == ApplicationStatus.IN_REVIEW
    assert ApplicationParty.objects.get(application=application,
                                        role=PartyRole.OWNER).consent == ConsentStatus.GIVEN
    _wait_for(lambda: _state(application) == "review", what="the case to be routed")
    application_fee = _fee(application, FeeStage.APPLICATION)
    assert (application_fee.amount, application_fee.bill.amount) == (Decimal("300.00"),
                                                                     Decimal("300.00"))

    # when the owner pays it at a bank and SADAD tells the portal
    _pay_and_accept(client, application_fee.bill, "SP-LIFE-APP")
    # then the fee is paid
    assert _fee(application, FeeStage.APPLICATION).paid_at is not None

    # when staff ask for the floors to be corrected, and the office answers
    application_correction_request(application_id=application.pk, actor=world.clerk,
                                   fields=["floors"], documents=[],
                                   note="عدد الأدوار لا يطابق المخططات")
    assert (_state(application), _status(application)) == (
        "awaiting_applicant", ApplicationStatus.AWAITING_CORRECTION)
    application_correction_answer(application_id=application.pk, user=office_user,
                                  data={"floors": "3"}, files={}, note="صُحح عدد الأدوار")
    # then the corrected answers are a new version, back in review
    application = Application.objects.get(pk=application.pk)
    assert (application.status, application.answers["floors"], application.answers_version,
            _state(application)) == (ApplicationStatus.IN_REVIEW, 3, 4, "review")

    # when the plan passes its check (3 floors of the zone's 3) and the site visit passes
    _through_plan_check_and_visit(world, application, clock=clock)

    # when the reviewer approves, the worker bills the issuance fee: 2.50 × 420 m²
    case_transition(case_id=application.case_id, action="approve", actor=world.reviewer,
                    comment="مطابق للاشتراطات")
    fee = _wait_for(lambda: ApplicationFee.objects.select_related("bill").filter(
        application=application, stage=FeeStage.ISSUANCE).first(), what="the issuance bill")
    assert (fee.amount, fee.bill.amount) == (Decimal("1050.00"), Decimal("1050.00"))
    _wait_for(lambda: _status(application) == ApplicationStatus.AWAITING_FEE,
              what="the application to await its fee")
    assert _state(application) == "awaiting_fee"

    # when SADAD notifies its payment while a clerk holds the case
    with ClerkHoldsCase(application.case_id):
        started = time.monotonic()
        response = _pay(client, fee.bill, "SP-LIFE-ISSUE")
        # then SADAD is answered at once, the payment recorded, the fee paid
        assert response.status_code == 200
        assert b"<Result>ACCEPTED</Result>" in response.content
        assert time.monotonic() - started < 10
        assert Payment.objects.get(sptn="SP-LIFE-ISSUE").bill_id == fee.bill_id
        assert Bill.objects.get(pk=fee.bill_id).status == BillStatus.PAID
        # and the case waits for the clerk: the worker tried, found it busy, will try again
        _wait_for(lambda: CaseMove.objects.filter(case_id=application.case_id,
                                                  action="fee_paid", attempts__gte=1).exists(),
                  what="the worker's first try at the move")
        assert _state(application) == "awaiting_fee"

    # then once the clerk lets go the permit is issued by the worker
    permit = _wait_for(lambda: Permit.objects.filter(application=application).first(),
                       what="the permit")
    _wait_for(lambda: _status(application) == ApplicationStatus.ISSUED,
              what="the application to be issued")
    assert _state(application) == "issued"
    assert re.fullmatch(r"BP-M900-14\d\d-\d{6}", permit.number)
    assert (permit.status, permit.version, permit.holder_person_id, permit.parcel_id) == (
        PermitStatus.VALID, 1, world.owner.pk, application.parcel_id)
    assert permit.details == {"floors": 3, "built_area_m2": "420.00", "use": "residential"}
    # valid for 36 months from the day the worker issued it
    start = permit.valid_from
    first_until = dt.date(start.year + 3, start.month, start.day) - dt.timedelta(days=1)
    assert permit.valid_until == first_until

    # and the worker makes its certificate, which the public verification page confirms
    certified = _wait_for(lambda: Permit.objects.filter(pk=permit.pk, certificate_version=1)
                          .exclude(certificate="").first(), what="the certificate")
    certificates_removed.add(certified.certificate.name)
    assert len(certified.certificate_sha256) == 64
    html = _verify_page(client, permit)
    assert "هذه الرخصة سارية" in html and "This permit is valid" in html
    assert permit.number in html

    # when the owner renews 30 days before it ends and pays the renewal (1.00 × 420 m²)
    clock.set(day(first_until.year, first_until.month, first_until.day)
              - dt.timedelta(days=30))
    renewal = permit_renewal_start(permit_id=permit.pk, user=world.owner.user)
    renewal_fee = _fee(renewal, FeeStage.RENEWAL)
    assert (renewal.kind, renewal_fee.amount) == (ApplicationKind.RENEWAL, Decimal("420.00"))
    _pay_and_accept(client, renewal_fee.bill, "SP-LIFE-RENEW")
    # then the worker extends it by exactly 36 months from the old end, and certifies version 2
    renewed = _wait_for(lambda: Permit.objects.filter(pk=permit.pk, version=2,
                                                      certificate_version=2).first(),
                        what="the renewal and its certificate")
    certificates_removed.add(renewed.certificate.name)
    second_until = dt.date(first_until.year + 3, first_until.month, first_until.day)
    assert (renewed.status, renewed.valid_until) == (PermitStatus.VALID, second_until)
    assert _status(renewal) == ApplicationStatus.ISSUED

    # when the owner asks to amend the built area, and the amendment goes through its case
    amendment = permit_amendment_start(permit_id=permit.pk, user=world.owner.user,
                                       answers={"built_area_m2": "480"})
    assert (amendment.kind, amendment.status) == (ApplicationKind.AMENDMENT,
                                                  ApplicationStatus.IN_REVIEW)
    _wait_for(lambda: _state(amendment) == "review", what="the amendment's case to be routed")
    _pay_and_accept(client, _fee(amendment, FeeStage.APPLICATION).bill, "SP-LIFE-AMEND")
    _through_plan_check_and_visit(world, amendment, clock=clock)
    case_transition(case_id=amendment.case_id, action="approve", actor=world.reviewer,
                    comment="التعديل مطابق")
    # then (the type bills no amendment fee) the worker applies it at once: a new version of
    # the permit with the new area, its validity kept, and its certificate made again
    amended = _wait_for(lambda: Permit.objects.filter(pk=permit.pk, version=3,
                                                      certificate_version=3).first(),
                        what="the amendment and its certificate")
    certificates_removed.add(amended.certificate.name)
    _wait_for(lambda: _status(amendment) == ApplicationStatus.ISSUED,
              what="the amendment to be issued")
    assert amended.details == {"floors": 3, "built_area_m2": "480.00", "use": "residential"}
    assert (amended.status, amended.valid_until) == (PermitStatus.VALID, second_until)
    assert list(PermitVersion.objects.filter(permit=permit).order_by("version").values_list(
        "version", "details__built_area_m2", "application__kind")) == [
        (1, "420.00", ApplicationKind.NEW), (2, "420.00", ApplicationKind.RENEWAL),
        (3, "480.00", ApplicationKind.AMENDMENT)]
    assert Permit.objects.filter(application__in=[renewal, amendment]).count() == 0

    # when the nightly expiry job runs the day after its validity ends
    clock.set(day(second_until.year, second_until.month, second_until.day)
              + dt.timedelta(days=1))
    assert permits_expire_due() == 1
    # then the permit is expired, and the verification page says so
    assert Permit.objects.get(pk=permit.pk).status == PermitStatus.EXPIRED
    html = _verify_page(client, permit)
    assert "هذه الرخصة منتهية" in html and "This permit has expired" in html
    assert "هذه الرخصة سارية" not in html
    # and running it again expires nothing twice
    assert permits_expire_due() == 0

    # and every audit chain the journey wrote is intact
    results = audit_verify()
    assert results and all(result.ok for result in results), results
