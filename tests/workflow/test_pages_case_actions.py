"""Acting on a case from its page: each action through its service, and every refusal shown on
the page (in the page's language, next to its field) with nothing changed and nothing queued."""

import pytest

from amanah.enums import StaffRole
from tests import samples
from workflow.enums import CaseEventKind, StatusCategory
from workflow.models import Case, CaseEvent
from workflow.services import case_claim

from .factories import case_new
from .pages_helpers import snapshot


def _post(client, user, case, data, *, language="ar", page="cases"):
    client.force_login(user)
    return client.post(f"/{language}/transactions/{page}/{case.pk}/", data)


def _refused(client, django_capture_on_commit_callbacks, user, case, data, **kwargs):
    before = snapshot(case.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        response = _post(client, user, case, data, **kwargs)
    assert snapshot(case.pk) == before
    assert callbacks == []
    return response


def test_a_clerk_cannot_take_a_deciders_action(client, world, django_capture_on_commit_callbacks):
    # given a case in review with customer service
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    # when a clerk posts "answer" (reviewers and heads only) with a comment
    response = _refused(client, django_capture_on_commit_callbacks, clerk, case, {
        "op": "transition", "action": "answer", "comment": "تمت الإفادة",
        "expected_version": case.row_version})
    # then the page says no, in Arabic, and the case is as it was
    assert response.status_code == 403
    assert response.context["top_error"].code == "workflow.not_allowed"
    assert "لا تملك صلاحية هذا الإجراء على المعاملة." in response.content.decode()


def test_a_missing_required_comment_is_shown_next_to_the_comment_field(
        client, world, django_capture_on_commit_callbacks):
    # given a case in review and its reviewer
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    # when the reviewer answers without the comment the definition requires, in English
    response = _refused(client, django_capture_on_commit_callbacks, reviewer, case, {
        "op": "transition", "action": "answer", "comment": "  ",
        "expected_version": case.row_version}, language="en")
    # then the English message sits next to the answer's comment field
    assert response.status_code == 400
    panel = next(p for p in response.context["panels"] if p.option.action == "answer")
    assert panel.errors == {"comment": "A comment is required for this action."}
    html = response.content.decode()
    assert ('<p class="field-error" id="error_comment_answer">'
            "A comment is required for this action.</p>") in html
    # and the page's title says there is an error
    assert "<title>Error: " in html


def test_acting_on_a_stale_page_is_a_clear_conflict(client, world,
                                                    django_capture_on_commit_callbacks):
    # given a reviewer who opened the case, then a colleague claimed it
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    seen_version = case.row_version
    case_claim(case_id=case.pk, actor=world.staff("customer_service", StaffRole.CLERK))
    case = Case.objects.get(pk=case.pk)
    # when the reviewer rejects from the page they had open
    response = _refused(client, django_capture_on_commit_callbacks, reviewer, case, {
        "op": "transition", "action": "reject", "comment": "مرفوض",
        "expected_version": seen_version})
    # then they are told someone acted first, and the page shows the case as it is now
    assert response.status_code == 409
    assert response.context["top_error"].code == "workflow.case_changed"
    assert response.context["top_error"].is_conflict is True
    assert "تغيرت المعاملة منذ فتحتها" in response.content.decode()
    assert response.context["case"].assignee_id is not None


def test_a_second_claim_is_a_conflict(client, world, django_capture_on_commit_callbacks):
    # given a case already claimed by the clerk
    case = case_new(world)
    case_claim(case_id=case.pk, actor=world.staff("customer_service", StaffRole.CLERK))
    case = Case.objects.get(pk=case.pk)
    # when the reviewer claims it too, from an up-to-date page
    response = _refused(client, django_capture_on_commit_callbacks,
                        world.staff("customer_service", StaffRole.REVIEWER), case,
                        {"op": "claim", "expected_version": case.row_version})
    # then it is refused as a conflict
    assert response.status_code == 409
    assert response.context["top_error"].code == "workflow.already_claimed"


def test_a_transfer_without_a_note_is_refused_next_to_the_note(
        client, world, django_capture_on_commit_callbacks):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    # when the clerk transfers to engineering without a note
    response = _refused(client, django_capture_on_commit_callbacks, clerk, case, {
        "op": "transfer", "department": "engineering", "note": "",
        "expected_version": case.row_version})
    # then the note field carries the message
    assert response.status_code == 400
    message = "سبب الإحالة مطلوب لهذا الإجراء."
    assert response.context["field_errors"] == {"transfer": {"note": message}}
    assert 'id="transfer-note-error">سبب الإحالة مطلوب لهذا الإجراء.</p>' in \
        response.content.decode()


def test_a_transfer_to_a_department_the_step_does_not_allow_is_refused(
        client, world, django_capture_on_commit_callbacks):
    case = case_new(world)
    response = _refused(client, django_capture_on_commit_callbacks,
                        world.staff("customer_service", StaffRole.CLERK), case, {
                            "op": "transfer", "department": "nowhere", "note": "لماذا",
                            "expected_version": case.row_version})
    # the choice is not even offered, so the form refuses it as out of date, not a 500
    assert response.status_code in (400, 409)


@pytest.mark.parametrize("who", ["other_citizen", "other_department_staff"])
def test_outsiders_posting_to_a_case_get_not_found(client, world, who,
                                                   django_capture_on_commit_callbacks):
    from .pages_helpers import user_for

    case = case_new(world)
    page = "mine" if who == "other_citizen" else "cases"
    response = _refused(client, django_capture_on_commit_callbacks, user_for(world, who, case),
                        case, {"op": "transition", "action": "withdraw",
                               "expected_version": case.row_version}, page=page)
    assert response.status_code == 404


def test_the_applicant_cannot_post_staff_operations(client, world,
                                                    django_capture_on_commit_callbacks):
    case = case_new(world)
    response = _refused(client, django_capture_on_commit_callbacks, world.applicant.user, case,
                        {"op": "claim", "expected_version": case.row_version}, page="mine")
    assert response.status_code == 404


def test_staff_claim_transfer_and_the_other_department_answers(client, world):
    # given a routed case in customer service
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    # when the clerk claims it
    response = _post(client, clerk, case, {"op": "claim", "expected_version": case.row_version})
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.assignee == clerk
    # and transfers it to engineering with a note
    response = _post(client, clerk, case, {"op": "transfer", "department": "engineering",
                                           "note": "من اختصاص الإدارة الهندسية",
                                           "expected_version": case.row_version})
    # then the clerk, who can no longer see it, is sent back to their queue
    assert response.status_code == 302
    queue = world.department("customer_service").pk
    assert response["Location"] == f"/ar/transactions/queue/{queue}/"
    case = Case.objects.get(pk=case.pk)
    assert case.department == world.department("engineering")
    assert case.assignee_id is None
    # when the engineering reviewer answers with a comment
    reviewer = world.staff("engineering", StaffRole.REVIEWER)
    response = _post(client, reviewer, case, {"op": "transition", "action": "answer",
                                              "comment": "تمت دراسة الطلب والموافقة",
                                              "expected_version": case.row_version})
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.category == StatusCategory.APPROVED
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        CaseEventKind.SUBMITTED, CaseEventKind.ROUTED, CaseEventKind.CLAIMED,
        CaseEventKind.TRANSFERRED, CaseEventKind.TRANSITION]
    # and the applicant's timeline tells it in plain words, without staff names
    client.force_login(world.applicant.user)
    page = client.get(f"/en/transactions/mine/{case.pk}/")
    assert page.status_code == 200, page
    titles = [e.title for e in page.context["timeline"]]
    assert titles == ["Transaction submitted", "Sent to Dept customer_service",
                      "Referred from Dept customer_service to Dept engineering",
                      "Answer and approve — now: Answered"]
    assert "ksa.engineering.reviewer" not in page.content.decode()
    assert reviewer.username not in page.content.decode()


def test_the_applicant_responds_to_a_return_with_a_document_and_resumes(client, world):
    # given a case returned to the applicant for correction
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    _post(client, clerk, case, {"op": "transition", "action": "return_to_applicant",
                                "comment": "أرفق صورة الصك", "expected_version": case.row_version})
    case = Case.objects.get(pk=case.pk)
    assert case.category == StatusCategory.AWAITING_APPLICANT
    client.force_login(world.applicant.user)
    page = client.get(f"/ar/transactions/mine/{case.pk}/")
    assert [p.option.action for p in page.context["panels"]] == ["resubmit", "withdraw"]
    # when they resubmit with the document and a comment
    response = _post(client, world.applicant.user, case, {
        "op": "transition", "action": "resubmit", "comment": "أرفقت الصك",
        "document": samples.upload("deed.pdf", samples.pdf()),
        "expected_version": case.row_version}, page="mine")
    # then the case is back in review, with the document
    assert response.status_code == 302
    assert response["Location"] == f"/ar/transactions/mine/{case.pk}/"
    case = Case.objects.get(pk=case.pk)
    assert case.category == StatusCategory.IN_REVIEW
    assert list(case.attachments.values_list("original_name", flat=True)) == ["deed.pdf"]


def test_the_applicant_withdraws_while_allowed(client, world, django_capture_on_commit_callbacks):
    case = case_new(world)
    # when the applicant presses "withdraw", they are asked to confirm and nothing changes yet
    response = _refused(client, django_capture_on_commit_callbacks, world.applicant.user, case, {
        "op": "transition", "action": "withdraw", "expected_version": case.row_version},
        page="mine", language="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert (f"Your request {case.number} will be withdrawn. You cannot undo this."
            in html)
    assert '<input type="hidden" name="confirmed" value="yes">' in html
    assert f'href="/en/transactions/mine/{case.pk}/">Cancel, go back to the transaction</a>' \
        in html
    # when they confirm
    response = _post(client, world.applicant.user, case, {
        "op": "transition", "action": "withdraw", "expected_version": case.row_version,
        "confirmed": "yes"}, page="mine")
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).category == StatusCategory.CANCELLED
    # and a finished case offers nothing more
    page = client.get(f"/ar/transactions/mine/{case.pk}/")
    assert page.context["panels"] == []


def test_documents_and_comments_are_added_from_the_page(client, world):
    # given a case in review and its clerk
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    # when the clerk uploads an internal memo and writes a comment
    response = _post(client, clerk, case, {
        "op": "attachment", "is_internal": "on",
        "document": samples.upload("memo.pdf", samples.pdf())})
    assert response.status_code == 302
    response = _post(client, clerk, case, {"op": "comment", "body": "بانتظار رأي الهندسة"})
    assert response.status_code == 302
    # then both are on the case, the memo internal
    case = Case.objects.get(pk=case.pk)
    assert list(case.attachments.values_list("original_name", "is_internal")) == [
        ("memo.pdf", True)]
    assert list(case.comments.values_list("body", flat=True)) == ["بانتظار رأي الهندسة"]
    # and the applicant sees the comment but not the internal memo
    client.force_login(world.applicant.user)
    page = client.get(f"/ar/transactions/mine/{case.pk}/")
    assert page.context["detail"].attachments == []
    assert "بانتظار رأي الهندسة" in page.content.decode()


def test_an_upload_without_a_file_and_an_empty_comment_are_refused_next_to_their_fields(
        client, world, django_capture_on_commit_callbacks):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    response = _refused(client, django_capture_on_commit_callbacks, clerk, case,
                        {"op": "attachment"})
    assert response.status_code == 400
    assert response.context["field_errors"] == {
        "attachment": {"document": "المرفق مطلوب لهذا الإجراء."}}
    response = _refused(client, django_capture_on_commit_callbacks, clerk, case,
                        {"op": "comment", "body": "   "}, language="en")
    assert response.status_code == 400
    assert response.context["field_errors"] == {
        "comment": {"body": "The comment is required for this action."}}
    assert 'id="comment-body-error">The comment is required for this action.</p>' in \
        response.content.decode()


def test_a_reviewer_confirms_a_rejection_before_it_is_made(
        client, world, django_capture_on_commit_callbacks):
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    # when the reviewer presses "reject" with a message, the message is carried to a confirm step
    response = _refused(client, django_capture_on_commit_callbacks, reviewer, case, {
        "op": "transition", "action": "reject", "comment": "مرفوض لعدم الاختصاص",
        "expected_version": case.row_version})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"ستُرفض المعاملة {case.number}، ولا يمكن التراجع عن ذلك." in html
    assert '<input type="hidden" name="comment" value="مرفوض لعدم الاختصاص">' in html
    # when they confirm, the case is rejected with that message
    response = _post(client, reviewer, case, {
        "op": "transition", "action": "reject", "comment": "مرفوض لعدم الاختصاص",
        "expected_version": case.row_version, "confirmed": "yes"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).category == StatusCategory.REJECTED
