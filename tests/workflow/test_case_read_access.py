"""A case stays readable to every department that worked on it, and only readable: after a
transfer, the transferring department reads the page and its documents, and every action, on
the page and through the API, is refused with nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from amanah.enums import StaffRole
from tests.samples import pdf
from workflow.models import CaseAttachment, CaseEvent
from workflow.selectors import attachment_get_for_user, case_get_visible
from workflow.services import case_attachment_add, case_transfer

from .factories import case_new
from .pages_helpers import snapshot

PDF = pdf()


@pytest.fixture
def transferred(world):
    """A case customer service held, added a document to, and transferred to engineering."""
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    case_attachment_add(case_id=case.pk, actor=clerk, is_internal=True,
                        document=SimpleUploadedFile("note.pdf", PDF, "application/pdf"))
    case_transfer(case_id=case.pk, actor=clerk, department_code="engineering",
                  note="من اختصاص الإدارة الهندسية")
    return case, clerk


def test_the_transferring_clerk_reads_the_case_with_the_notice_and_no_forms(client, world,
                                                                            transferred):
    case, clerk = transferred
    client.force_login(clerk)
    # when the clerk opens the case after transferring it
    response = client.get(f"/en/transactions/cases/{case.pk}/")
    # then the page is there, says why they see it, and offers nothing to do
    assert response.status_code == 200
    body = response.content.decode()
    assert ("This transaction is now with Dept engineering; you can read it because your "
            "department worked on it.") in body
    assert response.context["detail"].is_read_only is True
    assert response.context["panels"] == []
    assert response.context["transfer_form"] is None
    assert response.context["assign_form"] is None
    assert response.context["queue_url"] is None
    for form_id in ("claim-form", "transfer-form", "assign-form", "comment-form",
                    "attachment-form", 'name="op"'):
        assert form_id not in body
    # and the Arabic page says it in Arabic
    arabic = client.get(f"/ar/transactions/cases/{case.pk}/").content.decode()
    assert "هذه المعاملة الآن لدى إدارة engineering" in arabic


def test_the_transferring_clerk_may_download_the_documents(world, transferred):
    case, clerk = transferred
    document = CaseAttachment.objects.get(case=case)
    assert attachment_get_for_user(attachment_id=document.pk, user=clerk) == document


@pytest.mark.parametrize("data", [
    {"op": "transition", "action": "answer", "comment": "تمت"},
    {"op": "claim"},
    {"op": "transfer", "department": "legal", "note": "إلى القانونية"},
    {"op": "comment", "body": "تعليق"},
    {"op": "attachment"},
])
def test_every_action_of_the_transferring_clerk_on_the_page_is_refused(
        client, world, transferred, django_capture_on_commit_callbacks, data):
    case, clerk = transferred
    before = snapshot(case.pk)
    events = CaseEvent.objects.filter(case=case).count()
    client.force_login(clerk)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/en/transactions/cases/{case.pk}/",
                               {**data, "expected_version": case.row_version})
    assert response.status_code == 403
    assert response.context["error"].code == "workflow.read_only"
    assert snapshot(case.pk) == before
    assert CaseEvent.objects.filter(case=case).count() == events
    assert callbacks == []


@pytest.mark.parametrize("path,data", [
    ("transitions", {"action": "answer", "comment": "تمت"}),
    ("claim", {}),
    ("transfer", {"department": "legal", "note": "إلى القانونية"}),
    ("comments", {"body": "تعليق"}),
])
def test_the_api_refuses_every_action_of_the_transferring_clerk(world, transferred, path, data):
    case, clerk = transferred
    before = snapshot(case.pk)
    api = APIClient()
    api.force_authenticate(clerk)
    response = api.post(f"/api/v1/workflow/cases/{case.pk}/{path}/", data, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "workflow.not_allowed"
    assert snapshot(case.pk) == before
    # while reading it through the API is allowed
    assert api.get(f"/api/v1/workflow/cases/{case.pk}/").status_code == 200


def test_a_department_that_never_worked_on_the_case_still_gets_not_found(client, world,
                                                                        transferred):
    case, _clerk = transferred
    outsider = world.staff("legal", StaffRole.REVIEWER)
    client.force_login(outsider)
    assert client.get(f"/en/transactions/cases/{case.pk}/").status_code == 404
    document = CaseAttachment.objects.get(case=case)
    assert client.get(f"/en/transactions/documents/{document.pk}/").status_code == 404


def test_the_receiving_department_acts_as_before(client, world, transferred):
    case, _clerk = transferred
    reviewer = world.staff("engineering", StaffRole.REVIEWER)
    client.force_login(reviewer)
    response = client.get(f"/en/transactions/cases/{case.pk}/")
    assert response.context["detail"].is_read_only is False
    assert "read-only-notice" not in response.content.decode()
    assert [p.option.action for p in response.context["panels"]] == [
        "answer", "reject", "return_to_applicant"]


def test_after_transferring_the_clerk_goes_back_to_their_queue(world, transferred):
    case, clerk = transferred
    assert case_get_visible(case_id=case.pk, user=clerk) == case
    with pytest.raises(Exception) as refused:
        case_get_visible(case_id=case.pk, user=clerk, include_read_only=False)
    assert refused.value.code == "workflow.case_not_found"


def test_the_read_only_case_page_runs_a_fixed_number_of_queries(client, world, transferred,
                                                                 django_assert_num_queries):
    case, clerk = transferred
    client.force_login(clerk)
    client.get(f"/en/transactions/cases/{case.pk}/")  # warm the per-process caches
    for number in range(5):
        case_attachment_add(case_id=case.pk, actor=world.staff("engineering", StaffRole.REVIEWER),
                            document=SimpleUploadedFile(f"n{number}.pdf", PDF, "application/pdf"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as few:
        client.get(f"/en/transactions/cases/{case.pk}/")
    for number in range(10):
        case_attachment_add(case_id=case.pk, actor=world.staff("engineering", StaffRole.REVIEWER),
                            document=SimpleUploadedFile(f"m{number}.pdf", PDF, "application/pdf"))
    with CaptureQueriesContext(connection) as more:
        client.get(f"/en/transactions/cases/{case.pk}/")
    assert len(more) == len(few)
