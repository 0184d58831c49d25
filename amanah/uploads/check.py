"""The check every upload goes through: copied in chunks up to its policy's size, its type read
from its first bytes, then each type's own inspection (images re-encoded, PDFs searched for
anything that acts)."""

import hashlib
import logging
import tempfile
import uuid

from django.conf import settings

from ..errors import DomainError
from .images import image_reencode
from .names import display_name_clean
from .pdf import pdf_check
from .policy import (
    CHUNK_BYTES,
    JPEG,
    KNOWN_TYPES,
    PDF,
    PNG,
    WEBP,
    CheckedUpload,
    UploadPolicy,
    not_accepted,
    refusal,
    too_large,
)

logger = logging.getLogger("amanah.uploads")  # one logger name for the whole service


def upload_check(*, file, policy: UploadPolicy, field: str | None = "document"
                 ) -> CheckedUpload:
    """Accept `file` only if its content is a type `policy` allows, within its size, and safe;
    return what to store (images re-encoded) with its SHA-256 and a random stored name."""
    if file is None or not (hasattr(file, "chunks") or hasattr(file, "read")):
        raise refusal("upload.invalid", "المرفق ليس ملفًا صالحًا.",
                      "The document is not a valid file.", field=field)
    limit = policy.effective_max_bytes
    declared = getattr(file, "size", None)
    if isinstance(declared, int) and declared > limit:
        _log_refusal("upload.too_large", None, declared)
        raise too_large(policy, field)
    content, content_type, size = _spool(), None, None
    try:
        size, head, digest = _copy(file, content, limit, policy, field)
        if size == 0:
            raise not_accepted("upload.empty", "الملف فارغ.", "The file is empty.",
                               policy, field)
        content_type = sniff(head)
        if content_type not in policy.content_types:
            raise not_accepted(
                "upload.type_not_allowed",
                "نوع الملف غير مقبول (يُعرف النوع من محتوى الملف لا من اسمه).",
                "This type of file is not accepted (the type is read from the file's "
                "content, not its name).", policy, field)
        if content_type == PDF:
            pdf_check(content, field)
        else:
            reencoded = image_reencode(content, content_type, policy, field)
            content.close()
            content = _spool()
            content.write(reencoded)
            size, digest = len(reencoded), hashlib.sha256(reencoded)
        content.seek(0)
    except DomainError as refused:
        content.close()
        _log_refusal(refused.code, content_type, size)
        raise
    except BaseException:
        content.close()
        raise
    return CheckedUpload(
        content=content, content_type=content_type, size=size, sha256=digest.hexdigest(),
        stored_name=f"{uuid.uuid4().hex}.{KNOWN_TYPES[content_type].extension}",
        display_name=display_name_clean(getattr(file, "name", "") or ""))


def _log_refusal(code: str, content_type: str | None, size: int | None) -> None:
    logger.info("upload refused: %s (content %s, %s bytes)", code, content_type or "?",
                size if size is not None else "?")


def _spool() -> tempfile.SpooledTemporaryFile:
    # In memory up to Django's own in-memory upload size; past it an unnamed temporary file,
    # which leaves nothing behind in the folder even if the process dies.
    return tempfile.SpooledTemporaryFile(
        max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR)


def _chunks(file):
    if hasattr(file, "chunks"):
        yield from file.chunks(CHUNK_BYTES)
        return
    if hasattr(file, "seek") and (not hasattr(file, "seekable") or file.seekable()):
        file.seek(0)
    while chunk := file.read(CHUNK_BYTES):
        yield chunk


def _copy(file, content, limit: int, policy: UploadPolicy, field: str | None):
    # A copy of its own: what is stored is exactly what was checked, whatever the caller's
    # file object does afterwards.
    size, head, digest = 0, b"", hashlib.sha256()
    for chunk in _chunks(file):
        if isinstance(chunk, str):
            raise refusal("upload.invalid", "المرفق ليس ملفًا صالحًا.",
                          "The document is not a valid file.", field=field)
        size += len(chunk)
        if size > limit:
            raise too_large(policy, field)
        if len(head) < 16:
            head += chunk[:16 - len(head)]
        digest.update(chunk)
        content.write(chunk)
    return size, head, digest


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes, among the known types; None for anything else
    (executables, archives, HTML, SVG, GIF, text...)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None
