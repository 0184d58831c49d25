"""Every page and API operation that takes a file, posted a body far over UPLOAD_MAX_BYTES by
the person who may upload there and by an anonymous visitor (whose request Django's CSRF check
parses before any view runs): refused, hardly any of it read, and nothing left in MEDIA_ROOT,
the private document store or the upload temp folder (issue 8, point 6)."""

import pytest
from django.test import Client

from tests import samples
from tests.conftest import otp_session_verify
from workflow.models import Case, CaseAttachment, DefinitionVersion

from .factories import case_new
from .pages_helpers import user_for

MB = 1024 * 1024


@pytest.fixture
def folders(settings, tmp_path, private_files):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    (tmp_path / "upload-tmp").mkdir()
    return {"media": tmp_path / "media", "private": private_files,
            "temp": tmp_path / "upload-tmp"}


def _files(folders) -> list[str]:
    return sorted(str(p) for root in folders.values() if root.exists()
                  for p in root.rglob("*") if p.is_file())


def _page(world, page: str) -> tuple[str, dict, str, str]:
    """(url, fields before the file, file field, who may upload there)."""
    if page == "new request":
        return "/ar/transactions/mine/new/", {"kind": "complaint", "subject": "تسرب"}, \
            "document", "applicant"
    if page == "admin definition import":
        return "/ar/admin/workflow/workflowdefinition/import/", {
            "municipality": world.other_branch.pk}, "file", "admin"
    case = case_new(world)
    if page == "applicant's case page":
        return f"/ar/transactions/mine/{case.pk}/", {"op": "attachment"}, "document", \
            "applicant"
    if page == "staff case page":
        return f"/ar/transactions/cases/{case.pk}/", {"op": "attachment"}, "document", \
            "department_staff"
    return f"/api/v1/workflow/cases/{case.pk}/transitions/", {"action": "resubmit"}, \
        "document", "applicant"


PAGES = ["new request", "applicant's case page", "staff case page", "case transition API",
         "admin definition import"]


EXPECTED = {  # who → page → the answer
    "uploader": dict.fromkeys(PAGES[:4], 413) | {"admin definition import": 400},
    # Django's CSRF check reads the form before any view runs, so it meets the file first
    "anonymous without a CSRF token": dict.fromkeys(PAGES, 403),
    "anonymous with a CSRF token": dict.fromkeys(PAGES, 302) | {"case transition API": 403},
}


@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("page", PAGES)
def test_an_oversized_upload_to_any_page_is_refused_and_leaves_nothing(world, folders, page,
                                                                       who):
    # given a page that takes a file, and who posts to it
    url, fields, field, uploader = _page(world, page)
    before = (Case.objects.count(), CaseAttachment.objects.count(),
              DefinitionVersion.objects.count())
    client = Client(enforce_csrf_checks=who != "uploader")
    if who == "uploader":
        user = user_for(world, uploader, Case.objects.order_by("pk").last())
        client.force_login(user)
        otp_session_verify(client, user)  # staff: the second factor passed too
    elif who == "anonymous with a CSRF token":
        fields = {"csrfmiddlewaretoken": str(
            client.get("/ar/account/sign-in/").context["csrf_token"]), **fields}
    body = samples.multipart_body(fields_before=fields, file_bytes=64 * MB,
                                  file_field=field, watch=folders["temp"])
    # when a 64 MB file is posted to it
    response = client.generic("POST", url, **samples.body_request(body))
    # then it is refused: too large for the uploader; CSRF or sign-in for anyone else
    assert response.status_code == EXPECTED[who][page]
    # and the portal read hardly any of it, and kept nothing anywhere
    assert body.read_bytes < 256 * 1024
    assert body.largest_temp_file == 0
    assert _files(folders) == []
    assert (Case.objects.count(), CaseAttachment.objects.count(),
            DefinitionVersion.objects.count()) == before
