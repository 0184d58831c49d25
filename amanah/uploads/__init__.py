"""The one upload service every app uses: a file is judged by its content, never by its name.

- `upload_check(file=..., policy=..., field=...)` copies the file in chunks (stopping at the
  policy's size), detects its type from its first bytes, refuses what the policy does not allow,
  re-encodes images with Pillow (metadata and anything appended are dropped; damaged, truncated
  and oversized images are refused), refuses PDFs that carry JavaScript, launch actions or
  embedded files, and returns a `CheckedUpload`: the bytes to store, their SHA-256, a random
  stored name with the detected type's extension, and the original name cleaned for display.
- `UploadLimitHandler` (first in FILE_UPLOAD_HANDLERS) caps a request while it streams in, so an
  oversized body is never buffered or written to the temp folder; it marks the refusal on the
  request, and views read it with `upload_refusal` / `upload_refusal_raise` to show it next to
  the file field.
- `upload_store(instance, upload)` writes a checked upload into the row's file field and inserts
  the row, removing the file again if the insert fails.

Every refusal is a `DomainError` with a stable `upload.*` code, in Arabic and English, saying
what is allowed.

The service is a package split by what is checked — policy (types, sizes, refusals), check
(`upload_check`), images, pdf, names, streaming (the request handler) — and this module is its
one door: callers and settings keep using `amanah.uploads.<name>`.
"""

from .check import sniff, upload_check
from .names import DISPLAY_NAME_MAX, display_name_clean, download_name
from .pdf import pdf_objects_forbidden, pdf_raw_forbidden
from .policy import (
    CASE_DOCUMENT_POLICY,
    CHUNK_BYTES,
    DEFAULT_UPLOAD_MAX_BYTES,
    DRAIN_FACTOR,
    ENVELOPE_ALLOWANCE_BYTES,
    JPEG,
    KNOWN_TYPES,
    PDF,
    PNG,
    WEBP,
    CheckedUpload,
    UploadPolicy,
    upload_max_bytes,
)
from .store import upload_store
from .streaming import UploadLimitHandler, upload_refusal, upload_refusal_raise

__all__ = [
    "CASE_DOCUMENT_POLICY",
    "CHUNK_BYTES",
    "DEFAULT_UPLOAD_MAX_BYTES",
    "DISPLAY_NAME_MAX",
    "DRAIN_FACTOR",
    "ENVELOPE_ALLOWANCE_BYTES",
    "JPEG",
    "KNOWN_TYPES",
    "PDF",
    "PNG",
    "WEBP",
    "CheckedUpload",
    "UploadLimitHandler",
    "UploadPolicy",
    "display_name_clean",
    "download_name",
    "pdf_objects_forbidden",
    "pdf_raw_forbidden",
    "sniff",
    "upload_check",
    "upload_max_bytes",
    "upload_refusal",
    "upload_refusal_raise",
    "upload_store",
]
