"""Each workflow event reaches its people through the notification subsystem, in their
language, with the facts: a case submitted, returned, decided; a deadline at risk, overdue."""

import pytest

from amanah.enums import StaffRole
from amanah.models import Notification
from amanah.notifications import LocmemSmsBackend
from tests.factories import PersonFactory
from tests.workflow.factories import case_new, world_build
from workflow.models import Case, WorkflowDefinition
from workflow.services import case_claim, case_transition, sla_sweep
from workflow.services.definitions import frozen_versions_forget

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return world_build()


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


def _sms_rows(**recipient):
    return list(Notification.objects.filter(channel="sms", **recipient).order_by("pk"))


def test_a_submitted_case_tells_the_applicant_in_their_language(
        world, sms, mailoutbox, django_capture_on_commit_callbacks):
    world.applicant.language = "en"
    world.applicant.save()
    with django_capture_on_commit_callbacks(execute=True):
        case = case_new(world, route=False)
    assert [(m.to, m.body) for m in sms] == [(world.applicant.mobile, (
        f"Amanah: we received your transaction {case.number} (General correspondence); it is "
        "now: Submitted. Follow it on My transactions."))]
    assert [m.subject for m in mailoutbox] == [f"Transaction {case.number} received"]
    (row,) = _sms_rows(person=world.applicant)
    assert (row.event, row.key, row.language) == ("case.submitted", row.key, "en")


def test_a_returned_case_tells_the_applicant_the_message_and_never_the_internal_note(
        world, sms, django_capture_on_commit_callbacks):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=case.pk, action="return_to_applicant", actor=clerk,
                        comment="يرجى إرفاق المخطط", internal_note="call the surveyor")
    assert [(m.to, m.body) for m in sms] == [(world.applicant.mobile, (
        f"أمانة: أُعيدت معاملتكم {case.number} إليكم لاستكمالها: بانتظار استكمال مقدم الطلب."
        "\nيرجى إرفاق المخطط"))]
    assert [r.event for r in _sms_rows(person=world.applicant)][-1] == "case.returned"
    assert not Notification.objects.filter(body__contains="surveyor").exists()


@pytest.mark.parametrize(("action", "state_ar"), [("answer", "تمت الإفادة"),
                                                  ("reject", "مرفوضة")])
def test_a_decided_case_tells_the_applicant_the_decision(
        world, sms, django_capture_on_commit_callbacks, action, state_ar):
    case = case_new(world)
    head = world.staff("customer_service", StaffRole.HEAD)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=case.pk, action=action, actor=head, comment="تم")
    assert [m.body for m in sms] == [
        f"أمانة: صدر القرار في معاملتكم {case.number}: {state_ar}.\nتم"]
    assert _sms_rows(person=world.applicant)[-1].event == "case.decided"


def _claimed_case(world):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    case_claim(case_id=case.pk, actor=clerk)
    head = world.staff("customer_service", StaffRole.HEAD)
    # the head reads English (their person's language); the clerk has no person: Arabic
    PersonFactory(user=head, language="en", mobile="+966500000001")
    return Case.objects.get(pk=case.pk), clerk, head


def test_a_deadline_at_risk_tells_the_assignee_and_the_head(
        world, sms, mailoutbox, django_capture_on_commit_callbacks):
    case, clerk, head = _claimed_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        result = sla_sweep(now=case.state_at_risk_at)
    assert (result.at_risk, result.overdue) == (1, 0)
    # the clerk (no mobile) by email in Arabic; the head by SMS and email in English
    assert [(m.to, m.body) for m in sms] == [("+966500000001", (
        f"Amanah: transaction {case.number} (General correspondence) at 'In review' in "
        f"Dept customer_service is due soon: "
        f"{_english_deadline(case.state_due_at)}."))]
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == sorted([
        (clerk.email, f"اقتراب موعد المعاملة {case.number}"),
        (head.email, f"Transaction {case.number} due soon")])
    staff_emails = Notification.objects.filter(channel="email", user__isnull=False)
    assert {(r.user_id, r.event) for r in staff_emails} == {
        (clerk.pk, "sla.at_risk"), (head.pk, "sla.at_risk")}
    # and a second sweep tells nobody again
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=case.state_at_risk_at)
    assert len(sms) == 1 and len(mailoutbox) == 2


def _english_deadline(due):
    from amanah.dates import dual_date_format

    return dual_date_format(due, "en")


def test_an_overdue_case_tells_the_assignee_and_the_head(
        world, sms, mailoutbox, django_capture_on_commit_callbacks):
    case, clerk, head = _claimed_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        result = sla_sweep(now=case.state_due_at)
    assert (result.overdue, result.escalated) == (1, 1)
    assert [(m.to, m.body.split(" (was due")[0]) for m in sms] == [("+966500000001", (
        f"Amanah: transaction {case.number} (General correspondence) at 'In review' in "
        "Dept customer_service is overdue"))]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([clerk.email, head.email])
    staff_emails = Notification.objects.filter(channel="email", user__isnull=False)
    assert {(r.user_id, r.event) for r in staff_emails} == {
        (clerk.pk, "sla.overdue"), (head.pk, "sla.overdue")}


def test_a_procedure_another_app_opens_for_its_own_record_tells_nobody_it_was_submitted(
        world, sms, django_capture_on_commit_callbacks):
    # given the procedure serves no e-service of the workflow's own (as a fine's internal
    # approval, or a permit's review, which their apps announce themselves)
    WorkflowDefinition.objects.filter(code="general_correspondence").update(eservice=None)
    frozen_versions_forget()
    # when a case is opened on it for a citizen
    with django_capture_on_commit_callbacks(execute=True):
        case = case_new(world, route=False)
    # then the citizen is told nothing about it
    assert sms == []
    assert not Notification.objects.filter(key__startswith="case-event:",
                                           person=case.applicant_person).exists()
