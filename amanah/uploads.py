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

Every refusal is a `DomainError` with a stable `upload.*` code, in Arabic and English, saying
what is allowed.
"""

import hashlib
import io
import logging
import re
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from .errors import DomainError

logger = logging.getLogger(__name__)

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"


@dataclass(frozen=True)
class _Kind:
    extension: str
    label: str
    pillow_format: str | None = None


# The only types any policy may allow, in the order messages name them.
KNOWN_TYPES: dict[str, _Kind] = {
    PDF: _Kind("pdf", "PDF"),
    PNG: _Kind("png", "PNG", "PNG"),
    JPEG: _Kind("jpg", "JPEG", "JPEG"),
    WEBP: _Kind("webp", "WebP", "WEBP"),
}

DEFAULT_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
# Room for the multipart envelope around the file: boundaries, part headers, the CSRF token and
# the form's text fields (a 4,000-character Arabic comment is about 8 KB).
ENVELOPE_ALLOWANCE_BYTES = 64 * 1024
# A body up to this many times the cap is read to its end (and dropped) so that every browser
# gets the error page; a larger one is cut off unread.
DRAIN_FACTOR = 4
CHUNK_BYTES = 64 * 1024


def upload_max_bytes() -> int:
    """The portal-wide cap on one uploaded file (setting UPLOAD_MAX_BYTES)."""
    return int(getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES))


_ARABIC_DIGITS = str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫")


def _size_text(size: int, language: str) -> str:
    megabytes = size / (1024 * 1024)
    number = f"{megabytes:.0f}" if megabytes >= 10 or megabytes == int(megabytes) \
        else f"{megabytes:.1f}"
    if language == "ar":
        return f"{number.translate(_ARABIC_DIGITS)} ميجابايت"
    return f"{number} MB"


def _join(labels: list[str], language: str) -> str:
    if len(labels) == 1:
        return labels[0]
    if language == "ar":
        return " أو ".join(labels)
    return f"{', '.join(labels[:-1])} or {labels[-1]}"


@dataclass(frozen=True)
class UploadPolicy:
    """What one kind of document may be: its types (by content), its size, its pixels."""

    content_types: frozenset[str]
    max_bytes: int
    label_ar: str
    label_en: str
    max_pixels: int = 40_000_000

    def __post_init__(self):
        unknown = set(self.content_types) - set(KNOWN_TYPES)
        if not self.content_types or unknown:
            raise ValueError(f"UploadPolicy {self.label_en!r}: unknown types {sorted(unknown)}")
        if self.max_bytes <= 0 or self.max_pixels <= 0:
            raise ValueError(f"UploadPolicy {self.label_en!r}: limits must be positive")

    @property
    def effective_max_bytes(self) -> int:
        """The policy's size, never above the portal-wide cap the upload handler enforces."""
        return min(self.max_bytes, upload_max_bytes())

    def allowed(self, language: str) -> str:
        """What the policy accepts, in words: "PDF, PNG or JPEG, up to 10 MB"."""
        labels = [kind.label for content_type, kind in KNOWN_TYPES.items()
                  if content_type in self.content_types]
        size = _size_text(self.effective_max_bytes, language)
        if language == "ar":
            return f"{_join(labels, 'ar')}، بحجم أقصاه {size}"
        return f"{_join(labels, 'en')}, up to {size}"

    def describe(self, language: str) -> str:
        """The help text under a file field: the document kind and what it accepts."""
        label = self.label_ar if language == "ar" else self.label_en
        return f"{label}: {self.allowed(language)}."

    @property
    def accept(self) -> str:
        """For the file input's `accept` attribute: a hint to the browser, never trusted."""
        items = []
        for content_type in KNOWN_TYPES:
            if content_type in self.content_types:
                items += [f".{KNOWN_TYPES[content_type].extension}", content_type]
        if JPEG in self.content_types:
            items.insert(items.index(".jpg") + 1, ".jpeg")
        return ",".join(items)


CASE_DOCUMENT_POLICY = UploadPolicy(
    content_types=frozenset({PDF, PNG, JPEG}), max_bytes=DEFAULT_UPLOAD_MAX_BYTES,
    label_ar="مستندات المعاملة", label_en="Case documents")


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed its policy: what to store and what to record about it.

    `content` holds the bytes to store (in memory when small, else an unnamed temporary file
    that the system removes when it is closed); `sha256` and `size` are of those bytes.
    """

    content: IO[bytes] = field(repr=False)
    content_type: str
    size: int
    sha256: str
    stored_name: str
    display_name: str

    @property
    def extension(self) -> str:
        return KNOWN_TYPES[self.content_type].extension

    def as_file(self) -> File:
        self.content.seek(0)
        return File(self.content, name=self.stored_name)

    def close(self) -> None:
        self.content.close()


# --- Refusals ----------------------------------------------------------------------------


def _refusal(code: str, ar: str, en: str, *, field: str | None, status: int = 400
             ) -> DomainError:
    return DomainError(code, ar, en, field=field, status=status)


def _not_accepted(code: str, ar: str, en: str, policy: UploadPolicy, field: str | None,
                  status: int = 400) -> DomainError:
    return _refusal(code, f"{ar} المسموح: {policy.allowed('ar')}.",
                    f"{en} Allowed: {policy.allowed('en')}.", field=field, status=status)


def _too_large(policy: UploadPolicy, field: str | None) -> DomainError:
    return _not_accepted("upload.too_large", "الملف أكبر من الحجم المسموح.",
                         "The file is too large.", policy, field, status=413)


# --- The check ---------------------------------------------------------------------------


def upload_check(*, file, policy: UploadPolicy, field: str | None = "document"
                 ) -> CheckedUpload:
    """Accept `file` only if its content is a type `policy` allows, within its size, and safe;
    return what to store (images re-encoded) with its SHA-256 and a random stored name."""
    if file is None or not (hasattr(file, "chunks") or hasattr(file, "read")):
        raise _refusal("upload.invalid", "المرفق ليس ملفًا صالحًا.",
                       "The document is not a valid file.", field=field)
    limit = policy.effective_max_bytes
    declared = getattr(file, "size", None)
    if isinstance(declared, int) and declared > limit:
        _log_refusal("upload.too_large", None, declared)
        raise _too_large(policy, field)
    content, content_type, size = _spool(), None, None
    try:
        size, head, digest = _copy(file, content, limit, policy, field)
        if size == 0:
            raise _not_accepted("upload.empty", "الملف فارغ.", "The file is empty.",
                                policy, field)
        content_type = sniff(head)
        if content_type not in policy.content_types:
            raise _not_accepted(
                "upload.type_not_allowed",
                "نوع الملف غير مقبول (يُعرف النوع من محتوى الملف لا من اسمه).",
                "This type of file is not accepted (the type is read from the file's "
                "content, not its name).", policy, field)
        if content_type == PDF:
            _pdf_check(content, field)
        else:
            reencoded = _image_reencode(content, content_type, policy, field)
            content.close()
            content = _spool()
            content.write(reencoded)
            size, digest = len(reencoded), hashlib.sha256(reencoded)
        content.seek(0)
    except DomainError as refusal:
        content.close()
        _log_refusal(refusal.code, content_type, size)
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
            raise _refusal("upload.invalid", "المرفق ليس ملفًا صالحًا.",
                           "The document is not a valid file.", field=field)
        size += len(chunk)
        if size > limit:
            raise _too_large(policy, field)
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


# --- Names -------------------------------------------------------------------------------

DISPLAY_NAME_MAX = 120


def display_name_clean(name: str) -> str:
    """The uploader's file name, fit only for display: no folders, no control or invisible
    formatting characters (bidi overrides could make "exe.pdf" read as "fdp.exe"), capped."""
    name = unicodedata.normalize("NFKC", str(name))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if len(name) > DISPLAY_NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10 and stem:
            name = f"{stem[:DISPLAY_NAME_MAX - len(extension) - 1].rstrip(' .')}.{extension}"
        else:
            name = name[:DISPLAY_NAME_MAX].rstrip(" .")
    return name or "document"


def download_name(display_name: str, content_type: str) -> str:
    """The name a stored file is downloaded under: the display name's stem with the extension
    of the type its content was found to be, so "evil.html" that is a PNG saves as a .png."""
    kind = KNOWN_TYPES.get(content_type)
    if kind is None:
        return display_name
    stem, dot, _extension = display_name.rpartition(".")
    return f"{(stem if dot and stem else display_name) or 'document'}.{kind.extension}"


# --- Images ------------------------------------------------------------------------------

_OUTPUT_MODES = {
    "PNG": {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"},
    "JPEG": {"L", "RGB"},
    "WEBP": {"RGB", "RGBA"},
}


def _malformed_image(field: str | None) -> DomainError:
    return _refusal("upload.malformed_image",
                    "تعذّرت قراءة الصورة؛ قد تكون تالفة أو ناقصة. احفظها من جديد ثم ارفعها.",
                    "The image cannot be read: it may be damaged or incomplete. Save it again "
                    "and upload it anew.", field=field)


def _too_many_pixels(policy: UploadPolicy, field: str | None) -> DomainError:
    megapixels = f"{policy.max_pixels / 1_000_000:g}"
    return _refusal("upload.image_too_large",
                    f"أبعاد الصورة أكبر من المسموح (بحد أقصى {megapixels.translate(_ARABIC_DIGITS)}"
                    " ميجابكسل). صغّرها ثم ارفعها.",
                    f"The image has too many pixels (at most {megapixels} megapixels). Make it "
                    "smaller and upload it again.", field=field)


def _image_reencode(content, content_type: str, policy: UploadPolicy, field: str | None
                    ) -> bytes:
    """Decode the whole image and encode it afresh in the same format: what is stored is
    pixels only — no metadata, no comment chunks, nothing appended after the image's end."""
    pillow_format = KNOWN_TYPES[content_type].pillow_format
    try:
        content.seek(0)
        with Image.open(content, formats=[pillow_format]) as probe:
            # The size is in the header: a decompression bomb is refused before it is decoded
            # (Pillow's own, higher limit refuses the worst ones already while opening).
            width, height = probe.size
            if width * height > policy.max_pixels:
                raise _too_many_pixels(policy, field)
            probe.verify()
        content.seek(0)
        with Image.open(content, formats=[pillow_format]) as image:
            image.load()
            transparency = image.info.get("transparency")
            clean = ImageOps.exif_transpose(image)
            clean.info = {}
            if clean.mode not in _OUTPUT_MODES[pillow_format]:
                has_alpha = "A" in clean.getbands() or transparency is not None
                clean = clean.convert("RGBA" if has_alpha and pillow_format != "JPEG" else "RGB")
                transparency = None
            options = {"quality": 90} if pillow_format in ("JPEG", "WEBP") else {}
            if transparency is not None and pillow_format == "PNG":
                options["transparency"] = transparency
            output = io.BytesIO()
            clean.save(output, format=pillow_format, **options)
    except DomainError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(policy, field) from None
    except MemoryError:
        raise
    except Exception as exc:  # any decoder surprise is the uploader's damaged file, not a 500
        logger.info("upload: image refused by the decoder: %s: %s", type(exc).__name__, exc)
        raise _malformed_image(field) from None
    return output.getvalue()


# --- PDFs --------------------------------------------------------------------------------

# Names that make a PDF do something beyond showing pages: run scripts, start programs, carry
# files, play rich media, or run an XML form (XFA forms carry scripts of their own).
_PDF_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/RichMediaContent",
                       "/XFA"})
_PDF_VALUES = frozenset({"/JavaScript", "/Launch", "/EmbeddedFile", "/FileAttachment",
                         "/RichMedia"})
# In the raw bytes, long names are looked for everywhere (inside streams too: seven letters do
# not turn up by chance in compressed data); short ones outside stream data only, where the
# file is text syntax and a match is never chance.
_RAW_ANYWHERE = frozenset(name[1:].encode() for name in (_PDF_KEYS | _PDF_VALUES)
                          if len(name) > 5)
_RAW_OUTSIDE_STREAMS = frozenset(name[1:].encode() for name in (_PDF_KEYS | _PDF_VALUES)
                                 if len(name) <= 5)
_RAW_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]{1,127})")
_RAW_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_START = re.compile(rb"(?<=[>\s])stream(?:\r\n|\n)")
_STREAM_END = re.compile(rb"endstream")
# Enough for the longest name (127 bytes) and a keyword to be seen whole across two chunks.
_RAW_TAIL = 256
# A PDF needs far fewer objects per byte; more is a file built to keep the checker busy.
_PDF_MAX_OBJECTS = 200_000


def _malformed_pdf(field: str | None) -> DomainError:
    return _refusal("upload.malformed_pdf",
                    "تعذّرت قراءة ملف PDF أو ليست فيه صفحات. احفظه من جديد بصيغة PDF ثم ارفعه.",
                    "The PDF cannot be read or has no pages. Save it again as a PDF and "
                    "upload it anew.", field=field)


def _unsafe_pdf(field: str | None) -> DomainError:
    return _refusal("upload.unsafe_pdf",
                    "ملف PDF يحتوي على برمجيات (JavaScript) أو إجراءات تشغيل أو ملفات مضمّنة، "
                    "وهذا غير مقبول. اطبعه إلى ملف PDF جديد أو امسحه ضوئيًا ثم ارفعه.",
                    "The PDF contains scripts (JavaScript), launch actions or embedded files, "
                    "which are not accepted. Print it to a new PDF, or scan it, and upload "
                    "that.", field=field)


def _pdf_check(content, field: str | None) -> None:
    """A PDF is stored as it came, so it must be plainly a document: readable, with pages, and
    with nothing that acts — in the raw bytes (objects a parser might skip) and in the parsed
    objects (compressed object streams hide names from the raw bytes)."""
    content.seek(0)
    if content.read(5) != b"%PDF-":
        raise _malformed_pdf(field)
    found = pdf_raw_forbidden(content)
    if found:
        logger.info("upload: PDF refused, raw bytes name /%s", found.decode("latin-1"))
        raise _unsafe_pdf(field)
    content.seek(0)
    try:
        reader = PdfReader(content, strict=False)
        if reader.is_encrypted and not _pdf_decrypt(reader):
            raise _refusal("upload.pdf_encrypted",
                           "ملف PDF محمي بكلمة مرور. احفظ نسخة دون كلمة مرور ثم ارفعها.",
                           "The PDF is protected by a password. Save a copy without a "
                           "password and upload that.", field=field)
        pages = len(reader.pages)
        found = pdf_objects_forbidden(reader)
    except DomainError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # any parser surprise is the uploader's damaged file, not a 500
        logger.info("upload: PDF refused by the parser: %s: %s", type(exc).__name__, exc)
        raise _malformed_pdf(field) from None
    if found:
        logger.info("upload: PDF refused, an object names %s", found)
        raise _unsafe_pdf(field)
    if pages < 1:
        raise _malformed_pdf(field)


def _pdf_decrypt(reader: PdfReader) -> bool:
    # Files restricted only by an owner password open with an empty user password.
    try:
        return bool(reader.decrypt(""))
    except Exception:  # an unsupported cipher is as closed to us as a password
        return False


def _raw_name(match: re.Match) -> bytes:
    return _RAW_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))


def pdf_raw_forbidden(content) -> bytes | None:
    """The first forbidden name found in the file's raw bytes (escapes like /J#53 decoded), or
    None. Reads in chunks, keeping only a short tail between them."""
    content.seek(0)
    buffer, position, inside_stream = b"", 0, False
    while True:
        chunk = content.read(CHUNK_BYTES)
        final = not chunk
        buffer += chunk
        limit = len(buffer) if final else len(buffer) - _RAW_TAIL
        while position < limit:
            boundary = (_STREAM_END if inside_stream else _STREAM_START).search(buffer, position)
            stop = boundary.start() if boundary is not None and boundary.start() < limit \
                else limit
            names = _RAW_ANYWHERE if inside_stream else _RAW_ANYWHERE | _RAW_OUTSIDE_STREAMS
            for match in _RAW_NAME.finditer(buffer, position):
                if match.start() >= stop:
                    break
                name = _raw_name(match)
                if name in names:
                    return name
            if stop == limit:
                position = limit
                break
            position, inside_stream = boundary.end(), not inside_stream
        if final:
            return None
        # Keep one byte before the unread part: the stream keyword is recognised by what
        # precedes it.
        keep = max(position - 1, 0)
        buffer, position = buffer[keep:], position - keep


def pdf_objects_forbidden(reader: PdfReader) -> str | None:
    """The first forbidden key or name value in any object reachable from the trailer (the
    catalog, its name trees, pages, annotations, actions), compressed or not; else None."""
    stack: list = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            reference = (item.idnum, item.generation)
            if reference in seen:
                continue
            seen.add(reference)
            item = item.get_object()
        visited += 1
        if visited > _PDF_MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(item, DictionaryObject):
            for key, value in dict.items(item):
                if key in _PDF_KEYS:
                    return str(key)
                if isinstance(value, NameObject) and value in _PDF_VALUES:
                    return f"{key} {value}"
                if isinstance(value, DictionaryObject | ArrayObject | IndirectObject):
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            for value in list.__iter__(item):
                if isinstance(value, NameObject) and value in _PDF_VALUES:
                    return str(value)
                if isinstance(value, DictionaryObject | ArrayObject | IndirectObject):
                    stack.append(value)
    return None


# --- The request's cap while it streams --------------------------------------------------


def _refusals(request) -> dict:
    refusals = getattr(request, "upload_refusals", None)
    if refusals is None:
        refusals = {}
        request.upload_refusals = refusals
    return refusals


def _streaming_too_large(field_name: str) -> DomainError:
    size_ar, size_en = (_size_text(upload_max_bytes(), language) for language in ("ar", "en"))
    return _refusal("upload.too_large", f"الملف أكبر من الحجم المسموح (بحد أقصى {size_ar}).",
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
