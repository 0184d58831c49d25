"""The instant path without a worker: the self-declaration is required and recorded (texts,
digest, event), the application is billed without a case (issuance and signage), a second
submit is refused, and paying every bill — not just one — issues the licence."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from amanah.errors import Conflict
from payments.sadad.simulator.bank import simulated_bank_pay
from payments.services.outbox import outbox_flush
from permits.enums import (
    ApplicationEventKind,
    ApplicationStatus,
    FeeStage,
    PermitEventKind,
)
from permits.licences.services import licence_declaration_texts, licence_path
from permits.models import (
    Application,
    ApplicationEvent,
    ApplicationFee,
    LicenceDeclaration,
    Permit,
    PermitEvent,
    SampleInspection,
)
from permits.services.submission import SubmissionRefused, application_submit
from tests.permits.apply_helpers import nothing_changed_snapshot
from workflow.models import Case

from .core_helpers import TODAY, files_kept_apart, instant_submitted, sms_kept, world_on_today
from .factories import BARBER, GOOD_LICENCE_ANSWERS, GROCERY, RESTAURANT, licence_draft_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]


@pytest.fixture
def private_files(settings, tmp_path):
    return files_kept_apart(settings, tmp_path)


@pytest.fixture
def sms(settings):
    return sms_kept(settings)


@pytest.fixture
def world(clock):
    return world_on_today(clock)


def _pay(application, capture, *, stages=None):
    outbox_flush()
    for fee in ApplicationFee.objects.filter(application=application).select_related("bill"):
        if stages is None or fee.stage in stages:
            with capture(execute=True):
                simulated_bank_pay(billing_account=fee.bill.billing_account,
                                   amount=fee.bill.amount)


def test_the_path_is_instant_only_when_every_activity_is(world):
    instant = licence_draft_make(world, activities=(GROCERY, BARBER))
    mixed = licence_draft_make(world, activities=(GROCERY, RESTAURANT))
    assert licence_path(instant).instant is True
    path = licence_path(mixed)
    assert (path.instant, [a.code for a in path.reviewed_activities], path.procedure_code) == (
        False, [RESTAURANT], "commercial_license")


def test_the_declaration_is_each_activity_text_in_order_with_its_name(world):
    application = licence_draft_make(world, activities=(BARBER, GROCERY))
    assert licence_declaration_texts(application) == (
        "حلاقة رجالية (960201): أقر بأن محل حلاقة رجالية مستوفٍ للاشتراطات البلدية.\n"
        "بقالة (471101): أقر بأن محل بقالة مستوفٍ للاشتراطات البلدية.",
        "Men's barber (960201): I declare that the men's barber meets the municipal "
        "requirements.\n"
        "Grocery (471101): I declare that the grocery meets the municipal requirements.")


def test_an_instant_licence_needs_the_declaration_and_nothing_is_written_without_it(
        world, queued):
    application = licence_draft_make(world)
    before = nothing_changed_snapshot(application.pk)
    with queued() as tasks, pytest.raises(SubmissionRefused) as refused:
        application_submit(application_id=application.pk, user=world.delegate.user)
    assert [(r.code, r.field) for r in refused.value.refusals] == [
        ("permits.declaration_required", "declaration")]
    assert nothing_changed_snapshot(application.pk) == before
    assert (tasks, LicenceDeclaration.objects.count()) == ([], 0)


def test_the_declaration_is_signed_and_the_fees_billed_without_a_case(world, queued):
    # when the delegate submits a grocery of 60 m² with a 3 m² sign for one year
    with queued() as tasks:
        application = instant_submitted(world)
    application = Application.objects.get(pk=application.pk)
    # then the declaration is recorded with its texts and their digest
    declaration = LicenceDeclaration.objects.get(application=application)
    text_ar, text_en = licence_declaration_texts(application)
    digest = hashlib.sha256(f"{text_ar}\n---\n{text_en}".encode()).hexdigest()
    assert (declaration.text_ar, declaration.text_en, declaration.text_sha256,
            declaration.signed_by_id) == (text_ar, text_en, digest, world.delegate.pk)
    signed = ApplicationEvent.objects.get(application=application,
                                          kind=ApplicationEventKind.DECLARATION_SIGNED)
    assert (signed.actor_id, signed.payload["sha256"]) == (world.delegate.user.pk, digest)
    # and it awaits its fees with no case: issuance 10 × 60 m² = 600, signage 200 × 3 m² = 600
    assert (application.status, application.case_id, Case.objects.count()) == (
        ApplicationStatus.AWAITING_FEE, None, 0)
    assert list(application.events.filter(kind=ApplicationEventKind.STATUS_CHANGED)
                .order_by("seq").values_list("to_status", flat=True)) == [
        ApplicationStatus.IN_REVIEW, ApplicationStatus.AWAITING_FEE]
    assert list(ApplicationFee.objects.filter(application=application).order_by("pk")
                .values_list("stage", "amount")) == [
        (FeeStage.ISSUANCE, Decimal("600.00")), (FeeStage.SIGNAGE, Decimal("600.00"))]
    sms_tasks = [kwargs for name, kwargs in tasks if name == "permits.party_sms_send"]
    assert [(t["template"], t["roles"], t["context"]["stage_en"]) for t in sms_tasks] == [
        ("fee_billed", ["owner"], "Issuance fee"), ("fee_billed", ["owner"], "Signage fee")]
    # and a second submit is refused
    with pytest.raises(Conflict) as again:
        application_submit(application_id=application.pk, user=world.delegate.user,
                           declaration_accepted=True)
    assert again.value.code == "permits.already_submitted"
    assert LicenceDeclaration.objects.count() == 1


def test_no_signage_fee_without_a_sign(world):
    application = instant_submitted(world, answers={**GOOD_LICENCE_ANSWERS,
                                                    "signage_area_m2": "0"})
    assert list(ApplicationFee.objects.filter(application=application)
                .values_list("stage", flat=True)) == [FeeStage.ISSUANCE]


def test_paying_one_bill_waits_and_paying_both_issues_the_licence(
        world, django_capture_on_commit_callbacks, sms):
    # given an instant grocery for two years (issuance 10 × 60 × 2 = 1200, signage 1200),
    # sampled at 100 % so this one is chosen
    world.activities[GROCERY].sample_inspection_percent = 100
    world.activities[GROCERY].save()
    application = instant_submitted(world, answers={**GOOD_LICENCE_ANSWERS,
                                                    "validity_years": "2"})
    # when only the issuance fee is paid, nothing is issued yet
    _pay(application, django_capture_on_commit_callbacks, stages={FeeStage.ISSUANCE})
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AWAITING_FEE
    assert not Permit.objects.filter(application=application).exists()
    # when the signage fee is paid too
    _pay(application, django_capture_on_commit_callbacks, stages={FeeStage.SIGNAGE})
    # then the licence is issued at once for two years, held by the establishment
    application = Application.objects.get(pk=application.pk)
    permit = Permit.objects.get(application=application)
    assert (application.status, permit.holder_establishment_id, permit.holder_person_id,
            permit.issued_on, permit.valid_until) == (
        ApplicationStatus.ISSUED, world.establishment.pk, None, TODAY, dt.date(2028, 11, 30))
    assert permit.number.startswith("CL-M910-")
    # and it is queued for a sample inspection 30 days on, with its event
    sample = SampleInspection.objects.get(permit=permit)
    assert (sample.status, sample.activity_id, sample.rate_percent, sample.due_by) == (
        "queued", world.activities[GROCERY].pk, 100, dt.date(2026, 12, 31))
    assert PermitEvent.objects.filter(permit=permit,
                                      kind=PermitEventKind.SAMPLE_QUEUED).count() == 1
    # and the delegate is told by SMS that it is issued, with its number
    assert any(permit.number in message.body and message.to == world.delegate.mobile
               for message in sms)


def test_a_licence_with_nothing_to_pay_is_issued_at_submission(world):
    world.licence_type.fee_rules.filter(stage__in=[FeeStage.ISSUANCE,
                                                   FeeStage.SIGNAGE]).delete()
    application = instant_submitted(world)
    application = Application.objects.get(pk=application.pk)
    assert (application.status, application.fees.count(), application.case_id) == (
        ApplicationStatus.ISSUED, 0, None)
    assert Permit.objects.get(application=application).holder_establishment_id == \
        world.establishment.pk
