"""Permit certificates: one A4 page, Arabic first (right to left) with English beside it, dates in
Hijri and Gregorian, a QR code to the public verification page. Licences print the same page.

The page is built from a `CertificateContent`, which holds only what is printed, so the PDF
depends on nothing else (and the benchmark can feed the same content to bare WeasyPrint).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from amanah.dates import gregorian_format, hijri_format


class CertificateRow(NamedTuple):
    """One approved detail, e.g. ("عدد الأدوار", "Floors", "دوران وملحق", "2 floors and annex")."""

    label_ar: str
    label_en: str
    value_ar: str
    value_en: str


@dataclass(frozen=True)
class CertificateParcel:
    deed_number: str
    plan_number: str
    parcel_number: str
    district_ar: str
    district_en: str
    area_m2: Decimal


@dataclass(frozen=True)
class CertificateContent:
    """Everything a certificate prints, and nothing else."""

    kind_name_ar: str
    kind_name_en: str
    number: str
    amanah_name_ar: str
    amanah_name_en: str
    municipality_name_ar: str
    municipality_name_en: str
    holder_name_ar: str
    holder_name_en: str
    # A national ID / iqama number for a person, a unified number for an establishment.
    holder_id: str
    holder_is_establishment: bool
    parcel: CertificateParcel
    details: tuple[CertificateRow, ...]
    issued_on: dt.date
    valid_until: dt.date
    status_ar: str
    status_en: str
    version: int
    verify_url: str
    # Set on a certificate issued to replace a lost one: the day the replacement was issued.
    lost_replacement_on: dt.date | None = None
    # What the document is called in "<noun> number" and "<noun> holder": a permit (رخصة), an
    # excavation permit (تصريح), an occupancy certificate (شهادة), a licence.
    document_noun_ar: str = "الرخصة"
    document_noun_en: str = "Permit"


def _font_url(name: str) -> str:
    return (Path(settings.BASE_DIR) / "static" / "fonts" / name).resolve().as_uri()


def _dates(day: dt.date) -> dict[str, str]:
    return {"hijri_ar": hijri_format(day, "ar"), "gregorian_ar": gregorian_format(day, "ar"),
            "hijri_en": hijri_format(day, "en"), "gregorian_en": gregorian_format(day, "en")}


def _area(area: Decimal) -> str:
    # Whole square metres print without ".00"; a measured fraction keeps its two places.
    area = Decimal(area)
    return f"{area:,.0f}" if area == area.to_integral_value() else f"{area:,.2f}"


def certificate_qr_data_uri(verify_url: str) -> str:
    return segno.make(verify_url, error="m").svg_data_uri(scale=4, border=2)


def certificate_context(content: CertificateContent) -> dict:
    municipality_differs = content.municipality_name_ar != content.amanah_name_ar
    return {
        "c": content,
        "municipality_differs": municipality_differs,
        "issued": _dates(content.issued_on),
        "valid_until": _dates(content.valid_until),
        "replacement": (_dates(content.lost_replacement_on)
                        if content.lost_replacement_on else None),
        "area": _area(content.parcel.area_m2),
        "qr_data_uri": certificate_qr_data_uri(content.verify_url),
        "font_regular": _font_url("NotoSansArabic-Regular.ttf"),
        "font_bold": _font_url("NotoSansArabic-Bold.ttf"),
    }


def certificate_html(content: CertificateContent) -> str:
    """The HTML the certificate's PDF is made from; never served as a page (it carries its
    own <style> and file URLs to the fonts)."""
    # Both languages are written out in the template; Arabic is active so that filters and
    # tags used by it speak Arabic first, like the page's direction.
    with translation.override("ar"):
        return render_to_string("permits/certificate_pdf.html", certificate_context(content))


def certificate_pdf_render(content: CertificateContent) -> bytes:
    from weasyprint import HTML

    return HTML(string=certificate_html(content), base_url=str(settings.BASE_DIR)).write_pdf()
