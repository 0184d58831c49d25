"""Who may open each workflow page: anonymous, the applicant, another citizen, staff of another
department, staff of the case's department, and an admin."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from tests import samples
from workflow.models import CaseAttachment
from workflow.services import case_attachment_add

from .factories import case_new
from .pages_helpers import WHO, user_for

SIGN_IN = "/ar/account/sign-in/?next="

# page → {who: status}; 302 for the anonymous always means "to the sign-in page".
EXPECTED = {
    "queue": {"anonymous": 302, "applicant": 403, "other_citizen": 403,
              "other_department_staff": 403, "department_staff": 200, "admin": 200},
    "case": {"anonymous": 302, "applicant": 302, "other_citizen": 404,
             "other_department_staff": 404, "department_staff": 200, "admin": 200},
    "my_case": {"anonymous": 302, "applicant": 200, "other_citizen": 404,
                "other_department_staff": 404, "department_staff": 302, "admin": 302},
    "document": {"anonymous": 302, "applicant": 200, "other_citizen": 404,
                 "other_department_staff": 404, "department_staff": 200, "admin": 200},
    "internal_document": {"anonymous": 302, "applicant": 404, "other_citizen": 404,
                          "other_department_staff": 404, "department_staff": 200,
                          "admin": 200},
    "my_cases": {"anonymous": 302, "applicant": 200, "other_citizen": 200,
                 "other_department_staff": 200, "department_staff": 200, "admin": 200},
    "case_new": {"anonymous": 302, "applicant": 200, "other_citizen": 200,
                 "other_department_staff": 403, "department_staff": 403, "admin": 403},
    "analytics": {"anonymous": 302, "applicant": 403, "other_citizen": 403,
                  "other_department_staff": 403, "department_staff": 403, "admin": 200},
    "status_check": dict.fromkeys(WHO, 200),
}


def _url(page: str, case, documents) -> str:
    with translation.override("ar"):
        if page == "queue":
            return reverse("workflow:queue", args=[case.department_id])
        if page in ("case", "my_case"):
            return reverse(f"workflow:{page}", args=[case.pk])
        if page in ("document", "internal_document"):
            return reverse("workflow:document", args=[documents[page].pk])
        return reverse(f"workflow:{page}")


@pytest.mark.parametrize("page", list(EXPECTED))
@pytest.mark.parametrize("who", WHO)
def test_who_may_open_which_workflow_page(client, world, who, page):
    # given a routed case of the applicant, with a public and an internal document
    case = case_new(world)
    clerk = user_for(world, "department_staff", case)
    documents = {
        "document": case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                        document=samples.upload("plan.pdf", samples.pdf())),
        "internal_document": case_attachment_add(
            case_id=case.pk, actor=clerk, is_internal=True,
            document=samples.upload("memo.pdf", samples.pdf(pages=2))),
    }
    user = user_for(world, who, case)
    if user is not None:
        client.force_login(user)
    # when they open the page
    response = client.get(_url(page, case, documents))
    # then they get it, are sent on (to sign in, or to their own view of the case), or not
    assert response.status_code == EXPECTED[page][who]
    if response.status_code == 302 and who == "anonymous":
        assert response["Location"].startswith(SIGN_IN)
    if response.status_code == 302 and page == "case" and who != "anonymous":
        assert response["Location"] == f"/ar/transactions/mine/{case.pk}/"
    if response.status_code == 302 and page == "my_case" and who != "anonymous":
        assert response["Location"] == f"/ar/transactions/cases/{case.pk}/"


def test_documents_stored_before_the_checks_download_with_a_neutral_type(client, world):
    # given a case with an HTML file stored before uploads were checked by content
    case = case_new(world)
    attachment = CaseAttachment(case=case, original_name="x.html", content_type="text/html",
                                size=18, uploaded_by=world.applicant.user,
                                created_at=timezone.now())
    attachment.file.save("x.html", ContentFile(b"<script>1</script>"))
    client.force_login(world.applicant.user)
    # when the applicant opens their case and downloads it
    page = client.get(f"/ar/transactions/mine/{case.pk}/").content.decode()
    response = client.get(f"/ar/transactions/documents/{attachment.pk}/")
    # then the link goes through the checked view, and the file comes as a neutral download
    assert f'href="/ar/transactions/documents/{attachment.pk}/"' in page
    assert "/media/" not in page
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="x.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>1</script>"


def test_checked_documents_download_as_the_type_found_in_them(client, world):
    # given a PNG uploaded under a name that says HTML
    case = case_new(world)
    attachment = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                     document=samples.upload("x.html", samples.png(),
                                                             "text/html"))
    client.force_login(world.applicant.user)
    # when the applicant downloads it
    response = client.get(f"/ar/transactions/documents/{attachment.pk}/")
    # then it comes as a PNG download named .png, whatever it was called
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="x.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(body).hexdigest() == attachment.sha256
    assert body.startswith(b"\x89PNG")


def test_an_unknown_department_queue_and_case_are_not_found(client, world):
    client.force_login(world.staff("customer_service", "clerk"))
    assert client.get("/ar/transactions/queue/999999/").status_code == 404
    assert client.get("/ar/transactions/cases/999999/").status_code == 404
    assert client.get("/ar/transactions/documents/999999/").status_code == 404


def test_the_transactions_root_sends_each_person_to_their_own_start(client, world):
    case = case_new(world)
    assert client.get("/ar/transactions/")["Location"] == "/ar/transactions/status/"
    client.force_login(world.applicant.user)
    assert client.get("/ar/transactions/")["Location"] == "/ar/transactions/mine/"
    client.force_login(world.staff("customer_service", "clerk"))
    assert client.get("/ar/transactions/")["Location"] == \
        f"/ar/transactions/queue/{case.department_id}/"
