"""The permit certificate PDF: one A4 page that prints the permit's facts in Arabic and English,
both calendars, and a QR code holding the verification address; nothing fetched from outside."""

import dataclasses
import datetime as dt
import io
import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
import segno
from pypdf import PdfReader

from permits.certificates import (
    CertificateContent,
    CertificateParcel,
    CertificateRow,
    certificate_html,
    certificate_pdf_render,
)

VERIFY_URL = "http://127.0.0.1:8000/ar/permits/verify/Qm4Zt8Lx2Vb7Nc1Hs5Kd9Rw3Py6Ja0Ge"
LONG_NAME_AR = "عبدالرحمن بن عبدالعزيز بن محمد بن عبدالله آل عبداللطيف القحطاني"
LONG_NAME_EN = "Abdulrahman bin Abdulaziz bin Mohammed bin Abdullah Al Abdullatif Al-Qahtani"
TWELVE_ROWS = (
    CertificateRow("نوع البناء", "Building type", "سكني — فيلا", "Residential — villa"),
    CertificateRow("عدد الأدوار", "Floors", "دوران وملحق علوي", "2 floors and a roof annex"),
    CertificateRow("مساحة البناء الإجمالية", "Total built area", "612.40 متر مربع", "612.40 m²"),
    CertificateRow("نسبة التغطية", "Coverage", "58٪", "58%"),
    CertificateRow("الارتداد الأمامي", "Front setback", "5 أمتار", "5 m"),
    CertificateRow("الارتداد الجانبي", "Side setbacks", "2 متر من كل جانب", "2 m each side"),
    CertificateRow("الارتداد الخلفي", "Rear setback", "2 متر", "2 m"),
    CertificateRow("ارتفاع المبنى", "Building height", "11.5 متر", "11.5 m"),
    CertificateRow("مواقف السيارات", "Parking spaces", "3 مواقف داخل القطعة", "3 on the parcel"),
    CertificateRow("عرض الشارع", "Street width", "20 متراً (شمالي)", "20 m (north)"),
    CertificateRow("المكتب الهندسي المصمم", "Design office",
                   "مكتب الخبرة المتقدمة للاستشارات الهندسية والتصميم المعماري",
                   "Advanced Expertise Engineering Consultants and Architectural Design Office"),
    CertificateRow("المكتب الهندسي المشرف", "Supervising office",
                   "مكتب الإتقان للاستشارات الهندسية", "Al-Itqan Engineering Consultants"),
)


def _content(**changes) -> CertificateContent:
    content = CertificateContent(
        kind_name_ar="رخصة بناء", kind_name_en="Building permit", number="BP-1448-000123",
        amanah_name_ar="أمانة المنطقة الشرقية", amanah_name_en="Eastern Province Amanah",
        municipality_name_ar="بلدية محافظة الخبر", municipality_name_en="Al Khobar Municipality",
        holder_name_ar="سارة بنت علي القحطاني", holder_name_en="Sarah Ali Al-Qahtani",
        holder_id="1000000008", holder_is_establishment=False,
        parcel=CertificateParcel(deed_number="310112045678", plan_number="2/ص/1425",
                                 parcel_number="417", district_ar="حي العقربية",
                                 district_en="Al Aqrabiyah", area_m2=Decimal("875.50")),
        details=TWELVE_ROWS[:3], issued_on=dt.date(2026, 12, 3),
        valid_until=dt.date(2029, 12, 2), status_ar="سارية", status_en="Valid", version=1,
        verify_url=VERIFY_URL)
    return dataclasses.replace(content, **changes)


def _pdf(content: CertificateContent) -> PdfReader:
    return PdfReader(io.BytesIO(certificate_pdf_render(content)))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _qr_matrix_from_svg(data_uri: str, border: int) -> list[list[int]]:
    """The dark modules segno's SVG path draws: 'M x y' / 'm dx dy' move, 'h n' paints n
    modules of the row at y (the path runs along the middle of each row)."""
    svg = unquote(data_uri.split(",", 1)[1])
    size = int(re.search(r"width='(\d+)'", svg).group(1)) // 4  # scale(4)
    path = re.search(r" d='([^']+)'", svg).group(1)
    grid = [[0] * size for _ in range(size)]
    x = y = 0.0
    for command, args in re.findall(r"([MmHh])([^MmHh]*)", path):
        numbers = [float(n) for n in args.split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            for column in range(int(x), int(x + numbers[0])):
                grid[int(y)][column] = 1
            x += numbers[0]
    return [row[border:size - border] for row in grid[border:size - border]]


def test_pdf_prints_number_holder_both_calendars_and_verification_address():
    # given a building permit issued on 3 December 2026 (23 Jumada al-Akhirah 1448), valid
    # until 2 December 2029 (26 Rajab 1451)
    content = _content()
    # when its certificate is rendered and its text extracted
    reader = _pdf(content)
    text = _text(reader)
    # then it is one page carrying the number, the holder, the parcel and the address
    assert len(reader.pages) == 1
    for fact in ("BP-1448-000123", "Building permit", "رخصة بناء", "Sarah Ali Al-Qahtani",
                 "سارة بنت علي القحطاني", "1000000008", "310112045678", "417",
                 "Al Aqrabiyah", "Eastern Province Amanah", "Al Khobar Municipality",
                 "875.50 m²", VERIFY_URL):
        assert fact in text, fact
    # and both dates in Hijri and Gregorian, in English and in Arabic (the PDF's text layer
    # gives Arabic runs in visual order, so the Arabic month names stand for the dates)
    for english in ("23 Jumada al-Akhirah 1448 AH", "3 December 2026",
                    "26 Rajab 1451 AH", "2 December 2029"):
        assert english in text, english
    for arabic in ("جمادى الآخرة", "ديسمبر", "رجب", "1448", "1451", "2026", "2029"):
        assert arabic in text, arabic
    # and the Arabic dates are printed whole in the page it was made from
    html = certificate_html(content)
    for arabic in ("23 جمادى الآخرة 1448 هـ", "3 ديسمبر 2026 م",
                   "26 رجب 1451 هـ", "2 ديسمبر 2029 م"):
        assert arabic in html, arabic
    # and a first certificate says nothing about replacing a lost one
    assert "بدل فاقد" not in text and "Replacement of a lost certificate" not in text


def test_qr_code_encodes_the_verification_address():
    # given a certificate's page
    html = certificate_html(_content())
    data_uri = re.search(r'<img src="(data:image/svg\+xml[^"]+)"', html).group(1)
    # when the QR code's modules are read back from its SVG
    printed = _qr_matrix_from_svg(data_uri, border=2)
    # then they are exactly the modules of a QR code of the verification address
    expected = [list(row) for row in segno.make(VERIFY_URL, error="m").matrix]
    assert printed == expected
    assert printed != [list(row) for row in
                       segno.make(VERIFY_URL[:-1] + "X", error="m").matrix]


def test_replacement_of_a_lost_certificate_says_so_with_its_date():
    # given the certificate issued on 15 March 2027 (7 Shawwal 1448) to replace a lost one
    content = _content(lost_replacement_on=dt.date(2027, 3, 15), version=2)
    # when it is rendered
    text = _text(_pdf(content))
    # then it says it replaces a lost certificate, when, in both languages
    assert "Replacement of a lost certificate — issued on 7 Shawwal 1448 AH (15 March 2027)" \
        in text
    assert "بدل فاقد" in text
    assert ("صدرت هذه الشهادة بدلاً من شهادة مفقودة بتاريخ 7 شوال 1448 هـ الموافق "
            "15 مارس 2027 م") in certificate_html(content)


def test_twelve_detail_rows_and_a_long_name_fit_on_one_page():
    # given the longest certificate the seeded types make: a long holder name, a replacement
    # band and twelve approved details, two of them office names that wrap
    content = _content(holder_name_ar=LONG_NAME_AR, holder_name_en=LONG_NAME_EN,
                       details=TWELVE_ROWS, lost_replacement_on=dt.date(2027, 3, 15))
    # when it is rendered
    reader = _pdf(content)
    text = _text(reader)
    # then everything is on the one page, the last row and the address included
    assert len(reader.pages) == 1
    for row in TWELVE_ROWS:
        assert row.label_en in text, row.label_en
    assert "Al-Itqan Engineering Consultants" in text
    assert VERIFY_URL in text


def test_an_establishment_holder_shows_its_unified_number():
    # given a permit held by an establishment
    content = _content(holder_name_ar="شركة البناء المتقن", holder_name_en="Al-Mutqan Building Co.",
                       holder_id="7001234567", holder_is_establishment=True)
    # when it is rendered
    text = _text(_pdf(content))
    # then its ID is labelled as a unified number, not a national ID
    assert "Unified number" in text and "الرقم الموحد" in text
    assert "7001234567" in text
    assert "ID number" not in text


def test_licence_wording_replaces_permit_wording():
    # given a licence's certificate (the licences part prints the same page)
    content = _content(kind_name_ar="رخصة نشاط تجاري", kind_name_en="Commercial licence",
                       document_noun_ar="الترخيص", document_noun_en="Licence")
    # when it is rendered
    text = _text(_pdf(content))
    # then it speaks of a licence
    assert "Licence number" in text and "Licence holder" in text
    assert "Permit number" not in text and "Permit holder" not in text


def test_printed_values_are_escaped():
    # given a holder name carrying markup
    content = _content(holder_name_en='<img src="http://attacker.invalid/x.png">')
    # when the page is built
    html = certificate_html(content)
    # then the markup is text, not an element
    assert "&lt;img src=&quot;http://attacker.invalid/x.png&quot;&gt;" in html
    assert 'src="http://attacker.invalid' not in html


def test_nothing_is_fetched_from_the_network():
    from django.conf import settings
    from weasyprint import HTML, default_url_fetcher

    # given a certificate's page, rendered with a fetcher that records every address asked for
    fetched = []

    def recording_fetcher(url, *args, **kwargs):
        fetched.append(url)
        return default_url_fetcher(url, *args, **kwargs)

    html = certificate_html(_content(details=TWELVE_ROWS))
    # when WeasyPrint renders it
    HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=recording_fetcher).write_pdf()
    # then only the portal's own font files and the inline QR code were read
    assert sorted({url.split(":", 1)[0] for url in fetched}) == ["data", "file"]
    files = sorted(url.rsplit("/", 1)[1] for url in fetched if url.startswith("file:"))
    assert files == ["NotoSansArabic-Bold.ttf", "NotoSansArabic-Regular.ttf"]


@pytest.mark.parametrize(("area", "printed"), [
    (Decimal("875.50"), "875.50 m²"),
    (Decimal("1200"), "1,200 m²"),
    (Decimal("1200.00"), "1,200 m²"),
])
def test_area_prints_whole_metres_without_decimals(area, printed):
    parcel = dataclasses.replace(_content().parcel, area_m2=area)
    assert printed in certificate_html(_content(parcel=parcel))
