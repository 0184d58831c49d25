"""Submitting: every reason at once and nothing written on a refusal; the owner's consent first
when an office files; then the case, the application fee billed once, and the parties told."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from amanah.enums import RolloutState
from amanah.errors import Conflict, PermissionDenied
from amanah.models import EServiceRollout
from payments.models import Bill
from permits.enums import (
    ApplicationEventKind,
    ApplicationStatus,
    ConsentStatus,
    FeeStage,
    PartyRole,
)
from permits.models import Application, ApplicationFee, ApplicationParty
from permits.services import submission
from permits.services.drafts import application_answers_save, application_draft_create
from permits.services.parties import application_consent_give
from permits.services.submission import (
    SubmissionRefused,
    application_submission_continue,
    application_submit,
)
from tests.permits.factories import permits_world
from workflow.models import Case

from .apply_helpers import (
    FENCE_STEP_1,
    STEP_1,
    consent_record,
    draft_complete,
    fence_type_make,
    nothing_changed_snapshot,
    overdue_fine,
    private_files,  # noqa: F401 - fixture
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]


@pytest.fixture
def world(clock):
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    return permits_world()


def _refused_with(world, application, queued) -> list:
    """Submit, expect the refusal, and prove nothing was written or queued."""
    before = nothing_changed_snapshot(application.pk)
    # (links are to pages in the language of the request, Arabic here)
    with queued() as tasks, pytest.raises(SubmissionRefused) as refused, \
            translation.override("ar"):
        application_submit(application_id=application.pk, user=world.office_worker.user)
    assert nothing_changed_snapshot(application.pk) == before
    assert tasks == []
    assert refused.value.code == "permits.submission_refused"
    return refused.value.refusals


# --- Refusals ---------------------------------------------------------------------------------


def test_a_missing_answer_is_refused_with_its_question_and_step(world, queued):
    application = draft_complete(world, answers=(STEP_1, {}))
    refusals = _refused_with(world, application, queued)
    assert [(r.code, r.field, r.reason_en) for r in refusals] == [
        ("permits.answer_missing", "front_setback_m",
         "“Front setback (m)”: This field is required."),
        ("permits.answer_missing", "side_setback_m",
         "“Side setback (m)”: This field is required."),
        ("permits.answer_missing", "rear_setback_m",
         "“Rear setback (m)”: This field is required."),
    ]
    assert refusals[0].reason_ar == "«الارتداد الأمامي (م)»: هذا الحقل مطلوب."
    assert refusals[0].link == f"/ar/permits/applications/{application.reference}/steps/2/"


def test_a_missing_document_is_refused(world, queued):
    application = draft_complete(world, documents=False)
    refusals = _refused_with(world, application, queued)
    assert [(r.code, r.field, r.reason_en) for r in refusals] == [
        ("permits.document_missing", "document:architectural_plans",
         "The document “Architectural plans” is not uploaded.")]


def test_a_missing_party_and_parcel_are_refused(world, queued):
    application = draft_complete(world, parcel=False)
    ApplicationParty.objects.filter(application=application,
                                    role=PartyRole.DESIGN_OFFICE).delete()
    refusals = _refused_with(world, application, queued)
    assert [(r.code, r.reason_en) for r in refusals] == [
        ("permits.parcel_missing", "The parcel (deed and location) is not set."),
        ("permits.party_missing",
         "A required party is missing: Engineering (design) office."),
    ]


def test_an_unpaid_overdue_fine_of_the_owner_is_refused_with_its_reason(world, queued):
    # given the owner has a fine, unpaid and past its due date
    fine = overdue_fine(world)
    application = draft_complete(world)
    refusals = _refused_with(world, application, queued)
    # then the refusal says which bill, how much, since when, and where to pay it
    assert [(r.code, r.reference, r.link) for r in refusals] == [
        ("payments.bill_overdue", fine.billing_account,
         f"/ar/payments/bills/{fine.billing_account}/")]
    assert refusals[0].reason_en.startswith(
        f"Fine bill {fine.billing_account} (Building violation) for SAR 500.00 is unpaid; "
        "it was due on ")
    assert refusals[0].reason_ar.startswith(f"فاتورة غرامة رقم {fine.billing_account} "
                                            "(مخالفة بناء) بمبلغ 500.00 ر.س لم تُسدَّد")


def test_a_service_off_in_the_municipality_is_refused(world, queued):
    application = draft_complete(world)
    EServiceRollout.objects.filter(eservice=world.permit_type.eservice).update(
        state=RolloutState.OFF)
    refusals = _refused_with(world, application, queued)
    assert [(r.code, r.reason_en) for r in refusals] == [
        ("rollout.service_off",
         f"This service is not offered in {world.municipality.name_en} yet.")]


def test_every_reason_is_given_at_once(world, queued):
    overdue_fine(world)
    application = draft_complete(world, answers=(STEP_1, {}), documents=False, parcel=False)
    refusals = _refused_with(world, application, queued)
    assert [r.code for r in refusals] == [*["permits.answer_missing"] * 3,
                                          "permits.parcel_missing", "permits.document_missing",
                                          "payments.bill_overdue"]


def test_an_inactive_deed_is_refused_when_the_type_asks(world, queued):
    world.permit_type.prerequisites = ["parcel_deed_active", "no_unpaid_fines"]
    world.permit_type.save()
    world.deed.is_active = False
    world.deed.save()
    application = draft_complete(world)
    refusals = _refused_with(world, application, queued)
    assert [(r.code, r.reason_en) for r in refusals] == [
        ("permits.deed_inactive", f"Deed {world.deed.deed_number} is not active in the deed "
                                  "registry (cancelled or replaced).")]


def test_an_unknown_prerequisite_refuses_rather_than_passes(world, queued):
    world.permit_type.prerequisites = ["no_such_check"]
    world.permit_type.save()
    refusals = _refused_with(world, draft_complete(world), queued)
    assert [r.code for r in refusals] == ["permits.prerequisite_unknown"]


# --- The owner's consent ----------------------------------------------------------------------


def test_an_office_submission_waits_for_the_owners_consent(world, queued):
    application = draft_complete(world)
    # when the office submits
    with queued() as tasks:
        application_submit(application_id=application.pk, user=world.office_worker.user)
    # then the owner is asked, and nothing reaches the municipality yet
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWAITING_CONSENT
    assert application.submitted_at is None and application.case_id is None
    owner = application.parties.get(role=PartyRole.OWNER)
    assert owner.consent == ConsentStatus.PENDING
    assert not Case.objects.exists() and not Bill.objects.exists()
    assert tasks == [("permits.party_sms_send", {
        "application_id": application.pk, "template": "consent_requested",
        "roles": ["owner"], "context": {}})]


def test_after_consent_the_case_opens_and_the_application_fee_is_billed(world, queued):
    application = draft_complete(world)
    application_submit(application_id=application.pk, user=world.office_worker.user)
    # when the owner consents in the portal (part PARTIES' service continues the submission)
    with queued() as tasks:
        application_consent_give(application_id=application.pk, user=world.owner.user)
    application.refresh_from_db()
    # then a case of the type's procedure, for the owner, submitted by the office's person
    case = application.case
    assert (case.definition.code, case.municipality, case.applicant_person,
            case.submitted_by) == ("building_new", world.municipality, world.owner,
                                   world.office_worker.user)
    assert case.subject == f"رخصة بناء جديدة — {application.reference}"
    assert application.status == ApplicationStatus.IN_REVIEW
    assert application.submitted_at is not None
    # and the application fee billed once, to the owner
    fee = ApplicationFee.objects.get(application=application)
    assert (fee.stage, fee.amount, fee.bill.payer_person) == (
        FeeStage.APPLICATION, Decimal("300.00"), world.owner)
    assert Bill.objects.count() == 1
    kinds = list(application.events.values_list("kind", "to_status"))
    assert kinds[-2:] == [(ApplicationEventKind.STATUS_CHANGED, "in_review"),
                          (ApplicationEventKind.FEE_BILLED, "")]
    # and the case's routing, the bill's upload to SADAD and the parties' messages are queued
    # for after the commit
    assert [name for name, _ in tasks] == ["workflow.case_route", "payments.outbox_send",
                                           "permits.party_sms_send", "permits.party_sms_send"]
    templates = [kwargs["template"] for name, kwargs in tasks
                 if name == "permits.party_sms_send"]
    assert templates == ["fee_billed", "submitted"]


def test_continuing_without_the_owners_consent_is_refused(world):
    application = draft_complete(world)
    application_submit(application_id=application.pk, user=world.office_worker.user)
    before = nothing_changed_snapshot(application.pk)
    with pytest.raises(PermissionDenied) as refused:
        application_submission_continue(application_id=application.pk)
    assert refused.value.code == "permits.consent_missing"
    assert nothing_changed_snapshot(application.pk) == before
    # once the consent is on the owner's party, the same call goes through
    consent_record(application)
    application_submission_continue(application_id=application.pk)
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.IN_REVIEW
    with pytest.raises(Conflict):
        application_submission_continue(application_id=draft_complete(world).pk)


def test_a_fine_that_appeared_before_consent_refuses_the_continuation(world):
    application = draft_complete(world)
    application_submit(application_id=application.pk, user=world.office_worker.user)
    overdue_fine(world)
    with pytest.raises(SubmissionRefused) as refused:
        application_consent_give(application_id=application.pk, user=world.owner.user)
    assert [r.code for r in refused.value.refusals] == ["payments.bill_overdue"]
    # and the consent is not recorded either: the owner pays and consents again
    application.refresh_from_db()
    assert (application.status, application.case_id) == (ApplicationStatus.AWAITING_CONSENT,
                                                         None)
    assert application.parties.get(role=PartyRole.OWNER).consent == ConsentStatus.PENDING


def test_the_owner_filing_goes_straight_to_the_municipality(world):
    fence_type_make(world.municipality)
    application = application_draft_create(user=world.owner.user, permit_type_code="fence",
                                           municipality=world.municipality)
    application_answers_save(application_id=application.pk, user=world.owner.user, step=1,
                             data={**FENCE_STEP_1, "has_gate": "false"})
    Application.objects.filter(pk=application.pk).update(parcel=world.parcel)
    application_submit(application_id=application.pk, user=world.owner.user)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert application.case.submitted_by == world.owner.user
    assert ApplicationFee.objects.get(application=application).amount == Decimal("100.00")


def test_a_second_submit_is_a_conflict_and_bills_nothing_more(world):
    application = draft_complete(world)
    application_submit(application_id=application.pk, user=world.office_worker.user)
    with pytest.raises(Conflict) as again:
        application_submit(application_id=application.pk, user=world.office_worker.user)
    assert again.value.code == "permits.already_submitted"


# --- Two submissions at once, on PostgreSQL ---------------------------------------------------


def _in_thread(target, results: dict, key: str) -> threading.Thread:
    def run():
        try:
            results[key] = target()
        except BaseException as exc:  # the test reads what happened
            results[key] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=key)
    thread.start()
    return thread


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        # Sessions of this database only: the server is shared.
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                       "AND datname = current_database()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_open_one_case_and_bill_once(monkeypatch, clock):
    # given an owner-filed application, complete
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    world = permits_world()
    fence_type_make(world.municipality)
    application = application_draft_create(user=world.owner.user, permit_type_code="fence",
                                           municipality=world.municipality)
    application_answers_save(application_id=application.pk, user=world.owner.user, step=1,
                             data={**FENCE_STEP_1, "has_gate": "false"})
    Application.objects.filter(pk=application.pk).update(parcel=world.parcel)
    # and the first submission held inside its transaction, just as it opens the case
    inside, release = threading.Event(), threading.Event()
    real_case_submit = submission.case_submit

    def held_case_submit(**kwargs):
        if not inside.is_set():
            inside.set()
            assert release.wait(timeout=20)
        return real_case_submit(**kwargs)

    monkeypatch.setattr(submission, "case_submit", held_case_submit)
    results: dict = {}
    user = world.owner.user
    first = _in_thread(lambda: application_submit(application_id=application.pk, user=user),
                       results, "first")
    assert inside.wait(timeout=20)
    # when a second submission (a double click) arrives and waits on the application's lock
    second = _in_thread(lambda: application_submit(application_id=application.pk, user=user),
                        results, "second")
    waited = False
    for _ in range(2000):
        waited = _lock_waiters() > 0
        if waited:
            break
        second.join(timeout=0.01)
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    # then the second did wait, and the first opened the case and billed; the second was
    # told it was already submitted
    assert waited
    assert isinstance(results["first"], Application), results["first"]
    assert isinstance(results["second"], Conflict), results["second"]
    assert results["second"].code == "permits.already_submitted"
    assert Case.objects.count() == 1
    assert Bill.objects.count() == 1
    assert ApplicationFee.objects.filter(application=application).count() == 1
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.IN_REVIEW
