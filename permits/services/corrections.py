"""Corrections field by field: staff name the answers and documents to correct, the applicant's
side changes exactly those, the earlier answers and documents are kept as versions, and the
case goes back to the desk that asked.

Lock order, as everywhere in permits: the workflow case first, then the application. The
case's own step moves through workflow's services in the same transaction, so the two can
never disagree: a refusal on either side leaves both as they were.

The answers are judged by the dynamic form's own rules (permits/forms.py: `answer_clean`,
`visible_keys`), so a corrected answer is stored exactly as a drafted one."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from amanah import clock
from amanah.errors import Conflict, DomainError, PermissionDenied
from amanah.permissions import person_for_user
from amanah.uploads import CASE_DOCUMENT_POLICY, KNOWN_TYPES, UploadPolicy, upload_check
from workflow.services import case_resume, case_return_to_applicant
from workflow.services.steps import case_lock

from ..enums import ApplicationEventKind, ApplicationStatus, PartyRole
from ..forms import AnswerInvalid, answer_clean, visible_keys
from ..models import (
    AnswerVersion,
    Application,
    ApplicationDocument,
    CorrectionRequest,
    PermitTypeDocument,
    PermitTypeField,
)
from ..notify import party_sms_schedule
from ..selectors import application_party_filter, staff_municipality_ids
from .applications import (
    application_event_append,
    application_lock,
    application_not_found,
    application_save,
    application_status_change,
)

NOTE_MAX = 2000


def _answer_clean(field: PermitTypeField, raw):
    """One answer by the form's rules, refused next to its field with the question named."""
    try:
        return answer_clean(field, raw)
    except AnswerInvalid as invalid:
        raise DomainError("permits.answer_invalid", f"{field.label_ar}: {invalid.message_ar}",
                          f"{field.label_en}: {invalid.message_en}", field=field.key) from None


def _answer_required(field: PermitTypeField) -> DomainError:
    return DomainError("permits.answer_required", f"{field.label_ar}: هذا الحقل مطلوب.",
                       f"{field.label_en}: this answer is required.", field=field.key)


def document_policy(document: PermitTypeDocument) -> UploadPolicy:
    """The upload policy of a type's document kind: its own types and size limit."""
    types = frozenset(document.content_types or []) & frozenset(KNOWN_TYPES)
    return UploadPolicy(content_types=types or CASE_DOCUMENT_POLICY.content_types,
                        max_bytes=document.max_bytes or CASE_DOCUMENT_POLICY.max_bytes,
                        label_ar=document.name_ar, label_en=document.name_en)


# --- Who is asking --------------------------------------------------------------------------


def is_applicant_side(user, application: Application) -> bool:
    """The user is one of the application's parties (the owner, an agent, the people of a
    named office) — the side that answers corrections and books visits."""
    person = person_for_user(user)
    if person is None:
        return False
    return Application.objects.filter(application_party_filter(person),
                                      pk=application.pk).exists()


def _staff_check(user, application: Application, *, code: str) -> None:
    if application.municipality_id not in staff_municipality_ids(user):
        raise PermissionDenied(code, "هذا الإجراء لموظفي البلدية المختصة فقط.",
                               "Only the municipality's staff can do this.")


def _application_read(application_id: int) -> Application:
    application = (Application.objects.only("pk", "case_id", "municipality_id")
                   .filter(pk=application_id).first())
    if application is None:
        raise application_not_found()
    return application


def _names(values: Iterable | None, *, field: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise DomainError("permits.correction_invalid", "قائمة غير صالحة.", "Not a valid list.",
                          field=field)
    return list(dict.fromkeys(values))


# --- Staff ask --------------------------------------------------------------------------------


@transaction.atomic
def application_correction_request(*, application_id: int, actor, fields: Iterable[str],
                                   documents: Iterable[str], note: str) -> CorrectionRequest:
    """Staff ask for named answers and documents to be corrected, with a note the applicant is
    shown and sent; the case goes to the applicant and waits."""
    application = _application_read(application_id)
    _staff_check(actor, application, code="permits.correction_staff_only")
    fields = _names(fields, field="fields")
    documents = _names(documents, field="documents")
    note = (note or "").strip()
    if application.case_id is None:
        raise Conflict("permits.application_status_refused",
                       "لا يمكن تنفيذ هذا الإجراء على الطلب في حالته الحالية.",
                       "This cannot be done to the application in its current status.")
    case_lock(application.case_id)
    application = application_lock(application_id)
    if application.status != ApplicationStatus.IN_REVIEW:
        raise Conflict("permits.correction_not_now",
                       "تُطلب التصحيحات أثناء دراسة الطلب، وطلب واحد في كل مرة.",
                       "Corrections are asked for while the application is under review, one "
                       "request at a time.")
    permit_type = application.permit_type
    field_keys = set(permit_type.fields.values_list("key", flat=True))
    document_kinds = set(permit_type.documents.values_list("kind", flat=True))
    if not fields and not documents:
        raise DomainError("permits.correction_empty",
                          "حدد حقلاً أو مستندًا واحدًا على الأقل لتصحيحه.",
                          "Name at least one answer or document to correct.", field="fields")
    unknown = [key for key in fields if key not in field_keys]
    if unknown:
        raise DomainError("permits.correction_unknown_field",
                          "حقل غير موجود في نموذج هذا الطلب.",
                          "There is no such answer on this application's form.", field="fields")
    if [kind for kind in documents if kind not in document_kinds]:
        raise DomainError("permits.correction_unknown_document",
                          "مستند غير مطلوب لهذا النوع من الطلبات.",
                          "This kind of application has no such document.", field="documents")
    if not note:
        raise DomainError("permits.correction_note_required",
                          "اكتب لمقدم الطلب ما المطلوب تصحيحه ولماذا.",
                          "Tell the applicant what to correct and why.", field="note")
    if len(note) > NOTE_MAX:
        raise DomainError("permits.correction_note_too_long",
                          f"الملاحظة {NOTE_MAX} حرف على الأكثر.",
                          f"The note is at most {NOTE_MAX} characters.", field="note")
    correction = CorrectionRequest.objects.create(
        application=application, fields=fields, documents=documents, note=note,
        requested_by=actor, requested_at=clock.now())
    application_event_append(application, kind=ApplicationEventKind.CORRECTION_REQUESTED,
                             actor=actor, reason=note,
                             payload={"correction": correction.pk, "fields": fields,
                                      "documents": documents})
    application_status_change(application=application,
                              to_status=ApplicationStatus.AWAITING_CORRECTION, actor=actor,
                              reason=note)
    # The procedure's guard (permit_correction_open) passes because the request now exists.
    case_return_to_applicant(case_id=application.case_id, actor=actor, comment=note)
    # The owner is sent the note itself by the case's step (notify_applicant); the other
    # parties, the office that will most often make the corrections, are told to look.
    party_sms_schedule(application_id=application.pk, template="correction_requested",
                       roles=[role for role in PartyRole.values if role != PartyRole.OWNER])
    return correction


# --- The applicant's side answers -----------------------------------------------------------


def _open_correction(application: Application) -> CorrectionRequest:
    correction = (CorrectionRequest.objects.select_for_update()
                  .filter(application=application, answered_at__isnull=True).first())
    if correction is None or application.status != ApplicationStatus.AWAITING_CORRECTION:
        raise Conflict("permits.correction_none_open", "لا توجد تصحيحات مطلوبة على هذا الطلب.",
                       "No correction is asked for on this application.")
    return correction


@transaction.atomic
def application_correction_answer(*, application_id: int, user, data: dict, files: dict,
                                  note: str = "") -> CorrectionRequest:
    """The applicant's side changes exactly the answers and documents staff asked for (nothing
    else), the earlier ones kept as versions, and sends the application back for review."""
    application = _application_read(application_id)
    if application.case_id is None:
        raise Conflict("permits.correction_none_open", "لا توجد تصحيحات مطلوبة على هذا الطلب.",
                       "No correction is asked for on this application.")
    case_lock(application.case_id)
    application = application_lock(application_id)
    if not is_applicant_side(user, application):
        raise PermissionDenied("permits.correction_applicant_only",
                               "يصحح الطلب مقدمه أو المكتب الهندسي المكلف به.",
                               "Only the applicant's side can correct the application.")
    correction = _open_correction(application)
    data, files = dict(data or {}), dict(files or {})
    not_asked = sorted(set(data) - set(correction.fields))
    if not_asked:
        raise DomainError("permits.correction_field_not_asked",
                          "لا يمكن تعديل إلا الحقول المطلوب تصحيحها.",
                          "Only the answers asked for can be changed.", field=not_asked[0])
    not_asked = sorted(set(files) - set(correction.documents))
    if not_asked:
        raise DomainError("permits.correction_document_not_asked",
                          "لا يمكن استبدال إلا المستندات المطلوب تصحيحها.",
                          "Only the documents asked for can be replaced.",
                          field=f"document_{not_asked[0]}")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError("permits.correction_note_too_long",
                          f"الملاحظة {NOTE_MAX} حرف على الأكثر.",
                          f"The note is at most {NOTE_MAX} characters.", field="note")

    permit_type = application.permit_type
    type_fields = {f.key: f for f in permit_type.fields.all()}
    type_documents = {d.kind: d for d in permit_type.documents.all()}
    previous = dict(application.answers or {})
    # Asked and not sent: as it was.
    cleaned = {key: _answer_clean(type_fields[key], data.get(key, previous.get(key)))
               for key in correction.fields if key in type_fields}
    answers = {**previous, **{k: v for k, v in cleaned.items() if v is not None}}
    for key, value in cleaned.items():
        if value is None:
            answers.pop(key, None)
    # Required only where shown, as the answers now stand (a field shown only for some value
    # of another). A change that makes an answer staff did not ask for required is refused.
    fields = list(type_fields.values())
    shown_now, shown_before = visible_keys(fields, answers), visible_keys(fields, previous)
    for key, field in type_fields.items():
        if not field.required or key not in shown_now or key in answers:
            continue
        if key in cleaned:
            raise _answer_required(field)
        if key in shown_before and key not in previous:
            continue  # missing before this correction: not the applicant's doing now
        raise DomainError("permits.correction_needs_other_answers",
                          "هذا التغيير يتطلب إجابات لم يُطلب تصحيحها؛ تواصل مع البلدية.",
                          "This change needs answers that were not asked for; contact "
                          "the municipality.", field=sorted(cleaned)[0] if cleaned else None)
    for key in cleaned:  # an asked answer whose question is now hidden goes
        if key not in shown_now:
            answers.pop(key, None)
    for kind in correction.documents:
        if kind in type_documents and files.get(kind) is None:
            raise DomainError("permits.correction_document_required",
                              f"أرفق نسخة مصححة من: {type_documents[kind].name_ar}.",
                              f"Attach a corrected {type_documents[kind].name_en}.",
                              field=f"document_{kind}")
    checked = {kind: upload_check(file=files[kind], policy=document_policy(type_documents[kind]),
                                  field=f"document_{kind}")
               for kind in correction.documents if kind in type_documents}

    at = clock.now()
    fields_saved = []
    if correction.fields:
        AnswerVersion.objects.get_or_create(application=application,
                                            version=application.answers_version,
                                            defaults={"answers": previous, "saved_at": at})
        application.answers = answers
        application.answers_version += 1
        fields_saved = ["answers", "answers_version"]
    for kind, upload in checked.items():
        document = _document_version_store(application, kind, upload, user=user, at=at)
        application_event_append(application, kind=ApplicationEventKind.DOCUMENT_UPLOADED,
                                 actor=user, at=at,
                                 payload={"kind": kind, "version": document.version,
                                          "sha256": document.sha256,
                                          "correction": correction.pk})
    correction.answered_at = at
    correction.answered_by = user
    correction.answer_note = note
    correction.save(update_fields=["answered_at", "answered_by", "answer_note"])
    changed = sorted(key for key in correction.fields if answers.get(key) != previous.get(key))
    application_event_append(application, kind=ApplicationEventKind.CORRECTION_ANSWERED,
                             actor=user, at=at, reason=note,
                             payload={"correction": correction.pk, "changed": changed,
                                      "documents": sorted(checked),
                                      "answers_version": application.answers_version})
    application_save(application, fields_saved)
    application_status_change(application=application, to_status=ApplicationStatus.IN_REVIEW,
                              actor=user)
    # The procedure's guard (permit_no_open_correction) passes: the request is answered.
    case_resume(case_id=application.case_id, actor=user, comment=note)
    return correction


def _document_version_store(application: Application, kind: str, upload, *, user,
                            at: dt.datetime) -> ApplicationDocument:
    """The corrected document as the next version of its kind; the current one is kept,
    marked superseded."""
    versions = list(ApplicationDocument.objects.select_for_update()
                    .filter(application=application, kind=kind).order_by("-version"))
    for current in versions:
        if current.superseded_at is None:
            current.superseded_at = at
            current.save(update_fields=["superseded_at"])
    document = ApplicationDocument(
        application=application, kind=kind, version=(versions[0].version + 1) if versions else 1,
        original_name=upload.display_name, content_type=upload.content_type, size=upload.size,
        sha256=upload.sha256, uploaded_by=user, uploaded_at=at)
    try:
        document.file.save(upload.stored_name, upload.as_file(), save=False)
        document.save()
    except BaseException:
        # The row did not make it: leave no file behind that no row points to.
        if document.file.name:
            document.file.delete(save=False)
        raise
    finally:
        upload.close()
    return document
