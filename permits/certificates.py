"""Permit certificates: one A4 page, Arabic first (right to left) with English beside it, dates in
Hijri and Gregorian, a QR code to the public verification page. Licences print the same page.

The page is built from a `CertificateContent`, which holds only what is printed, so the PDF
depends on nothing else (and the benchmark can feed the same content to bare WeasyPrint).
`certificate_ensure` makes a permit's certificate once, after the commit that issued, renewed,
amended or replaced it, and stores it privately.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import translation

from amanah import clock
from amanah.dates import business_date, gregorian_format, hijri_format
from amanah.enums import MunicipalityKind

from .enums import FieldKind, PermitEventKind, PermitStatus
from .models import Activity, Permit, PermitEvent, PermitTypeField


class CertificateRow(NamedTuple):
    """One approved detail, e.g. ("عدد الأدوار", "Floors", "دوران وملحق", "2 floors and annex")."""

    label_ar: str
    label_en: str
    value_ar: str
    value_en: str


class CertificateActivity(NamedTuple):
    """A licensed commercial activity as printed: its code and its names."""

    code: str
    name_ar: str
    name_en: str


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
    # None for a permit on no single parcel (an excavation along a route).
    parcel: CertificateParcel | None
    details: tuple[CertificateRow, ...]
    issued_on: dt.date
    # None for a type that never expires (validity 0 months).
    valid_until: dt.date | None
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
    # A commercial licence's activities (issue 10), in the order they were chosen.
    activities: tuple[CertificateActivity, ...] = ()
    # A sub-permit's licence (issue 10): it is valid only with it.
    parent_number: str = ""


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
        "valid_until": _dates(content.valid_until) if content.valid_until else None,
        "replacement": (_dates(content.lost_replacement_on)
                        if content.lost_replacement_on else None),
        "area": _area(content.parcel.area_m2) if content.parcel else "",
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


# --- From a permit ---------------------------------------------------------------------------

# Printed on the certificate in both languages, whatever language the task runs in.
STATUS_WORDS = {
    PermitStatus.VALID: ("سارية", "Valid"),
    PermitStatus.SUSPENDED: ("موقوفة", "Suspended"),
    PermitStatus.CANCELLED: ("ملغاة", "Cancelled"),
    PermitStatus.EXPIRED: ("منتهية", "Expired"),
}
# The public verification page (part LIFECYCLE: permits/views/permits.py) answers here; the
# address outlives any request, so it is built from the portal's public base address.
VERIFY_PATH = "/ar/permits/verify/{token}/"


def permit_verify_url(permit: Permit) -> str:
    """The absolute address printed in the QR code (Arabic, the portal's default language)."""
    return (settings.PORTAL_BASE_URL.rstrip("/")
            + VERIFY_PATH.format(token=permit.verification_token))


def _number(value) -> str:
    number = Decimal(str(value))
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"


def _detail_values(field: PermitTypeField | None, value) -> tuple[str, str]:
    """An approved answer as printed in Arabic and in English, by the kind of its field."""
    kind = field.kind if field else None
    try:
        if kind == FieldKind.CHOICE:
            for choice in field.choices:
                if str(choice.get("value")) == str(value):
                    return choice.get("ar", str(value)), choice.get("en", str(value))
        elif kind == FieldKind.BOOLEAN:
            return ("نعم", "Yes") if value else ("لا", "No")
        elif kind in (FieldKind.INTEGER, FieldKind.DECIMAL):
            number = _number(value)
            return (f"{number} {field.unit_ar}".strip(), f"{number} {field.unit_en}".strip())
        elif kind == FieldKind.DATE:
            day = dt.date.fromisoformat(str(value))
            return (f"{hijri_format(day, 'ar')} — {gregorian_format(day, 'ar')}",
                    f"{hijri_format(day, 'en')} — {gregorian_format(day, 'en')}")
    except (InvalidOperation, ValueError, TypeError, OverflowError):
        pass  # an answer the field's kind no longer reads (the type changed): printed as is
    return str(value), str(value)


# Details printed in a section of their own, not as rows: a licence's activities.
OWN_SECTION_DETAILS = frozenset({"activities"})


def _detail_rows(permit: Permit) -> tuple[CertificateRow, ...]:
    """The approved details in the order of the type's form; a key the type no longer has (a
    field removed since, a paper permit's own) still prints, under its key."""
    details = {key: value for key, value in (permit.details or {}).items()
               if key not in OWN_SECTION_DETAILS}
    fields = [f for f in permit.permit_type.fields.all() if f.key in details]
    rows = [CertificateRow(f.label_ar, f.label_en, *_detail_values(f, details[f.key]))
            for f in fields]
    known = {f.key for f in fields}
    rows += [CertificateRow(key, key, *_detail_values(None, details[key]))
             for key in sorted(details) if key not in known]
    return tuple(rows)


def _lost_replacement_on(permit: Permit) -> dt.date | None:
    """The day of this version's latest replacement of a lost certificate, if any: a later
    amendment or renewal prints a new version, which replaces nothing."""
    at = (PermitEvent.objects.filter(permit=permit, kind=PermitEventKind.REPLACED,
                                     version=permit.version)
          .order_by("-seq").values_list("at", flat=True).first())
    return business_date(at) if at else None


def _activities(permit: Permit) -> tuple[CertificateActivity, ...]:
    """A licence's activities as approved (Permit.details["activities"], codes in order); a
    code since removed from the catalogue still prints, under its code (one query)."""
    codes = [str(code) for code in (permit.details or {}).get("activities") or []]
    if not codes:
        return ()
    names = {a.code: a for a in Activity.objects.filter(code__in=codes)}
    return tuple(CertificateActivity(code, names[code].name_ar, names[code].name_en)
                 if code in names else CertificateActivity(code, code, code) for code in codes)


def permit_certificate_content(permit: Permit) -> CertificateContent:
    """What the permit's certificate prints. Reads permit_type (with its fields), municipality
    (with its parent), the holder, the parent permit and parcel (with its district): select
    them with the permit."""
    municipality = permit.municipality
    amanah = (municipality.parent if municipality.kind == MunicipalityKind.BRANCH
              and municipality.parent_id else municipality)
    if permit.holder_person_id:
        holder = permit.holder_person
        holder_id, is_establishment = holder.national_id, False
    else:
        holder = permit.holder_establishment
        holder_id, is_establishment = holder.unified_number, True
    parcel = permit.parcel
    status_ar, status_en = STATUS_WORDS[permit.status]
    return CertificateContent(
        kind_name_ar=permit.permit_type.name_ar, kind_name_en=permit.permit_type.name_en,
        number=permit.number,
        amanah_name_ar=amanah.name_ar, amanah_name_en=amanah.name_en,
        municipality_name_ar=municipality.name_ar, municipality_name_en=municipality.name_en,
        holder_name_ar=holder.name_ar, holder_name_en=holder.name_en or holder.name_ar,
        holder_id=holder_id, holder_is_establishment=is_establishment,
        parcel=CertificateParcel(
            deed_number=parcel.deed_number, plan_number=parcel.plan_number,
            parcel_number=parcel.parcel_number, district_ar=parcel.district.name_ar,
            district_en=parcel.district.name_en, area_m2=parcel.area_m2) if parcel else None,
        details=_detail_rows(permit), issued_on=permit.issued_on,
        valid_until=permit.valid_until, status_ar=status_ar, status_en=status_en,
        version=permit.version, verify_url=permit_verify_url(permit),
        lost_replacement_on=_lost_replacement_on(permit),
        document_noun_en="Licence" if permit.permit_type.uses_activities else "Permit",
        activities=_activities(permit),
        parent_number=permit.parent.number if permit.parent_id else "")


def certificate_is_current(permit: Permit) -> bool:
    """The stored certificate shows the permit as it is now: the file is there, it shows this
    version, and no replacement of a lost certificate came after it was made."""
    if not permit.certificate or permit.certificate_version != permit.version:
        return False
    if not permit.certificate.storage.exists(permit.certificate.name):
        return False
    if not permit.replacement_count:
        return True
    last = (PermitEvent.objects.filter(permit=permit, kind__in=[PermitEventKind.REPLACED,
                                                                PermitEventKind.CERTIFICATE_MADE])
            .aggregate(replaced=Max("seq", filter=Q(kind=PermitEventKind.REPLACED)),
                       made=Max("seq", filter=Q(kind=PermitEventKind.CERTIFICATE_MADE))))
    return (last["replaced"] or 0) < (last["made"] or 0)


def certificate_ensure(*, permit_id: int) -> Permit | None:
    """Makes the permit's certificate if the stored one is missing or no longer shows the permit
    (a new version, a replacement); running it again changes nothing."""
    from .services.permits import permit_event_append, permit_save

    with transaction.atomic():
        # The row lock makes two concurrent runs take turns: the second finds the file. The
        # page is rendered under it, so what is stored is what the row says at the commit.
        permit = (Permit.objects.select_for_update(of=("self",))
                  .select_related("permit_type", "municipality__parent", "holder_person",
                                  "holder_establishment", "parcel__district", "parent")
                  .filter(pk=permit_id).first())
        if permit is None or certificate_is_current(permit):
            return permit
        content = permit_certificate_content(permit)
        pdf = certificate_pdf_render(content)
        digest = hashlib.sha256(pdf).hexdigest()
        # A random part in the name: the only way to the file is the permission-checked
        # download. Earlier certificates stay where they are, as they were issued.
        name = f"{permit.number}-v{permit.version}-{secrets.token_hex(8)}.pdf"
        permit.certificate.save(name, ContentFile(pdf), save=False)
        permit.certificate_sha256 = digest
        permit.certificate_made_at = clock.now()
        permit.certificate_version = permit.version
        permit_event_append(permit, kind=PermitEventKind.CERTIFICATE_MADE,
                            payload={"sha256": digest,
                                     "replacement": content.lost_replacement_on is not None})
        permit_save(permit, ["certificate", "certificate_sha256", "certificate_made_at",
                             "certificate_version"])
        return permit
