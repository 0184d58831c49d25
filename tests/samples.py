"""Files for upload tests, built here byte by byte: valid ones, disguised ones, polyglots.

Nothing is downloaded; pypdf writes the PDFs (or they are assembled by hand where pypdf cannot
write the structure, e.g. compressed object streams), Pillow draws the images.
"""

import io
import os
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- PDFs --------------------------------------------------------------------------------


def _write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf(*, pages: int = 1, content: bytes | None = None) -> bytes:
    """A plain PDF of blank pages; `content`, if given, is the first page's (uncompressed)
    drawing instructions."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if content is not None:
        stream = DecodedStreamObject()
        stream.set_data(content)
        writer.pages[0].replace_contents(stream)
    return _write(writer)


def pdf_with_javascript() -> bytes:
    """Document-level JavaScript (the catalog's /Names /JavaScript tree)."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_open_action(JavaScript("app.alert('hello');"))
    return _write(writer)


def pdf_with_embedded_file() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("invoice.exe", b"MZ\x90\x00payload")
    return _write(writer)


def pdf_with_file_attachment_annotation() -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/FileAttachment"),
        NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(20),
                                          FloatObject(20)]),
        NameObject("/FS"): DictionaryObject({
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject("note.txt")}),
    })
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _write(writer)


def pdf_with_launch_action() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/Launch"),
        NameObject("/F"): TextStringObject("cmd.exe")})
    return _write(writer)


def pdf_with_orphan_javascript() -> bytes:
    """A valid PDF with a JavaScript action appended where no reference leads: a parser
    following the document never meets it, a lenient viewer rebuilding the file might. The
    names are written with #-escapes, as PDF allows."""
    return pdf() + b"\n99 0 obj\n<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>\nendobj\n"


def pdf_compressed(*, catalog: bytes = b"", page: bytes = b"",
                   extra: tuple[bytes, ...] = ()) -> bytes:
    """A PDF 1.5 whose every object sits in a Flate-compressed object stream, indexed by an
    xref stream: names inside are invisible in the raw bytes. `catalog` and `page` are added to
    those dictionaries; `extra` are further objects numbered 4, 5, ..."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] " + page + b">>",
               *extra]
    index, body = [], b""
    for number, data in enumerate(objects, start=1):
        index.append(b"%d %d" % (number, len(body)))
        body += data + b"\n"
    header = b" ".join(index) + b"\n"
    packed = zlib.compress(header + body)
    stream_number, xref_number = len(objects) + 1, len(objects) + 2
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    stream_offset = out.tell()
    out.write(b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>"
              b"\nstream\n" % (stream_number, len(objects), len(header), len(packed)))
    out.write(packed + b"\nendstream\nendobj\n")
    xref_offset = out.tell()
    rows = [(0, 0, 65535)] + [(2, stream_number, i) for i in range(len(objects))] + [
        (1, stream_offset, 0), (1, xref_offset, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out.write(b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>"
              b"\nstream\n" % (xref_number, len(rows), len(table)))
    out.write(table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset)
    return out.getvalue()


def pdf_fake() -> bytes:
    """What main stored as a PDF: 45 bytes that only start like one."""
    return b"%PDF-1.4\nnot really a pdf document, only 45 \n"


def pdf_without_pages() -> bytes:
    return _write(PdfWriter())


# --- Images ------------------------------------------------------------------------------


def png(*, width: int = 40, height: int = 30, mode: str = "RGB", text: str | None = None
        ) -> bytes:
    from PIL import PngImagePlugin

    image = Image.new(mode, (width, height), "red" if mode != "P" else 1)
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if text is not None:
        info.add_text("Comment", text)
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def jpeg(*, width: int = 40, height: int = 30, exif_note: str | None = None,
         orientation: int = 1) -> bytes:
    """A JPEG; with `exif_note`, an EXIF description; `orientation` 6 means "turn it a quarter
    to the right to view it", as phone cameras write."""
    image = Image.new("RGB", (width, height), (10, 120, 200))
    out = io.BytesIO()
    options = {}
    if exif_note is not None or orientation != 1:
        exif = Image.Exif()
        if exif_note is not None:
            exif[0x010E] = exif_note  # ImageDescription
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    image.save(out, format="JPEG", quality=85, **options)
    return out.getvalue()


def png_truncated() -> bytes:
    data = png(width=200, height=200)
    return data[: len(data) // 2]


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims `width`×`height` (a decompression bomb's calling card);
    the header's checksum is fixed so only the size gives it away."""
    data = bytearray(png())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def zip_archive(**files: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def gif_javascript_polyglot() -> bytes:
    """A GIF whose header bytes open a JavaScript comment: an image and a script at once."""
    out = io.BytesIO()
    Image.new("P", (4, 4)).save(out, format="GIF")
    gif = out.getvalue()
    return gif[:6] + b"/*" + gif[8:] + b"*/=alert(document.domain);"


# --- Not documents -----------------------------------------------------------------------

EXECUTABLE = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44
              + b"\x80\x00\x00\x00" + b"This program cannot be run in DOS mode.\r\n$"
              + b"\x00" * 64)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b"<script>alert(1)</script></svg>\n")


# --- Request bodies ----------------------------------------------------------------------

BOUNDARY = "----amanah-test-boundary"


class Body(io.RawIOBase):
    """A multipart body of `total` bytes made on demand: `head`, filler, `tail`. It counts
    what is read and, at every read, looks at the upload temp folder."""

    def __init__(self, head: bytes, total: int, tail: bytes, watch=None):
        self.head, self.tail, self.total = head, tail, total
        self.read_bytes, self.watch = 0, watch
        self.largest_temp_file = 0

    def readable(self):
        return True

    def _bytes_at(self, start: int, size: int) -> bytes:
        out = bytearray()
        filler_end = self.total - len(self.tail)
        while len(out) < size:
            position = start + len(out)
            if position < len(self.head):
                out += self.head[position:position + size - len(out)]
            elif position < filler_end:
                out += b"0" * min(size - len(out), filler_end - position)
            else:
                offset = position - filler_end
                out += self.tail[offset:offset + size - len(out)]
        return bytes(out)

    def _take(self, size, *, line: bool) -> bytes:
        if self.watch is not None:
            for entry in os.scandir(self.watch):
                self.largest_temp_file = max(self.largest_temp_file, entry.stat().st_size)
        size = self.total - self.read_bytes if size is None or size < 0 else size
        data = self._bytes_at(self.read_bytes, min(size, self.total - self.read_bytes,
                                                   64 * 1024 if line else size))
        if line and b"\n" in data:
            data = data[:data.index(b"\n") + 1]
        self.read_bytes += len(data)
        return data

    def read(self, size=-1):
        return self._take(size, line=False)

    def readline(self, size=-1):
        # As a server's input stream does: a line at a time, without a byte-by-byte crawl.
        return self._take(size, line=True)


def multipart_body(*, fields_before: dict, file_bytes: int, fields_after: dict | None = None,
                   watch=None, file_field: str = "document") -> Body:
    """A form post with text fields, one file of `file_bytes` (a PDF header and filler), and
    text fields after it."""
    head = b""
    for name, value in fields_before.items():
        head += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                 f"{value}\r\n").encode()
    head += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{file_field}\"; "
             "filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n").encode()
    tail = b"\r\n"
    for name, value in (fields_after or {}).items():
        tail += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                 f"{value}\r\n").encode()
    tail += f"--{BOUNDARY}--\r\n".encode()
    total = len(head) - len(b"%PDF-1.7\n") + file_bytes + len(tail)
    return Body(head, total, tail, watch=watch)


def body_request(body: Body) -> dict:
    """Keyword arguments for the test client's or request factory's `generic("POST", path,
    ...)`: the body streams from `body` instead of being built in memory."""
    return {"data": b"-", "content_type": f"multipart/form-data; boundary={BOUNDARY}",
            "wsgi.input": body, "CONTENT_LENGTH": str(body.total)}
