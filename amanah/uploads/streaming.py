"""The request's cap while it streams in: no file past UPLOAD_MAX_BYTES reaches memory or
disk, and the refusal waits on the request for the view to show next to its field."""

import logging

from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload

from ..errors import DomainError
from .policy import DRAIN_FACTOR, ENVELOPE_ALLOWANCE_BYTES, refusal, size_text, upload_max_bytes

logger = logging.getLogger("amanah.uploads")  # one logger name for the whole service


def _refusals(request) -> dict:
    refusals = getattr(request, "upload_refusals", None)
    if refusals is None:
        refusals = {}
        request.upload_refusals = refusals
    return refusals


def _streaming_too_large(field_name: str) -> DomainError:
    size_ar, size_en = (size_text(upload_max_bytes(), language) for language in ("ar", "en"))
    return refusal("upload.too_large", f"الملف أكبر من الحجم المسموح (بحد أقصى {size_ar}).",
                   f"The file is too large (at most {size_en}).", field=field_name,
                   status=413)


class UploadLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: no file past UPLOAD_MAX_BYTES reaches memory or disk.

    A body whose Content-Length is over the cap (plus the envelope allowance) is stopped at its
    first file, before any of the file is read: the form fields before it (the CSRF token, the
    form's own fields) are kept so the page can answer, the refusal is put on the request. A
    file that grows past the cap while it streams (a lying or absent part length) is dropped
    at that chunk, and the rest of the request is read on.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.cap = upload_max_bytes()
        # Not `content_length`: the base class keeps each file part's own length under that name.
        self.request_length = content_length
        self.body_too_large = content_length > self.cap + ENVELOPE_ALLOWANCE_BYTES
        self.file_bytes = 0
        return None  # the default handlers parse on; this one only watches

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.file_bytes = 0
        if self.body_too_large:
            self._refuse()
            raise StopUpload(connection_reset=self.request_length > DRAIN_FACTOR * self.cap)

    def receive_data_chunk(self, raw_data, start):
        self.file_bytes += len(raw_data)
        if self.file_bytes > self.cap:
            self._refuse()
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) hands over the file

    def _refuse(self) -> None:
        logger.info("upload refused while streaming: %s over %s bytes (request of %s bytes)",
                    self.field_name, self.cap, self.request_length)
        if self.request is not None:
            _refusals(self.request)[self.field_name] = _streaming_too_large(self.field_name)


def upload_refusal(request, field: str | None = None) -> DomainError | None:
    """The refusal the upload handler put on this request (for `field`, or the first one)."""
    # The refusals are written while the body is parsed, which reading FILES makes happen.
    _ = request.FILES
    refusals = getattr(request, "upload_refusals", None) or {}
    if field is not None:
        return refusals.get(field)
    return next(iter(refusals.values()), None)


def upload_refusal_raise(request) -> None:
    """Raise the upload handler's refusal, if any, so the view answers it like any other."""
    refusal = upload_refusal(request)
    if refusal is not None:
        raise refusal
