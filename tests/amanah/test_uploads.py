"""The upload service: type by content, size while streaming, images re-encoded, unsafe PDFs
refused, safe names, SHA-256 of what is stored; and the request handler's streaming cap."""

import hashlib
import io
import os
import re

import pytest
from django.test import RequestFactory
from PIL import Image

from amanah.errors import DomainError
from amanah.uploads import (
    CASE_DOCUMENT_POLICY,
    CHUNK_BYTES,
    JPEG,
    PDF,
    PNG,
    WEBP,
    UploadPolicy,
    display_name_clean,
    download_name,
    pdf_raw_forbidden,
    upload_check,
    upload_refusal,
    upload_refusal_raise,
)
from tests import samples

MB = 1024 * 1024
ALLOWED_EN = "Allowed: PDF, PNG or JPEG, up to 10 MB."
ALLOWED_AR = "المسموح: PDF أو PNG أو JPEG، بحجم أقصاه ١٠ ميجابايت."


@pytest.fixture(autouse=True)
def upload_temp(settings, tmp_path):
    """Uploads spill to a folder of the test's own, so a test can see whether anything is left."""
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def _check(name: str, data: bytes, policy: UploadPolicy = CASE_DOCUMENT_POLICY,
           field: str = "document"):
    return upload_check(file=samples.upload(name, data), policy=policy, field=field)


def _refused(name: str, data: bytes, policy: UploadPolicy = CASE_DOCUMENT_POLICY,
             field: str = "document") -> DomainError:
    with pytest.raises(DomainError) as refused:
        _check(name, data, policy, field)
    return refused.value


def _stored(checked) -> bytes:
    checked.content.seek(0)
    return checked.content.read()


# --- Accepted ----------------------------------------------------------------------------


def test_a_valid_pdf_is_kept_byte_for_byte_with_its_sha256_and_a_random_name():
    # given a real one-page PDF
    data = samples.pdf()
    # when it is checked
    checked = _check("صك الملكية.pdf", data)
    # then the bytes to store are the ones sent, named by a random name of the detected type
    assert checked.content_type == PDF
    assert _stored(checked) == data
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", checked.stored_name)
    assert checked.display_name == "صك الملكية.pdf"


@pytest.mark.parametrize(("data", "content_type", "extension", "pillow_format"), [
    (samples.png(), PNG, "png", "PNG"),
    (samples.png(mode="P"), PNG, "png", "PNG"),
    (samples.png(mode="RGBA"), PNG, "png", "PNG"),
    (samples.jpeg(), JPEG, "jpg", "JPEG"),
])
def test_images_are_decoded_and_stored_re_encoded(data, content_type, extension,
                                                  pillow_format):
    # when a valid image is checked (under a name of another type)
    checked = _check("scan.pdf", data)
    # then what is stored is a fresh encoding of the same picture, hashed as stored
    stored = _stored(checked)
    assert checked.content_type == content_type
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{extension}", checked.stored_name)
    assert checked.size == len(stored)
    assert checked.sha256 == hashlib.sha256(stored).hexdigest()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == pillow_format
        assert image.size == (40, 30)


def test_image_metadata_is_not_stored():
    # given a JPEG with an EXIF description and a PNG with a text chunk carrying markup
    jpeg = samples.jpeg(exif_note="owner: 1012345672, GPS 26.28N")
    png = samples.png(text="<script>alert(1)</script>")
    assert b"1012345672" in jpeg and b"<script>" in png
    # when they are checked
    stored_jpeg, stored_png = _stored(_check("a.jpg", jpeg)), _stored(_check("b.png", png))
    # then neither the metadata nor the markup is in what is stored
    assert b"1012345672" not in stored_jpeg and b"Exif" not in stored_jpeg
    assert b"<script>" not in stored_png and b"tEXt" not in stored_png


def test_a_photo_is_stored_the_way_up_its_camera_said_then_without_the_note():
    # given a 40×30 photo whose EXIF says to view it turned a quarter
    data = samples.jpeg(width=40, height=30, orientation=6)
    # when it is checked
    stored = _stored(_check("phone.jpg", data))
    # then it is stored turned, 30×40, with no EXIF left to turn it again
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (30, 40)
        assert dict(image.getexif()) == {}


def test_a_jpeg_with_a_zip_and_html_appended_is_stored_without_them():
    # given a JPEG polyglot: a ZIP holding an HTML page appended after the image
    payload = samples.zip_archive(**{"index.html": b"<html><script>alert(1)</script></html>"})
    data = samples.jpeg() + payload
    # when it is checked
    checked = _check("photo.jpg", data)
    # then only the picture is kept
    stored = _stored(checked)
    assert b"PK\x03\x04" not in stored and b"<script>" not in stored
    assert len(stored) < len(data)
    assert checked.sha256 == hashlib.sha256(stored).hexdigest()


def test_webp_is_accepted_only_where_a_policy_allows_it():
    # given a WebP image
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "blue").save(out, format="WEBP")
    policy = UploadPolicy(content_types=frozenset({WEBP, JPEG}), max_bytes=MB,
                          label_ar="صورة", label_en="Photo")
    # then the case documents' policy refuses it and a policy naming it re-encodes it
    assert _refused("p.webp", out.getvalue()).code == "upload.type_not_allowed"
    checked = _check("p.webp", out.getvalue(), policy)
    assert checked.content_type == WEBP and checked.stored_name.endswith(".webp")
    with Image.open(io.BytesIO(_stored(checked))) as image:
        assert image.format == "WEBP" and image.size == (20, 10)


def test_a_compressed_pdf_is_read_through_its_object_streams():
    # given a PDF whose objects all sit in a compressed object stream
    data = samples.pdf_compressed()
    # then it is accepted as it is
    assert _stored(_check("c.pdf", data)) == data


def test_names_drawn_as_text_on_a_page_do_not_make_a_pdf_unsafe():
    # given a page whose (uncompressed) drawing instructions show the text "/JS /XFA /EF"
    data = samples.pdf(content=b"BT /F1 12 Tf 10 10 Td (/JS /XFA /EF) Tj ET")
    assert b"/JS" in data
    # then the PDF is accepted: only the document's own objects can act
    assert _check("text.pdf", data).content_type == PDF


# --- Refused -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data"), [
    ("evil.pdf", samples.EXECUTABLE),
    ("invoice.pdf", samples.HTML),
    ("page.html", samples.HTML),
    ("drawing.svg", samples.SVG),
    ("logo.png", samples.SVG),
    ("archive.pdf", samples.zip_archive(**{"a.pdf": samples.pdf()})),
    ("notes.txt", b"plain text that claims nothing\n"),
])
def test_files_disguised_by_name_are_refused_by_their_content(name, data):
    refusal = _refused(name, data)
    assert refusal.code == "upload.type_not_allowed"
    assert refusal.field == "document"
    assert refusal.status == 400
    assert refusal.message_en == ("This type of file is not accepted (the type is read from "
                                  f"the file's content, not its name). {ALLOWED_EN}")
    assert refusal.message_ar.endswith(ALLOWED_AR)


def test_a_gif_that_is_also_javascript_is_refused():
    # given a file that is a GIF image and a script at once
    data = samples.gif_javascript_polyglot()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "GIF"
    # then it is refused: GIF is not a type any policy may allow
    assert _refused("cat.png", data).code == "upload.type_not_allowed"


def test_an_empty_file_is_refused_saying_what_is_allowed():
    refusal = _refused("deed.pdf", b"", field="attachment")
    assert (refusal.code, refusal.field) == ("upload.empty", "attachment")
    assert refusal.message_en == f"The file is empty. {ALLOWED_EN}"
    assert refusal.message_ar == f"الملف فارغ. {ALLOWED_AR}"


class _Endless(io.RawIOBase):
    """A file that never ends and counts what was read from it."""

    def __init__(self, head: bytes):
        self.head, self.read_bytes = head, 0

    def readable(self):
        return True

    def read(self, size=-1):
        size = 64 * 1024 if size is None or size < 0 else size
        chunk = (self.head[self.read_bytes:self.read_bytes + size]
                 or b"0" * size)[:size]
        self.read_bytes += len(chunk)
        return chunk


def test_an_oversized_file_is_refused_without_reading_far_past_the_limit():
    # given a file with no end, and a policy of 1 MB
    endless = _Endless(b"%PDF-1.7\n")
    policy = UploadPolicy(content_types=frozenset({PDF}), max_bytes=MB, label_ar="ملف",
                          label_en="File")
    # when it is checked
    with pytest.raises(DomainError) as refused:
        upload_check(file=endless, policy=policy, field="document")
    # then it is refused as too large after at most one chunk past the limit
    assert refused.value.code == "upload.too_large"
    assert refused.value.status == 413
    assert refused.value.message_en == "The file is too large. Allowed: PDF, up to 1 MB."
    assert MB < endless.read_bytes <= MB + 64 * 1024


class _Declared:
    """An uploaded file whose size the upload handlers measured; reading it fails the test."""

    name, size = "big.pdf", 10 * MB + 1

    def chunks(self, chunk_size=None):
        raise AssertionError("a file known to be too large was read")


def test_a_file_whose_size_is_known_to_be_over_the_limit_is_not_read_at_all():
    with pytest.raises(DomainError) as refused:
        upload_check(file=_Declared(), policy=CASE_DOCUMENT_POLICY, field="document")
    assert refused.value.code == "upload.too_large"


def test_the_portal_cap_lowers_every_policy_and_its_message(settings):
    # given a portal-wide cap of 2 MB under the case documents' 10 MB
    settings.UPLOAD_MAX_BYTES = 2 * MB
    # then a 3 MB PDF is too large and the message says 2 MB
    refusal = _refused("big.pdf", b"%PDF-1.7\n" + b"0" * (3 * MB))
    assert refusal.code == "upload.too_large"
    assert refusal.message_en.endswith("Allowed: PDF, PNG or JPEG, up to 2 MB.")
    assert refusal.message_ar.endswith("بحجم أقصاه ٢ ميجابايت.")


def test_the_45_byte_file_that_only_starts_like_a_pdf_is_refused():
    data = samples.pdf_fake()
    assert len(data) == 45
    refusal = _refused("deed.pdf", data)
    assert refusal.code == "upload.malformed_pdf"
    assert refusal.message_en == ("The PDF cannot be read or has no pages. Save it again as a "
                                  "PDF and upload it anew.")


def test_a_pdf_without_pages_is_refused():
    assert _refused("empty.pdf", samples.pdf_without_pages()).code == "upload.malformed_pdf"


_JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"


@pytest.mark.parametrize("data", [
    pytest.param(samples.pdf_with_javascript(), id="document-javascript"),
    pytest.param(samples.pdf_with_launch_action(), id="launch-action"),
    pytest.param(samples.pdf_with_embedded_file(), id="embedded-file"),
    pytest.param(samples.pdf_with_file_attachment_annotation(), id="file-attachment-annotation"),
    # seen only in the raw bytes: no reference leads to it, its names are #-escaped
    pytest.param(samples.pdf_with_orphan_javascript(), id="orphan-javascript"),
    # seen only by parsing: every name is inside a compressed object stream
    pytest.param(samples.pdf_compressed(catalog=b"/OpenAction 4 0 R", extra=(_JS_ACTION,)),
                 id="compressed-open-action-javascript"),
    pytest.param(samples.pdf_compressed(page=b"/AA << /O 4 0 R >>", extra=(
        b"<< /S /Launch /F (cmd.exe) >>",)), id="compressed-page-launch"),
    pytest.param(samples.pdf_compressed(catalog=b"/Names << /EmbeddedFiles 4 0 R >>", extra=(
        b"<< /Names [(a.exe) 5 0 R] >>", b"<< /Type /Filespec /F (a.exe) /EF << >> >>")),
        id="compressed-embedded-files"),
    pytest.param(samples.pdf_compressed(page=b"/Annots [4 0 R]", extra=(
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] >>",)),
        id="compressed-file-attachment"),
])
def test_pdfs_that_act_or_carry_files_are_refused(data):
    refusal = _refused("report.pdf", data)
    assert refusal.code == "upload.unsafe_pdf"
    assert refusal.field == "document"
    assert "JavaScript" in refusal.message_en and "JavaScript" in refusal.message_ar


def test_compressed_javascript_is_not_visible_in_the_raw_bytes():
    # the compressed samples above prove the parsed check, not the raw scan, refuses them
    data = samples.pdf_compressed(catalog=b"/OpenAction 4 0 R", extra=(_JS_ACTION,))
    assert b"JavaScript" not in data and b"/JS" not in data


# Around the end of the first chunk, and around the point up to which it is scanned before
# the next chunk is read (a tail is kept for names and keywords that run on).
@pytest.mark.parametrize("shift", [*range(-272, -236), *range(-14, 3)])
def test_the_raw_scan_sees_names_and_stream_ends_across_its_reading_chunks(shift):
    # given a name, then a stream and a short name after it, placed where the raw bytes are
    # read and scanned in pieces
    def at_boundary(text: bytes) -> bytes:
        filler = CHUNK_BYTES + shift - len(b"%PDF-1.7\n%") - 1
        return b"%PDF-1.7\n%" + b"x" * filler + b"\n" + text

    long_name = at_boundary(b"/Java#53cript (x)\n")
    after_stream = at_boundary(b"<< /Length 3 >>\nstream\n/JS\nendstream\n/JS (x)\n")
    inside_stream = at_boundary(b"<< /Length 3 >>\nstream\n/JS /XFA\nendstream\n")
    # then the scan finds the names outside stream data, and not the short ones inside it
    assert pdf_raw_forbidden(io.BytesIO(long_name)) == b"JavaScript"
    assert pdf_raw_forbidden(io.BytesIO(after_stream)) == b"JS"
    assert pdf_raw_forbidden(io.BytesIO(inside_stream)) is None


def test_a_truncated_png_is_refused_as_malformed():
    refusal = _refused("scan.png", samples.png_truncated())
    assert refusal.code == "upload.malformed_image"
    assert refusal.message_ar.startswith("تعذّرت قراءة الصورة")


def test_a_png_with_a_damaged_checksum_is_refused():
    data = bytearray(samples.png())
    data[33 + 8 + 4] ^= 0xFF  # a byte of the first chunk after the header: its CRC no longer fits
    assert _refused("scan.png", bytes(data)).code == "upload.malformed_image"


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (8_000, 6_000)])
def test_an_image_claiming_too_many_pixels_is_refused_before_it_is_decoded(width, height):
    # given a small PNG whose header claims 400 or 48 megapixels (over the 40 allowed)
    refusal = _refused("bomb.png", samples.png_claiming(width, height))
    # then it is refused for its size, without decoding it
    assert refusal.code == "upload.image_too_large"
    assert refusal.message_en == ("The image has too many pixels (at most 40 megapixels). "
                                  "Make it smaller and upload it again.")


def test_a_policy_with_fewer_types_refuses_the_others():
    policy = UploadPolicy(content_types=frozenset({PDF}), max_bytes=MB, label_ar="تقرير",
                          label_en="Report")
    refusal = _refused("photo.png", samples.png(), policy)
    assert refusal.code == "upload.type_not_allowed"
    assert refusal.message_en.endswith("Allowed: PDF, up to 1 MB.")


def test_a_policy_names_only_known_types():
    with pytest.raises(ValueError, match="unknown types"):
        UploadPolicy(content_types=frozenset({"image/gif"}), max_bytes=MB, label_ar="صورة",
                     label_en="Image")


def test_the_case_document_policy_describes_itself_in_both_languages():
    assert CASE_DOCUMENT_POLICY.describe("en") == "Case documents: PDF, PNG or JPEG, up to 10 MB."
    assert CASE_DOCUMENT_POLICY.describe("ar") == (
        "مستندات المعاملة: PDF أو PNG أو JPEG، بحجم أقصاه ١٠ ميجابايت.")
    assert CASE_DOCUMENT_POLICY.accept == (
        ".pdf,application/pdf,.png,image/png,.jpg,.jpeg,image/jpeg")


def test_a_refusal_leaves_nothing_in_the_temp_folder(settings, upload_temp):
    # given uploads big enough to spill from memory to a temporary file
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    data = samples.pdf_with_javascript() + b"\n%" + b"0" * 8192 + b"\n"
    # when one is refused and one accepted and closed
    assert _refused("js.pdf", data).code == "upload.unsafe_pdf"
    checked = _check("scan.png", samples.png(width=400, height=300))
    checked.close()
    # then the folder is empty
    assert os.listdir(upload_temp) == []


# --- Names -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "display"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\Desktop\\صك.pdf", "صك.pdf"),
    ("invoice\u202egpj.exe", "invoicegpj.exe"),
    ("deed\u2066.pdf\u2069", "deed.pdf"),
    ("line\nbreak\x00.pdf", "linebreak.pdf"),
    ("   ...hidden.pdf  ", "hidden.pdf"),
    ("", "document"),
    ("../", "document"),
    ("ﻣﺨﻄﻂ.pdf", "مخطط.pdf"),
    ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
])
def test_the_uploaders_name_is_kept_only_cleaned_for_display(name, display):
    assert display_name_clean(name) == display


@pytest.mark.parametrize(("display", "content_type", "expected"), [
    ("evil.pdf", JPEG, "evil.jpg"),
    ("x.html", PNG, "x.png"),
    ("report.final.pdf", PDF, "report.final.pdf"),
    ("document", PDF, "document.pdf"),
    ("legacy.html", "text/html", "legacy.html"),
])
def test_a_document_downloads_under_the_extension_of_its_content(display, content_type,
                                                                 expected):
    assert download_name(display, content_type) == expected


# --- The streaming cap -------------------------------------------------------------------

def _post(body: samples.Body):
    return RequestFactory().generic("POST", "/upload/", **samples.body_request(body))


def test_a_body_far_over_the_cap_is_stopped_at_its_file_unread(upload_temp):
    # given a 1 GB post: a field, then a file
    body = samples.multipart_body(fields_before={"op": "attachment"}, file_bytes=1024 * MB,
                          watch=upload_temp)
    request = _post(body)
    # when the request's data is read
    post, files = request.POST, request.FILES
    # then the field before the file is there, the file is not, and the refusal is marked
    assert post.get("op") == "attachment"
    assert list(files) == []
    refusal = upload_refusal(request)
    assert (refusal.code, refusal.field, refusal.status) == ("upload.too_large", "document", 413)
    assert refusal.message_en == "The file is too large (at most 10 MB)."
    assert refusal.message_ar == "الملف أكبر من الحجم المسموح (بحد أقصى ١٠ ميجابايت)."
    # and hardly any of the body was read, nothing reached the temp folder
    assert body.read_bytes < 256 * 1024
    assert body.largest_temp_file == 0
    assert os.listdir(upload_temp) == []


def test_a_body_a_little_over_the_cap_is_read_to_its_end_and_dropped(settings, upload_temp):
    # given a cap of 1 MB and a 3 MB post (within the part read to the end for the browser)
    settings.UPLOAD_MAX_BYTES = MB
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    body = samples.multipart_body(fields_before={"op": "attachment"}, file_bytes=3 * MB,
                          watch=upload_temp)
    request = _post(body)
    # when the request's data is read
    assert list(request.FILES) == []
    # then all of it was read, none of the file kept anywhere
    assert body.read_bytes == body.total
    assert body.largest_temp_file == 0
    assert os.listdir(upload_temp) == []
    assert upload_refusal(request, "document").code == "upload.too_large"


def test_a_file_that_grows_past_the_cap_while_streaming_is_dropped_at_the_cap(settings,
                                                                           upload_temp):
    # given a cap of 1 MB, a post whose length is within the envelope allowance but whose
    # file is 1 MB + 10 KB, and uploads that go to temporary files past 64 KB
    settings.UPLOAD_MAX_BYTES = MB
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    body = samples.multipart_body(fields_before={"op": "attachment"}, file_bytes=MB + 10 * 1024,
                          fields_after={"is_internal": "on"}, watch=upload_temp)
    request = _post(body)
    # when the request's data is read
    post, files = request.POST, request.FILES
    # then the file is dropped, the fields after it are still read
    assert list(files) == []
    assert post.get("is_internal") == "on"
    assert upload_refusal(request).code == "upload.too_large"
    # and the temporary file never grew past the cap, and is gone
    assert 0 < body.largest_temp_file <= MB
    assert os.listdir(upload_temp) == []


def test_a_file_within_the_cap_passes_the_handler(upload_temp):
    body = samples.multipart_body(fields_before={"op": "attachment"}, file_bytes=100 * 1024)
    request = _post(body)
    assert request.FILES["document"].size == 100 * 1024
    assert upload_refusal(request) is None
    upload_refusal_raise(request)  # nothing to raise


def test_the_refusal_is_raised_for_views_to_answer_like_any_other(upload_temp):
    body = samples.multipart_body(fields_before={"op": "attachment"}, file_bytes=64 * MB)
    request = _post(body)
    with pytest.raises(DomainError) as refused:
        upload_refusal_raise(request)
    assert refused.value.code == "upload.too_large"
