"""Documents on a case: checked, stored privately, recorded in the case's trail."""

import datetime as dt

from django.core.files.uploadedfile import UploadedFile

from amanah.errors import DomainError

from ..models import Case, CaseAttachment

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def document_check(document) -> None:
    if document is None:
        return
    if not isinstance(document, UploadedFile) and not hasattr(document, "read"):
        raise DomainError("workflow.document_invalid", "المرفق غير صالح.",
                          "The document is not a valid file.", field="document")
    if (getattr(document, "size", 0) or 0) > MAX_DOCUMENT_BYTES:
        raise DomainError("workflow.document_too_large",
                          "حجم المرفق يتجاوز ١٠ ميجابايت.",
                          "The document is larger than 10 MB.", field="document")


def attachment_store(case: Case, document, *, user, at: dt.datetime, event_seq: int | None,
                      is_internal: bool = False) -> CaseAttachment:
    name = getattr(document, "name", "document") or "document"
    attachment = CaseAttachment(
        case=case, original_name=name.rsplit("/", 1)[-1][:255],
        content_type=(getattr(document, "content_type", "") or "")[:100],
        size=getattr(document, "size", 0) or 0, uploaded_by=user if user else None,
        is_internal=is_internal, event_seq=event_seq, created_at=at)
    attachment.file.save(attachment.original_name, document, save=False)
    attachment.save()
    return attachment
