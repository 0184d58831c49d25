"""The case services: what each does, and that each refusal leaves everything as it was."""

import pytest

from amanah.enums import StaffRole
from amanah.errors import DomainError
from amanah.models import Notification
from tests import samples
from workflow.enums import CaseEventKind, SlaStatus, StatusCategory
from workflow.models import Case, CaseAttachment, CaseEvent
from workflow.services import (
    case_assign,
    case_attachment_add,
    case_cancel,
    case_claim,
    case_comment_add,
    case_resume,
    case_return_to_applicant,
    case_submit,
    case_transfer,
    case_transition,
)

from .factories import case_in_state, case_new


def _snapshot(case_id: int) -> tuple:
    case = Case.objects.get(pk=case_id)
    return (case.state_id, case.department_id, case.assignee_id, case.row_version,
            case.sla_status, case.last_event_hash,
            list(CaseEvent.objects.filter(case_id=case_id).values_list("seq", "hash")),
            CaseAttachment.objects.filter(case_id=case_id).count())


def _refused(django_capture_on_commit_callbacks, case_id: int, call) -> DomainError:
    before = _snapshot(case_id)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(DomainError) as info:
        call()
    assert _snapshot(case_id) == before
    assert callbacks == []
    return info.value


def test_submit_numbers_the_case_and_queues_routing(world, django_capture_on_commit_callbacks):
    # when a citizen of the branch submits general correspondence
    with django_capture_on_commit_callbacks() as callbacks:
        case = case_submit(kind="general_correspondence", municipality=world.branch,
                           subject="طلب", submitted_by=world.applicant.user)
    # then it is numbered in the branch's Hijri-year series, on the Amanah's procedure
    assert case.number.startswith("KHB-14") and case.number.endswith("-000001")
    assert case.version == world.versions["general_correspondence"]
    assert case.applicant_person == world.applicant
    assert case.category == StatusCategory.SUBMITTED
    assert case.department == world.department("customer_service")
    assert case.due_at is not None
    assert [e.kind for e in case.events.all()] == [CaseEventKind.SUBMITTED]
    # and routing is queued for after the commit, and only then
    assert len([c for c in callbacks
                if getattr(c, "task_name", "") != "amanah.notification_send"]) == 1


def test_submit_without_subject_is_refused_and_takes_no_number(world):
    with pytest.raises(DomainError) as refused:
        case_submit(kind="general_correspondence", municipality=world.branch, subject="  ",
                    submitted_by=world.applicant.user)
    assert refused.value.code == "workflow.subject_required"
    assert refused.value.field == "subject"
    assert Case.objects.count() == 0
    case = case_new(world)
    assert case.number.endswith("-000001")


def test_route_moves_the_case_to_its_first_queue_once(world):
    case = case_new(world, route=False)
    from workflow.services import case_route

    routed = case_route(case_id=case.pk)
    again = case_route(case_id=case.pk)
    assert routed.state.code == "in_review"
    assert again.row_version == routed.row_version
    assert [e.kind for e in CaseEvent.objects.filter(case=case)] == [
        CaseEventKind.SUBMITTED, CaseEventKind.ROUTED]


def test_unknown_action_is_a_conflict_and_changes_nothing(world,
                                                          django_capture_on_commit_callbacks):
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    error = _refused(django_capture_on_commit_callbacks, case.pk, lambda: case_transition(
        case_id=case.pk, action="resolve", actor=reviewer, comment="x"))
    assert error.code == "workflow.action_not_available"
    assert error.status == 409


def test_missing_required_comment_is_refused(world, django_capture_on_commit_callbacks):
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    error = _refused(django_capture_on_commit_callbacks, case.pk, lambda: case_transition(
        case_id=case.pk, action="answer", actor=reviewer, comment="  "))
    assert (error.code, error.field) == ("workflow.comment_required", "comment")


def test_guard_that_says_no_refuses_and_changes_nothing(world, django_capture_on_commit_callbacks):
    # given the answer step guarded by "is_assigned", and nobody assigned
    from workflow.models import Transition

    Transition.objects.filter(action="answer").update(guards=["is_assigned"])
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    error = _refused(django_capture_on_commit_callbacks, case.pk, lambda: case_transition(
        case_id=case.pk, action="answer", actor=reviewer, comment="تمت الإفادة"))
    assert error.code == "workflow.guard_refused"
    # and once claimed, the same action goes through
    case_claim(case_id=case.pk, actor=reviewer)
    case_transition(case_id=case.pk, action="answer", actor=reviewer, comment="تمت الإفادة")
    assert Case.objects.get(pk=case.pk).category == StatusCategory.APPROVED


def test_transition_records_the_event_and_runs_effects_after_commit(
        world, django_capture_on_commit_callbacks):
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    # when the reviewer answers
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case_transition(case_id=case.pk, action="answer", actor=reviewer, comment="تمت الإفادة")
    # then the case is finished and the event says who, as what, from where to where
    case.refresh_from_db()
    assert case.category == StatusCategory.APPROVED
    assert case.closed_at is not None
    assert case.state_due_at is None
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert (event.kind, event.action, event.actor, event.actor_role) == (
        CaseEventKind.TRANSITION, "answer", reviewer, StaffRole.REVIEWER)
    assert (event.from_state.code, event.to_state.code) == ("in_review", "answered")
    assert event.department == world.department("customer_service")
    assert event.reason == "تمت الإفادة"
    # and the notify_applicant effect's messages wait for the commit (recorded, not sent)
    assert [c.task_name for c in callbacks] == ["amanah.notification_send"] * 2
    assert set(Notification.objects.filter(key=f"case-event:{event.pk}")
               .values_list("event", "status")) == {("case.decided", "queued")}


def test_stale_version_is_a_conflict(world, django_capture_on_commit_callbacks):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    case_claim(case_id=case.pk, actor=clerk)  # someone acted since the page was opened
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    error = _refused(django_capture_on_commit_callbacks, case.pk, lambda: case_transition(
        case_id=case.pk, action="answer", actor=reviewer, comment="x",
        expected_version=case.row_version))
    assert error.code == "workflow.case_changed"
    assert error.status == 409


def test_claim_then_a_second_claim_is_a_conflict(world, django_capture_on_commit_callbacks):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    case_claim(case_id=case.pk, actor=clerk)
    assert Case.objects.get(pk=case.pk).assignee == clerk
    error = _refused(django_capture_on_commit_callbacks, case.pk,
                     lambda: case_claim(case_id=case.pk, actor=reviewer))
    assert error.code == "workflow.already_claimed"


def test_staff_of_another_department_cannot_claim(world, django_capture_on_commit_callbacks):
    case = case_new(world)
    outsider = world.staff("legal", StaffRole.REVIEWER)
    error = _refused(django_capture_on_commit_callbacks, case.pk,
                     lambda: case_claim(case_id=case.pk, actor=outsider))
    assert error.code == "workflow.not_allowed"


def test_head_assigns_within_the_department_only(world, django_capture_on_commit_callbacks):
    case = case_new(world)
    head = world.staff("customer_service", StaffRole.HEAD)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    outsider = world.staff("legal", StaffRole.REVIEWER)
    error = _refused(django_capture_on_commit_callbacks, case.pk,
                     lambda: case_assign(case_id=case.pk, actor=head, assignee=outsider))
    assert (error.code, error.field) == ("workflow.assignee_not_in_department", "assignee")
    error = _refused(django_capture_on_commit_callbacks, case.pk,
                     lambda: case_assign(case_id=case.pk, actor=clerk, assignee=clerk))
    assert error.code == "workflow.not_allowed"
    case_assign(case_id=case.pk, actor=head, assignee=clerk)
    assert Case.objects.get(pk=case.pk).assignee == clerk
    assert CaseEvent.objects.filter(case=case).last().kind == CaseEventKind.ASSIGNED


def test_transfer_moves_the_case_to_the_other_department_with_the_note(world):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    case_claim(case_id=case.pk, actor=clerk)
    due_before = Case.objects.get(pk=case.pk).state_due_at
    # when the clerk refers it to licensing
    case_transfer(case_id=case.pk, actor=clerk, department_code="licensing",
                  note="من اختصاص الرخص")
    # then licensing holds it, unassigned, in the same step with the same deadline
    case = Case.objects.get(pk=case.pk)
    assert case.department == world.department("licensing")
    assert case.assignee is None
    assert case.state.code == "in_review"
    assert case.state_due_at == due_before
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.kind, event.reason) == (CaseEventKind.TRANSFERRED, "من اختصاص الرخص")
    assert (event.from_department, event.to_department) == (
        world.department("customer_service"), world.department("licensing"))
    # and licensing's reviewer may now answer it; customer service's clerk may no longer act
    reviewer = world.staff("licensing", StaffRole.REVIEWER)
    case_transition(case_id=case.pk, action="answer", actor=reviewer, comment="تم")
    assert Case.objects.get(pk=case.pk).category == StatusCategory.APPROVED


def test_transfer_refusals(world, django_capture_on_commit_callbacks):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    error = _refused(django_capture_on_commit_callbacks, case.pk, lambda: case_transfer(
        case_id=case.pk, actor=clerk, department_code="licensing", note=" "))
    assert (error.code, error.field) == ("workflow.note_required", "note")
    error = _refused(django_capture_on_commit_callbacks, case.pk, lambda: case_transfer(
        case_id=case.pk, actor=clerk, department_code="astronomy", note="x"))
    assert (error.code, error.field) == ("workflow.transfer_not_allowed", "department")
    error = _refused(django_capture_on_commit_callbacks, case.pk, lambda: case_transfer(
        case_id=case.pk, actor=clerk, department_code="customer_service", note="x"))
    assert error.code == "workflow.transfer_same_department"
    error = _refused(django_capture_on_commit_callbacks, case.pk, lambda: case_transfer(
        case_id=case.pk, actor=world.applicant.user, department_code="licensing", note="x"))
    assert error.code == "workflow.not_allowed"


def test_return_to_applicant_and_resume(world):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    case_return_to_applicant(case_id=case.pk, actor=clerk, comment="أرفق الصك")
    assert Case.objects.get(pk=case.pk).category == StatusCategory.AWAITING_APPLICANT
    # the applicant resumes with the missing document
    document = samples.upload("deed.pdf", samples.pdf(), "application/pdf")
    case_resume(case_id=case.pk, actor=world.applicant.user, comment="أرفقت الصك",
                document=document)
    case = Case.objects.get(pk=case.pk)
    assert case.state.code == "in_review"
    attachment = CaseAttachment.objects.get(case=case)
    assert attachment.original_name == "deed.pdf"
    assert attachment.event_seq == case.last_event_seq


def test_resume_when_not_awaiting_the_applicant_is_refused(world,
                                                          django_capture_on_commit_callbacks):
    case = case_new(world)
    error = _refused(django_capture_on_commit_callbacks, case.pk, lambda: case_resume(
        case_id=case.pk, actor=world.applicant.user, comment="x"))
    assert error.code == "workflow.resume_not_available"


def test_applicant_cancels_while_allowed_but_not_after_the_answer(
        world, django_capture_on_commit_callbacks):
    case = case_new(world)
    case_cancel(case_id=case.pk, actor=world.applicant.user, comment="لم أعد بحاجة")
    assert Case.objects.get(pk=case.pk).category == StatusCategory.CANCELLED
    answered = case_in_state(world, "general_correspondence", "answered")
    error = _refused(django_capture_on_commit_callbacks, answered.pk, lambda: case_cancel(
        case_id=answered.pk, actor=world.applicant.user))
    assert error.code == "workflow.cancel_not_available"


def test_another_citizen_cannot_cancel(world, django_capture_on_commit_callbacks):
    case = case_new(world)
    error = _refused(django_capture_on_commit_callbacks, case.pk, lambda: case_cancel(
        case_id=case.pk, actor=world.other_citizen.user))
    assert error.code == "workflow.not_allowed"


def test_internal_comment_is_for_staff_only(world, django_capture_on_commit_callbacks):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    case_comment_add(case_id=case.pk, actor=clerk, body="ملاحظة داخلية", is_internal=True)
    error = _refused(django_capture_on_commit_callbacks, case.pk, lambda: case_comment_add(
        case_id=case.pk, actor=world.applicant.user, body="x", is_internal=True))
    assert error.code == "workflow.not_allowed"
    case_comment_add(case_id=case.pk, actor=world.applicant.user, body="شكرًا")
    assert case.comments.count() == 2


def test_attachment_added_privately(world, private_files):
    case = case_new(world)
    attachment = case_attachment_add(
        case_id=case.pk, actor=world.applicant.user,
        document=samples.upload("plan.pdf", samples.pdf(), "application/pdf"))
    assert attachment.size == len(samples.pdf())
    assert attachment.file.path.startswith(str(private_files))
    with pytest.raises(ValueError):
        _ = attachment.file.url  # a private file has no public address


def test_new_step_resets_sla_status(world):
    case = case_new(world)
    Case.objects.filter(pk=case.pk).update(sla_status=SlaStatus.AT_RISK)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    case_return_to_applicant(case_id=case.pk, actor=clerk, comment="x")
    assert Case.objects.get(pk=case.pk).sla_status == SlaStatus.ON_TRACK


def test_routing_a_case_withdrawn_before_the_task_ran_does_nothing(world):
    from workflow.services import case_route

    case = case_new(world, route=False)
    case_cancel(case_id=case.pk, actor=world.applicant.user)
    before = _snapshot(case.pk)
    case_route(case_id=case.pk)
    assert _snapshot(case.pk) == before
    assert Case.objects.get(pk=case.pk).category == StatusCategory.CANCELLED


def test_notify_applicant_effect_sends_an_sms_after_commit(world, settings,
                                                          django_capture_on_commit_callbacks):
    from amanah.notifications import LocmemSmsBackend

    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=case.pk, action="answer", actor=reviewer, comment="تم")
    assert [m.to for m in LocmemSmsBackend.outbox] == [world.applicant.mobile]
    # in the applicant's language (Arabic here), through the notification subsystem
    assert case.number in LocmemSmsBackend.outbox[0].body
    assert "تمت الإفادة" in LocmemSmsBackend.outbox[0].body
