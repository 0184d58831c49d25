"""What an upload may be: the known types, the portal-wide cap, a document kind's policy, the
file that passed it, and the bilingual refusals that say what is allowed."""

from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.core.files import File

from ..errors import DomainError

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


ARABIC_DIGITS = str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫")


def size_text(size: int, language: str) -> str:
    megabytes = size / (1024 * 1024)
    number = f"{megabytes:.0f}" if megabytes >= 10 or megabytes == int(megabytes) \
        else f"{megabytes:.1f}"
    if language == "ar":
        return f"{number.translate(ARABIC_DIGITS)} ميجابايت"
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
        size = size_text(self.effective_max_bytes, language)
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


# --- Refusals ---------------------------------------------------------------------------


def refusal(code: str, ar: str, en: str, *, field: str | None, status: int = 400
            ) -> DomainError:
    return DomainError(code, ar, en, field=field, status=status)


def not_accepted(code: str, ar: str, en: str, policy: UploadPolicy, field: str | None,
                 status: int = 400) -> DomainError:
    return refusal(code, f"{ar} المسموح: {policy.allowed('ar')}.",
                   f"{en} Allowed: {policy.allowed('en')}.", field=field, status=status)


def too_large(policy: UploadPolicy, field: str | None) -> DomainError:
    return not_accepted("upload.too_large", "الملف أكبر من الحجم المسموح.",
                        "The file is too large.", policy, field, status=413)
