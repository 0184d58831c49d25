"""Case documents through the upload service: checked by content, stored under a random name
with their SHA-256, corrected as new versions that keep the old. A refused upload leaves no
file, no row and no event behind."""

import hashlib
import re

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from amanah.enums import StaffRole
from amanah.errors import DomainError
from tests import samples
from workflow.enums import CaseEventKind, StatusCategory
from workflow.models import Case, CaseAttachment, CaseCounter, CaseEvent
from workflow.selectors import attachment_get_for_user, case_get_for_user
from workflow.services import (
    case_attachment_add,
    case_resume,
    case_return_to_applicant,
    case_submit,
)

from .factories import case_new
from .pages_helpers import snapshot

MB = 1024 * 1024


def _files(root) -> dict:
    """Every file under the private folder, with its SHA-256."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


def _refused(private_files, django_capture_on_commit_callbacks, case_id, call) -> DomainError:
    """Run a call that must be refused; assert it changed nothing and queued nothing."""
    files, before = _files(private_files), snapshot(case_id)
    attachments, events = CaseAttachment.objects.count(), CaseEvent.objects.count()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(DomainError) as refused:
        call()
    assert _files(private_files) == files
    assert snapshot(case_id) == before
    assert (CaseAttachment.objects.count(), CaseEvent.objects.count()) == (attachments, events)
    assert callbacks == []
    return refused.value


REFUSED_UPLOADS = [
    pytest.param("evil.pdf", samples.EXECUTABLE, "upload.type_not_allowed", id="executable"),
    pytest.param("invoice.pdf", samples.HTML, "upload.type_not_allowed", id="html-named-pdf"),
    pytest.param("page.html", samples.HTML, "upload.type_not_allowed", id="html"),
    pytest.param("drawing.svg", samples.SVG, "upload.type_not_allowed", id="svg"),
    pytest.param("cat.gif", samples.gif_javascript_polyglot(), "upload.type_not_allowed",
                 id="gif-javascript-polyglot"),
    pytest.param("deed.pdf", b"", "upload.empty", id="empty"),
    pytest.param("deed.pdf", samples.pdf_fake(), "upload.malformed_pdf", id="45-byte-pdf"),
    pytest.param("deed.pdf", samples.pdf_with_javascript(), "upload.unsafe_pdf",
                 id="pdf-javascript"),
    pytest.param("deed.pdf", samples.pdf_with_embedded_file(), "upload.unsafe_pdf",
                 id="pdf-embedded-file"),
    pytest.param("scan.png", samples.png_truncated(), "upload.malformed_image",
                 id="truncated-png"),
    pytest.param("plan.pdf", b"%PDF-1.7\n" + b"0" * (10 * MB), "upload.too_large",
                 id="oversized"),
]


@pytest.mark.parametrize(("name", "data", "code"), REFUSED_UPLOADS)
def test_a_refused_document_leaves_nothing_behind(world, private_files,
                                                  django_capture_on_commit_callbacks,
                                                  name, data, code):
    # given an open case with one accepted document already
    case = case_new(world)
    case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                        document=samples.upload("id.pdf", samples.pdf()))
    # when the applicant adds a file the upload service refuses
    refusal = _refused(private_files, django_capture_on_commit_callbacks, case.pk,
                       lambda: case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                                   document=samples.upload(name, data)))
    # then the refusal is the service's, next to the document field
    assert (refusal.code, refusal.field) == (code, "document")


def test_a_submission_with_a_refused_document_creates_no_case(
        world, private_files, django_capture_on_commit_callbacks):
    # when a citizen submits with an executable named as a PDF
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(DomainError) as refused:
        case_submit(kind="complaint", municipality=world.branch, subject="تسرب",
                    submitted_by=world.applicant.user,
                    documents=[samples.upload("evil.pdf", samples.EXECUTABLE)])
    # then nothing is numbered, written or queued
    assert refused.value.code == "upload.type_not_allowed"
    assert (Case.objects.count(), CaseCounter.objects.filter(last_number__gt=0).count(),
            CaseAttachment.objects.count(), CaseEvent.objects.count()) == (0, 0, 0, 0)
    assert _files(private_files) == {}
    assert callbacks == []


def test_a_step_with_a_refused_document_does_not_move_the_case(
        world, private_files, django_capture_on_commit_callbacks):
    # given a case returned to its applicant for a document
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    case_return_to_applicant(case_id=case.pk, actor=clerk, comment="أرفق الصك")
    # when the applicant resumes with a PDF that runs JavaScript
    refusal = _refused(private_files, django_capture_on_commit_callbacks, case.pk,
                       lambda: case_resume(case_id=case.pk, actor=world.applicant.user,
                                           comment="أرفقت الصك", document=samples.upload(
                                               "deed.pdf", samples.pdf_with_javascript())))
    # then the case still waits for them
    assert (refusal.code, refusal.field) == ("upload.unsafe_pdf", "document")
    assert Case.objects.get(pk=case.pk).category == StatusCategory.AWAITING_APPLICANT


@pytest.mark.parametrize(("name", "data", "content_type", "extension"), [
    ("صك الملكية.pdf", samples.pdf(), "application/pdf", "pdf"),
    ("scan.png", samples.png(), "image/png", "png"),
    ("photo.jpeg", samples.jpeg(), "image/jpeg", "jpg"),
    ("evil.pdf", samples.jpeg(), "image/jpeg", "jpg"),
])
def test_a_valid_document_is_stored_under_a_random_name_with_its_sha256(
        world, private_files, name, data, content_type, extension):
    # given an open case
    case = case_new(world)
    # when the applicant adds a valid document
    attachment = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                     document=samples.upload(name, data, "text/html"))
    # then it is recorded as the type found in it, under a random name, with the hash of the
    # stored bytes; the uploader's name is kept for display only
    attachment.refresh_from_db()
    stored = (private_files / attachment.file.name).read_bytes()
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{extension}", attachment.stored_name)
    assert attachment.file.name == f"workflow/cases/{case.pk}/{attachment.stored_name}"
    assert attachment.content_type == content_type
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest()
    assert attachment.size == len(stored)
    assert attachment.original_name == name
    assert (attachment.version, attachment.replaces_id) == (1, None)
    # and the event in the case's hash chain carries the same hash
    event = CaseEvent.objects.get(case=case, seq=attachment.event_seq)
    assert event.payload == {"internal": False, "name": name, "sha256": attachment.sha256}


def test_a_jpeg_with_a_payload_appended_is_stored_as_the_picture_alone(world, private_files):
    case = case_new(world)
    data = samples.jpeg() + samples.zip_archive(**{"x.html": b"<script>alert(1)</script>"})
    attachment = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                     document=samples.upload("photo.jpg", data))
    stored = (private_files / attachment.file.name).read_bytes()
    assert b"PK\x03\x04" not in stored and b"<script>" not in stored
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest()


def test_a_display_name_is_cleaned_of_folders_and_bidi_tricks(world):
    case = case_new(world)
    attachment = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                     document=samples.upload("../../x/report\u202efdp.png",
                                                             samples.png()))
    assert attachment.original_name == "reportfdp.png"
    assert attachment.download_name == "reportfdp.png"


# --- Versions ----------------------------------------------------------------------------


def _deed_corrected(world):
    case = case_new(world)
    first = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                document=samples.upload("deed.pdf", samples.pdf()))
    second = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                 document=samples.upload("deed-clear.pdf", samples.pdf(pages=2)),
                                 replaces_id=first.pk)
    return case, first, second


def test_a_correction_is_a_new_version_and_keeps_the_old_row_and_file(world, private_files):
    # given a case whose applicant added a deed
    case = case_new(world)
    first = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                document=samples.upload("deed.pdf", samples.pdf()))
    first_file = (private_files / first.file.name).read_bytes()
    # when they upload a corrected version of it
    second = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                 document=samples.upload("deed-clear.pdf", samples.pdf(pages=2)),
                                 replaces_id=first.pk)
    # then the correction is version 2 and replaces the first, which is kept as it was
    first.refresh_from_db()
    assert (second.version, second.replaces_id) == (2, first.pk)
    assert first.replaced_by == second
    assert (private_files / first.file.name).read_bytes() == first_file
    assert hashlib.sha256(first_file).hexdigest() == first.sha256
    assert first.file.name != second.file.name
    # and the trail says what was corrected
    event = CaseEvent.objects.get(case=case, seq=second.event_seq)
    assert event.kind == CaseEventKind.ATTACHMENT_ADDED
    assert event.payload == {"internal": False, "name": "deed-clear.pdf", "sha256": second.sha256,
                          "replaces": first.pk, "version": 2}


def test_staff_see_every_version_and_the_applicant_the_current_one(world):
    # given a deed corrected once by the applicant
    case, first, second = _deed_corrected(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    # when staff and the applicant open the case
    staff_view = case_get_for_user(case_id=case.pk, user=clerk)
    applicant_view = case_get_for_user(case_id=case.pk, user=world.applicant.user)
    # then staff see both versions, the old one marked as replaced; the applicant the new one
    assert [(a.pk, a.version) for a in staff_view.attachments] == [(first.pk, 1),
                                                                    (second.pk, 2)]
    assert staff_view.attachments[0].replaced_by.version == 2
    assert [a.pk for a in applicant_view.attachments] == [second.pk]
    # and only the current version can be corrected again
    assert staff_view.attachments_replaceable == [second]
    assert applicant_view.attachments_replaceable == [second]
    # and the old version downloads for staff only
    assert attachment_get_for_user(attachment_id=first.pk, user=clerk) == first
    with pytest.raises(DomainError) as refused:
        attachment_get_for_user(attachment_id=first.pk, user=world.applicant.user)
    assert refused.value.code == "workflow.attachment_not_found"


def test_an_old_version_cannot_be_corrected_again(world, private_files,
                                                  django_capture_on_commit_callbacks):
    case, first, second = _deed_corrected(world)
    refusal = _refused(private_files, django_capture_on_commit_callbacks, case.pk,
                       lambda: case_attachment_add(
                           case_id=case.pk, actor=world.applicant.user, replaces_id=first.pk,
                           document=samples.upload("deed3.pdf", samples.pdf())))
    assert (refusal.code, refusal.field, refusal.status) == (
        "workflow.document_already_replaced", "replaces", 409)
    assert refusal.message_en == ("This document already has a newer version (version 2). "
                                  "Correct the newest one.")


def test_who_may_correct_which_document(world, private_files,
                                        django_capture_on_commit_callbacks):
    # given a case with the applicant's deed, a staff report shown to the applicant, an
    # internal staff memo, and another case's document
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    deed = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                               document=samples.upload("deed.pdf", samples.pdf()))
    report = case_attachment_add(case_id=case.pk, actor=clerk,
                                 document=samples.upload("report.pdf", samples.pdf()))
    memo = case_attachment_add(case_id=case.pk, actor=clerk, is_internal=True,
                               document=samples.upload("memo.pdf", samples.pdf()))
    elsewhere = case_attachment_add(case_id=case_new(world).pk, actor=world.applicant.user,
                                    document=samples.upload("id.pdf", samples.pdf()))

    def correct(actor, attachment_id):
        return lambda: case_attachment_add(case_id=case.pk, actor=actor,
                                           replaces_id=attachment_id,
                                           document=samples.upload("new.pdf", samples.pdf()))

    # then the applicant may not correct the department's documents nor another case's
    cases = [(world.applicant.user, report.pk, "workflow.document_not_replaceable", 403),
             (world.applicant.user, memo.pk, "workflow.document_not_found", 404),
             (world.applicant.user, elsewhere.pk, "workflow.document_not_found", 404),
             (clerk, elsewhere.pk, "workflow.document_not_found", 404),
             (world.other_citizen.user, deed.pk, "workflow.not_allowed", 403)]
    for actor, attachment_id, code, status in cases:
        refusal = _refused(private_files, django_capture_on_commit_callbacks, case.pk,
                           correct(actor, attachment_id))
        assert (refusal.code, refusal.status) == (code, status), (actor, attachment_id)
    # and staff may correct the applicant's deed, the correction staying visible to them
    corrected = case_attachment_add(case_id=case.pk, actor=clerk, replaces_id=deed.pk,
                                    is_internal=True,
                                    document=samples.upload("deed-scan.pdf", samples.pdf()))
    assert (corrected.version, corrected.is_internal) == (2, False)
    applicant_view = case_get_for_user(case_id=case.pk, user=world.applicant.user)
    assert [a.original_name for a in applicant_view.attachments] == ["report.pdf",
                                                                     "deed-scan.pdf"]
    assert applicant_view.attachments_replaceable == []


def test_a_refused_correction_leaves_the_old_version_current(world, private_files,
                                                             django_capture_on_commit_callbacks):
    case = case_new(world)
    deed = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                               document=samples.upload("deed.pdf", samples.pdf()))
    refusal = _refused(private_files, django_capture_on_commit_callbacks, case.pk,
                       lambda: case_attachment_add(
                           case_id=case.pk, actor=world.applicant.user, replaces_id=deed.pk,
                           document=samples.upload("deed.pdf", samples.EXECUTABLE)))
    assert refusal.code == "upload.type_not_allowed"
    assert CaseAttachment.objects.get(pk=deed.pk).version == 1
    assert not CaseAttachment.objects.filter(replaces=deed).exists()


def test_the_database_lets_a_document_be_replaced_only_once(world):
    # given a corrected deed
    case, first, second = _deed_corrected(world)
    # when a second correction of the first version is written directly, it is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseAttachment.objects.create(case=case, original_name="x.pdf", version=2,
                                      replaces=first, created_at=timezone.now())
    # and so is a correction that calls itself version 1
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseAttachment.objects.create(case=case, original_name="x.pdf", version=1,
                                      replaces=second, created_at=timezone.now())
    assert CaseAttachment.objects.filter(case=case).count() == 2
