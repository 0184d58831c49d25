"""PDFs are stored as they came, so a PDF must plainly be a document: readable, with pages,
and with nothing that acts (scripts, launch actions, embedded files, rich media, XFA forms)."""

import logging
import re

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from ..errors import DomainError
from .policy import CHUNK_BYTES, refusal

logger = logging.getLogger("amanah.uploads")  # one logger name for the whole service

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
    return refusal("upload.malformed_pdf",
                   "تعذّرت قراءة ملف PDF أو ليست فيه صفحات. احفظه من جديد بصيغة PDF ثم ارفعه.",
                   "The PDF cannot be read or has no pages. Save it again as a PDF and "
                   "upload it anew.", field=field)


def _unsafe_pdf(field: str | None) -> DomainError:
    return refusal("upload.unsafe_pdf",
                   "ملف PDF يحتوي على برمجيات (JavaScript) أو إجراءات تشغيل أو ملفات مضمّنة، "
                   "وهذا غير مقبول. اطبعه إلى ملف PDF جديد أو امسحه ضوئيًا ثم ارفعه.",
                   "The PDF contains scripts (JavaScript), launch actions or embedded files, "
                   "which are not accepted. Print it to a new PDF, or scan it, and upload "
                   "that.", field=field)


def pdf_check(content, field: str | None) -> None:
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
            raise refusal("upload.pdf_encrypted",
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
