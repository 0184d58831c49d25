"""Documents on a case: checked by content (amanah.uploads), stored privately under a random
name, recorded in the case's trail; a correction is a new version and the old one is kept."""

import datetime as dt
import os

from amanah.errors import Conflict, NotFound, PermissionDenied
from amanah.uploads import CASE_DOCUMENT_POLICY, CheckedUpload, UploadPolicy, upload_check

from ..enums import ActorKind
from ..models import Case, CaseAttachment, CaseEvent


def document_check(document, *, policy: UploadPolicy = CASE_DOCUMENT_POLICY,
                   field: str = "document") -> CheckedUpload | None:
    """What to store for an uploaded case document, or None when there is none; refused (with
    the upload's own code, next to `field`) unless its content passes the policy."""
    if document is None:
        return None
    return upload_check(file=document, policy=policy, field=field)


def attachment_store(case: Case, document: CheckedUpload, *, user, at: dt.datetime,
                     event_seq: int | None, is_internal: bool = False,
                     replaces: CaseAttachment | None = None) -> CaseAttachment:
    """Write a checked document under the case's private folder and record it."""
    attachment = CaseAttachment(
        case=case, original_name=document.display_name, content_type=document.content_type,
        size=document.size, sha256=document.sha256, uploaded_by=user if user else None,
        is_internal=is_internal, event_seq=event_seq, created_at=at,
        version=replaces.version + 1 if replaces is not None else 1, replaces=replaces)
    try:
        attachment.file.save(document.stored_name, document.as_file(), save=False)
        attachment.stored_name = os.path.basename(attachment.file.name)
        attachment.save()
    except BaseException:
        # The row did not make it: leave no file behind that no row points to.
        if attachment.file.name:
            attachment.file.delete(save=False)
        raise
    finally:
        document.close()
    return attachment


def attachment_uploaded_as(attachment: CaseAttachment, events_by_seq: dict | None = None
                           ) -> str | None:
    """Who added the document: the applicant's side or staff (ActorKind), from its event."""
    if attachment.event_seq is None:
        return None
    if events_by_seq is not None:
        event = events_by_seq.get(attachment.event_seq)
        return event.actor_kind if event is not None else None
    return (CaseEvent.objects.filter(case_id=attachment.case_id, seq=attachment.event_seq)
            .values_list("actor_kind", flat=True).first())


def attachment_may_replace(attachment: CaseAttachment, *, viewer_kind: str,
                           uploaded_as: str | None) -> bool:
    """Staff of the holding department may correct any document of the case; the applicant
    only the documents their side added (never the department's, never internal ones)."""
    if viewer_kind == ActorKind.STAFF:
        return True
    return (viewer_kind == ActorKind.APPLICANT and not attachment.is_internal
            and uploaded_as == ActorKind.APPLICANT)


def attachment_to_replace(case: Case, attachment_id: int, *, viewer_kind: str
                          ) -> CaseAttachment:
    """The document a correction will replace: on this case, visible to and correctable by the
    viewer, and the latest of its versions. The case row is locked by the caller, so two
    corrections of one document cannot both pass (the one-to-one `replaces` is the backstop)."""
    attachment = (CaseAttachment.objects.filter(pk=attachment_id, case=case)
                  .select_related("replaced_by").first())
    if attachment is None or (attachment.is_internal and viewer_kind != ActorKind.STAFF):
        raise NotFound("workflow.document_not_found", "لم يتم العثور على المستند المراد تصحيحه.",
                       "The document to correct was not found on this transaction.",
                       field="replaces")
    newer = getattr(attachment, "replaced_by", None)
    if newer is not None:
        raise Conflict("workflow.document_already_replaced",
                       f"لهذا المستند نسخة أحدث (النسخة {newer.version}). صحّح النسخة الأحدث.",
                       f"This document already has a newer version (version {newer.version}). "
                       "Correct the newest one.", field="replaces")
    if not attachment_may_replace(attachment, viewer_kind=viewer_kind,
                                  uploaded_as=attachment_uploaded_as(attachment)):
        raise PermissionDenied("workflow.document_not_replaceable",
                               "لا يمكنك تصحيح مستند أضافته الإدارة.",
                               "You cannot correct a document the department added.",
                               field="replaces")
    return attachment
