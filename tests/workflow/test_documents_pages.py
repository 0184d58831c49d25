"""Documents on the case pages and the API: every version listed for staff, corrections
offered, and each refused upload — oversized ones stopped while they stream — shown next to
its field with nothing stored."""

import os

import pytest
from django.test import Client

from amanah.enums import StaffRole
from tests import samples
from workflow.models import Case, CaseAttachment
from workflow.services import case_attachment_add, case_return_to_applicant

from .factories import case_new
from .pages_helpers import snapshot

MB = 1024 * 1024
TOO_LARGE_AR = "الملف أكبر من الحجم المسموح (بحد أقصى ١٠ ميجابايت)."


@pytest.fixture(autouse=True)
def upload_temp(settings, tmp_path):
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def _files(root) -> set:
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _deed_corrected(world):
    case = case_new(world)
    first = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                document=samples.upload("deed.pdf", samples.pdf()))
    second = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                 document=samples.upload("deed-clear.pdf", samples.pdf()),
                                 replaces_id=first.pk)
    return case, first, second


def test_staff_see_every_version_with_the_old_one_marked_replaced(client, world):
    # given a deed the applicant corrected once
    case, first, second = _deed_corrected(world)
    client.force_login(world.staff("customer_service", StaffRole.CLERK))
    # when a clerk opens the case, in English and in Arabic
    english = client.get(f"/en/transactions/cases/{case.pk}/").content.decode()
    arabic = client.get(f"/ar/transactions/cases/{case.pk}/").content.decode()
    # then both versions are listed, the first marked as replaced by the second
    assert f'href="/en/transactions/documents/{first.pk}/"' in english
    assert f'href="/en/transactions/documents/{second.pk}/"' in english
    assert '<li class="wf-document-replaced">' in english
    assert "Replaced by version 2" in english and "version 1" in english
    assert "استُبدلت بالنسخة 2" in arabic
    # and the upload form offers to correct the current version only
    assert (f'<option value="{second.pk}">A corrected version of “deed-clear.pdf” '
            "(replaces version 2)</option>") in english
    assert f'<option value="{first.pk}"' not in english
    # and the timeline says a corrected version came in
    assert "Corrected document added: deed-clear.pdf (version 2)" in english


def test_the_applicant_sees_the_current_version_and_may_correct_their_own(client, world):
    # given a corrected deed and a report the department shared
    case, first, second = _deed_corrected(world)
    report = case_attachment_add(case_id=case.pk,
                                 actor=world.staff("customer_service", StaffRole.CLERK),
                                 document=samples.upload("report.pdf", samples.pdf()))
    client.force_login(world.applicant.user)
    # when the applicant opens their case
    page = client.get(f"/en/transactions/mine/{case.pk}/")
    html = page.content.decode()
    # then they see the current deed and the report, and may correct only the deed
    assert [a.pk for a in page.context["detail"].attachments] == [second.pk, report.pk]
    assert f'href="/en/transactions/documents/{first.pk}/"' not in html
    assert f'<option value="{second.pk}">' in html
    assert f'<option value="{report.pk}"' not in html


def test_a_corrected_version_is_uploaded_from_the_page(client, world):
    # given the applicant's deed
    case = case_new(world)
    deed = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                               document=samples.upload("deed.pdf", samples.pdf()))
    client.force_login(world.applicant.user)
    # when they upload a corrected version of it
    response = client.post(f"/en/transactions/mine/{case.pk}/", {
        "op": "attachment", "replaces": deed.pk,
        "document": samples.upload("deed-2.png", samples.png())})
    # then it is added as version 2 and the first is kept
    assert response.status_code == 302
    corrected = CaseAttachment.objects.get(replaces=deed)
    assert (corrected.version, corrected.original_name, corrected.content_type) == (
        2, "deed-2.png", "image/png")
    assert CaseAttachment.objects.filter(case=case).count() == 2
    page = client.get(f"/en/transactions/mine/{case.pk}/")
    assert "The corrected version was added; the earlier one is kept." in page.content.decode()


def test_correcting_an_old_version_is_refused_next_to_the_choice(client, world,
                                                                 private_files):
    case, first, _second = _deed_corrected(world)
    before, files = snapshot(case.pk), _files(private_files)
    client.force_login(world.staff("customer_service", StaffRole.CLERK))
    response = client.post(f"/en/transactions/cases/{case.pk}/", {
        "op": "attachment", "replaces": first.pk,
        "document": samples.upload("deed-3.pdf", samples.pdf())})
    assert response.status_code == 409
    assert response.context["field_errors"] == {"attachment": {"replaces": (
        "This document already has a newer version (version 2). Correct the newest one.")}}
    assert 'id="attachment-replaces-error"' in response.content.decode()
    assert (snapshot(case.pk), _files(private_files)) == (before, files)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("evil.pdf", samples.EXECUTABLE, "This type of file is not accepted (the type is read "
     "from the file's content, not its name). Allowed: PDF, PNG or JPEG, up to 10 MB."),
    ("deed.pdf", b"", "The file is empty. Allowed: PDF, PNG or JPEG, up to 10 MB."),
    ("deed.pdf", samples.pdf_with_javascript(), "The PDF contains scripts (JavaScript), launch "
     "actions or embedded files, which are not accepted. Print it to a new PDF, or scan it, "
     "and upload that."),
])
def test_a_refused_file_is_shown_next_to_the_document_field(client, world, private_files,
                                                             upload_temp, name, data, message):
    # given an open case and its applicant
    case = case_new(world)
    before, files = snapshot(case.pk), _files(private_files)
    client.force_login(world.applicant.user)
    # when they upload a file the service refuses
    response = client.post(f"/en/transactions/mine/{case.pk}/", {
        "op": "attachment", "document": samples.upload(name, data)})
    # then the reason is next to the file field, and nothing was stored
    assert response.status_code == 400
    assert response.context["field_errors"] == {"attachment": {"document": message}}
    assert '<p class="field-error" id="attachment-document-error">' in \
        response.content.decode()
    assert (snapshot(case.pk), _files(private_files)) == (before, files)
    assert os.listdir(upload_temp) == []


def test_an_oversized_upload_is_stopped_before_its_file_is_read_and_shown_next_to_the_field(
        world, private_files, upload_temp, django_capture_on_commit_callbacks):
    # given the applicant on their case page, with CSRF checks on as in a browser
    case = case_new(world)
    before, files = snapshot(case.pk), _files(private_files)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.applicant.user)
    token = str(client.get(f"/ar/transactions/mine/{case.pk}/").context["csrf_token"])
    # when they post a 2 GB file (the token and the form's fields come first, as browsers send)
    body = samples.multipart_body(fields_before={"csrfmiddlewaretoken": token,
                                                 "op": "attachment"},
                                  file_bytes=2048 * MB, watch=upload_temp)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.generic("POST", f"/ar/transactions/mine/{case.pk}/",
                                  **samples.body_request(body))
    # then the page answers "too large" next to the file field, in Arabic
    assert response.status_code == 413
    assert response.context["field_errors"] == {"attachment": {"document": TOO_LARGE_AR}}
    assert f'id="attachment-document-error">{TOO_LARGE_AR}</p>' in response.content.decode()
    # and the portal read hardly any of it: nothing in memory, the temp folder or the store
    assert body.read_bytes < 256 * 1024
    assert body.largest_temp_file == 0
    assert os.listdir(upload_temp) == []
    assert (snapshot(case.pk), _files(private_files)) == (before, files)
    assert callbacks == []


def test_an_upload_a_little_over_the_cap_gets_the_same_answer(client, settings, world,
                                                             private_files, upload_temp):
    # given a portal cap of 1 MB, and staff posting a 2 MB file
    settings.UPLOAD_MAX_BYTES = MB
    case = case_new(world)
    before = snapshot(case.pk)
    client.force_login(world.staff("customer_service", StaffRole.CLERK))
    body = samples.multipart_body(fields_before={"op": "attachment"}, file_bytes=2 * MB,
                                  fields_after={"is_internal": "on"}, watch=upload_temp)
    # when it is posted in English
    response = client.generic("POST", f"/en/transactions/cases/{case.pk}/",
                              **samples.body_request(body))
    # then it is refused next to the field, after the body was read and dropped
    assert response.status_code == 413
    assert response.context["field_errors"] == {"attachment": {
        "document": "The file is too large (at most 1 MB)."}}
    assert body.read_bytes == body.total
    assert body.largest_temp_file == 0
    assert snapshot(case.pk) == before


def test_an_oversized_document_on_a_step_is_shown_in_its_action(client, world, upload_temp):
    # given a case returned to the applicant, who must send a document to resume it
    case = case_new(world)
    case_return_to_applicant(case_id=case.pk,
                             actor=world.staff("customer_service", StaffRole.CLERK),
                             comment="أرفق الصك")
    case = Case.objects.get(pk=case.pk)
    before = snapshot(case.pk)
    client.force_login(world.applicant.user)
    body = samples.multipart_body(fields_before={
        "op": "transition", "action": "resubmit", "expected_version": case.row_version,
        "comment": "أرفقت الصك"}, file_bytes=64 * MB)
    # when the applicant resubmits with a 64 MB file
    response = client.generic("POST", f"/ar/transactions/mine/{case.pk}/",
                              **samples.body_request(body))
    # then the action's own document field says why, and the case still waits for them
    assert response.status_code == 413
    panel = next(p for p in response.context["panels"] if p.option.action == "resubmit")
    assert panel.errors == {"document": TOO_LARGE_AR}
    assert snapshot(case.pk) == before


def test_an_oversized_document_on_a_new_request_creates_nothing(client, world, upload_temp):
    client.force_login(world.applicant.user)
    body = samples.multipart_body(fields_before={"kind": "complaint", "subject": "تسرب مياه"},
                                  file_bytes=64 * MB)
    response = client.generic("POST", "/ar/transactions/mine/new/",
                              **samples.body_request(body))
    assert response.status_code == 413
    assert response.context["form"].errors == {"document": [TOO_LARGE_AR]}
    assert Case.objects.count() == 0
    assert os.listdir(upload_temp) == []


def test_a_new_request_with_a_disguised_document_creates_nothing(client, world, private_files):
    client.force_login(world.applicant.user)
    response = client.post("/en/transactions/mine/new/", {
        "kind": "complaint", "subject": "Leak", "document": samples.upload("x.pdf", samples.SVG)})
    assert response.status_code == 400
    assert response.context["form"].errors["document"] == [
        "This type of file is not accepted (the type is read from the file's content, not its "
        "name). Allowed: PDF, PNG or JPEG, up to 10 MB."]
    assert (Case.objects.count(), CaseAttachment.objects.count()) == (0, 0)
    assert _files(private_files) == set()


def test_the_file_fields_say_what_is_allowed(client, world):
    client.force_login(world.applicant.user)
    case = case_new(world)
    for url in (f"/en/transactions/mine/{case.pk}/", "/en/transactions/mine/new/"):
        html = client.get(url).content.decode()
        assert "Case documents: PDF, PNG or JPEG, up to 10 MB." in html
        assert 'accept=".pdf,application/pdf,.png,image/png,.jpg,.jpeg,image/jpeg"' in html


# --- API ---------------------------------------------------------------------------------


def _api_resubmit_case(world):
    case = case_new(world)
    case_return_to_applicant(case_id=case.pk,
                             actor=world.staff("customer_service", StaffRole.CLERK),
                             comment="أرفق الصك")
    return Case.objects.get(pk=case.pk)


def test_the_api_refuses_a_disguised_document_with_the_upload_code(client, world,
                                                                   private_files):
    case = _api_resubmit_case(world)
    before = snapshot(case.pk)
    client.force_login(world.applicant.user)
    response = client.post(f"/api/v1/workflow/cases/{case.pk}/transitions/?lang=en", {
        "action": "resubmit", "comment": "أرفقت الصك",
        "document": samples.upload("deed.pdf", samples.HTML)})
    assert response.status_code == 400
    assert response.json()["code"] == "upload.type_not_allowed"
    assert response.json()["field"] == "document"
    assert snapshot(case.pk) == before
    assert _files(private_files) == set()


def test_the_api_refuses_an_oversized_document_while_it_streams(client, world, upload_temp):
    case = _api_resubmit_case(world)
    before = snapshot(case.pk)
    client.force_login(world.applicant.user)
    body = samples.multipart_body(fields_before={"action": "resubmit"}, file_bytes=512 * MB,
                                  watch=upload_temp)
    response = client.generic("POST", f"/api/v1/workflow/cases/{case.pk}/transitions/",
                              **samples.body_request(body))
    assert response.status_code == 413
    assert response.json()["code"] == "upload.too_large"
    assert response.json()["field"] == "document"
    assert body.read_bytes < 256 * 1024
    assert snapshot(case.pk) == before


def test_the_api_lists_versions_and_hashes(client, world):
    case, first, second = _deed_corrected(world)
    client.force_login(world.staff("customer_service", StaffRole.CLERK))
    attachments = client.get(f"/api/v1/workflow/cases/{case.pk}/").json()["attachments"]
    assert [(a["id"], a["version"], a["replaces"], a["sha256"]) for a in attachments] == [
        (first.pk, 1, None, first.sha256), (second.pk, 2, first.pk, second.sha256)]
