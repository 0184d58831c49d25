"""Permit certificates: the portal making a certificate's PDF from its printed content against
bare WeasyPrint rendering the same HTML, interleaved round by round. Time ratio portal/bare,
target ≤ 1.5.

    python -m bench permits_certificate                          # 5 certificates a round, 3 rounds
    python -m bench permits_certificate --certificates 20 --rounds 5       # the full size

Needs DATABASE_URL (PostgreSQL) only because every benchmark starts Django the same way
(`bench/_harness.py`); nothing is read from or written to the database.
Set-up, not timed: `CertificateContent`s of varied sizes — holder names short and long, persons
and establishments, 0 to 12 approved details, some replacing a lost certificate — different
ones each round; both sides render the same contents in a round.

- **Portal**: `permits.certificates.certificate_pdf_render(content)` for each content of the
  round, which is what making a certificate costs: building the page from the content (dates in
  both calendars, the area, the QR code's SVG, the template) and WeasyPrint.
- **Bare**: `weasyprint.HTML(string=html, base_url=BASE_DIR).write_pdf()` on the HTML the portal
  builds for the same contents, built before the timing — so the floor is WeasyPrint alone on
  the same page (same template, fonts, stylesheet and base URL), and the ratio is what the
  portal adds to it.

Both are warmed once before the rounds (fonts, first layout). Each round gives the ratio of the
mean seconds per PDF. Then a check: every PDF the portal made is one page; if not, the exit is 1.
"""

import argparse
import datetime as dt
import io
import logging
import os
import sys
import time
from decimal import Decimal

from bench._harness import django_setup, interleaved

TARGET = 1.5

_HOLDERS = [
    ("سارة بنت علي القحطاني", "Sarah Ali Al-Qahtani", "1000000008", False),
    ("عبدالرحمن بن عبدالعزيز بن محمد بن عبدالله آل عبداللطيف القحطاني",
     "Abdulrahman bin Abdulaziz bin Mohammed bin Abdullah Al Abdullatif Al-Qahtani",
     "1000000016", False),
    ("شركة البناء المتقن للمقاولات العامة", "Al-Mutqan General Contracting Company",
     "7001234567", True),
    ("محمد صالح الدوسري", "Mohammed Saleh Al-Dosari", "2000000007", False),
]
_DETAILS = [
    ("نوع البناء", "Building type", "سكني — فيلا", "Residential — villa"),
    ("عدد الأدوار", "Floors", "دوران وملحق علوي", "2 floors and a roof annex"),
    ("مساحة البناء الإجمالية", "Total built area", "612.40 متر مربع", "612.40 m²"),
    ("نسبة التغطية", "Coverage", "58٪", "58%"),
    ("الارتداد الأمامي", "Front setback", "5 أمتار", "5 m"),
    ("الارتداد الجانبي", "Side setbacks", "2 متر من كل جانب", "2 m each side"),
    ("الارتداد الخلفي", "Rear setback", "2 متر", "2 m"),
    ("ارتفاع المبنى", "Building height", "11.5 متر", "11.5 m"),
    ("مواقف السيارات", "Parking spaces", "3 مواقف داخل القطعة", "3 on the parcel"),
    ("عرض الشارع", "Street width", "20 متراً (شمالي)", "20 m (north)"),
    ("المكتب الهندسي المصمم", "Design office",
     "مكتب الخبرة المتقدمة للاستشارات الهندسية والتصميم المعماري",
     "Advanced Expertise Engineering Consultants and Architectural Design Office"),
    ("المكتب الهندسي المشرف", "Supervising office", "مكتب الإتقان للاستشارات الهندسية",
     "Al-Itqan Engineering Consultants"),
]


def _contents(count: int, offset: int) -> list:
    """`count` certificates, the n-th (from `offset`) with its own number, holder, size."""
    from permits.certificates import CertificateContent, CertificateParcel, CertificateRow

    contents = []
    for n in range(offset, offset + count):
        name_ar, name_en, holder_id, is_establishment = _HOLDERS[n % len(_HOLDERS)]
        issued = dt.date(2026, 1, 1) + dt.timedelta(days=37 * n % 700)
        contents.append(CertificateContent(
            kind_name_ar="رخصة بناء", kind_name_en="Building permit",
            number=f"BP-1448-{n + 1:06d}",
            amanah_name_ar="أمانة المنطقة الشرقية", amanah_name_en="Eastern Province Amanah",
            municipality_name_ar="بلدية محافظة الخبر",
            municipality_name_en="Al Khobar Municipality",
            holder_name_ar=name_ar, holder_name_en=name_en, holder_id=holder_id,
            holder_is_establishment=is_establishment,
            parcel=CertificateParcel(deed_number=f"3101{n:08d}", plan_number="2/ص/1425",
                                     parcel_number=str(100 + n), district_ar="حي العقربية",
                                     district_en="Al Aqrabiyah",
                                     area_m2=Decimal(600 + n * 7) / 2),
            details=tuple(CertificateRow(*row) for row in _DETAILS[:n % (len(_DETAILS) + 1)]),
            issued_on=issued, valid_until=issued + dt.timedelta(days=3 * 365),
            status_ar="سارية", status_en="Valid", version=1 + n % 3,
            verify_url=f"http://127.0.0.1:8000/ar/permits/verify/bench{n:027d}",
            lost_replacement_on=issued + dt.timedelta(days=90) if n % 5 == 4 else None))
    return contents


def _portal(contents: list, made: list[bytes]) -> float:
    """Mean seconds per PDF made by the portal from the content."""
    from permits.certificates import certificate_pdf_render

    started = time.perf_counter()
    for content in contents:
        made.append(certificate_pdf_render(content))
    return (time.perf_counter() - started) / len(contents)


def _bare(pages: list[str]) -> float:
    """Mean seconds per PDF rendered by WeasyPrint alone from the same HTML."""
    from django.conf import settings
    from weasyprint import HTML

    base_url = str(settings.BASE_DIR)
    started = time.perf_counter()
    for html in pages:
        HTML(string=html, base_url=base_url).write_pdf()
    return (time.perf_counter() - started) / len(pages)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench permits_certificate")
    parser.add_argument("--certificates", type=int, default=5, help="PDFs per round and side")
    parser.add_argument("--rounds", type=int, default=3)
    options, _ = parser.parse_known_args(argv)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django_setup()
    # WeasyPrint turns fontTools' logger to DEBUG while it subsets a font (to capture its
    # warnings), and every table read would reach the console: not on either side.
    logging.getLogger("fontTools").propagate = False
    from pypdf import PdfReader

    from permits.certificates import certificate_html

    per = options.certificates
    print(f"permits_certificate: {per} certificates a round and side, {options.rounds} rounds",
          flush=True)
    contents = {r: _contents(per, 1 + r * per) for r in range(options.rounds)}
    pages = {r: [certificate_html(c) for c in contents[r]] for r in range(options.rounds)}
    made: list[bytes] = []
    warm = _contents(1, 0)
    _portal(warm, [])  # warm-up: fonts, the first layout, the template
    _bare([certificate_html(warm[0])])
    interleaved(name="permits_certificate: seconds per certificate PDF", unit="s/PDF",
                higher_is_better=False, target=TARGET, rounds=options.rounds,
                portal=lambda r: _portal(contents[r], made),
                floor=lambda r: _bare(pages[r]))
    one_page = [len(PdfReader(io.BytesIO(pdf)).pages) == 1 for pdf in made]
    largest = max((c for r in contents.values() for c in r), key=lambda c: len(c.details))
    print(f"  check: {len(made)} PDFs made, each one page: "
          f"{'yes' if all(one_page) else 'NO'} (up to {len(largest.details)} details)",
          flush=True)
    return 0 if made and all(one_page) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
