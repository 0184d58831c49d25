"""The notice of a violation: SMS for a warning (items and deadline), for an approved fine
(amount, SADAD biller code and bill number) and for its payment; and the fine's bilingual PDF
(items, the fine's computation, total, SADAD biller code, bill number, due date, objection
deadline, a QR code to the public verification page), stored privately.

Each is made by a task after the commit that called for it and is marked on the notice under
its lock (an event, `notice_sent_at`, `notice_pdf`), so running a task twice sends nothing
twice; sweepers in tasks_approval.py find notices whose task was lost. Messages go to the
person, or to the establishment's representatives, each in their own language.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from amanah import clock
from amanah.dates import dual_date_format, gregorian_format, hijri_format
from amanah.models import Person
from amanah.money import sar_format
from amanah.notifications import sms_send
from payments.models import Bill
from permits.public import district_names

from .enums import LineStatus, NoticeKind, ViolationEventKind, ViolationStatus
from .models import Violation
from .payables import PAYABLE_KIND
from .services.records import violation_event_append, violation_lock, violation_save

VERIFY_PATH = "/{language}/violations/verify/{token}/"


def notice_verify_url(violation: Violation, language: str = "ar") -> str:
    """The absolute address the QR code carries (the portal's public base address)."""
    return (settings.PORTAL_BASE_URL.rstrip("/")
            + VERIFY_PATH.format(language=language, token=violation.verify_token))


def notice_recipients(violation: Violation) -> list[Person]:
    """Whom the notice is sent to: the person, or the establishment's representatives."""
    if violation.person_id:
        return [violation.person] if violation.person.mobile else []
    if violation.establishment_id:
        return sorted((p for p in violation.establishment.representatives.all() if p.mobile),
                      key=lambda p: p.pk)
    return []


def _language(person: Person) -> str:
    return "en" if (person.language or "ar").startswith("en") else "ar"


def warning_sms_text(violation: Violation, language: str) -> str:
    with translation.override(language):
        items = "، ".join if language == "ar" else ", ".join
        names = items(line.item.name(language) for line in violation.lines.select_related(
            "item").order_by("id"))
        return gettext("Amanah: warning %(number)s — correct by %(due)s: %(items)s. "
                       "An inspector will visit again after that date.") % {
            "number": violation.number, "items": names,
            "due": dual_date_format(violation.correction_due, language)}


def fine_sms_text(violation: Violation, bill: Bill | None, language: str) -> str:
    with translation.override(language):
        values = {"number": violation.number,
                  "amount": sar_format(bill.amount if bill else violation.total, language)}
        if bill is None:
            return gettext("Amanah: fine %(number)s of %(amount)s was approved. "
                           "Details on the portal.") % values
        return gettext("Amanah: fine %(number)s of %(amount)s was approved. Pay through SADAD: "
                       "biller %(biller)s, bill %(bill)s, by %(due)s.") % {
            **values, "biller": settings.SADAD_BILLER_ID, "bill": bill.billing_account,
            "due": dual_date_format(bill.due_date, language)}


def receipt_sms_text(violation: Violation, bill: Bill, language: str) -> str:
    with translation.override(language):
        return gettext("Amanah: %(amount)s received for fine %(number)s (bill %(bill)s). "
                       "Thank you.") % {"amount": sar_format(bill.amount, language),
                                        "number": violation.number,
                                        "bill": bill.billing_account}


def _send(violation: Violation, text) -> int:
    recipients = notice_recipients(violation)
    for person in recipients:
        sms_send(to=person.mobile, body=text(_language(person)))
    return len(recipients)


def fine_bill_of(violation: Violation) -> Bill | None:
    """The notice's latest FINE bill (what the notice and its SMS print)."""
    return (Bill.objects.filter(payable_kind=PAYABLE_KIND, payable_ref=violation.number)
            .order_by("-pk").first())


def _sent_once(violation_id: int, *, kind: str, marker: dict, statuses) -> Violation | None:
    """Mark a message as sent on the notice (under its lock), once; None if it was already,
    or the notice is not in one of `statuses`."""
    with transaction.atomic():
        violation = violation_lock(violation_id)
        if violation is None or violation.status not in statuses:
            return None
        # Compared here, not by a JSON "contains" lookup: SQLite (`make run`) has none.
        if any(marker.items() <= (payload or {}).items() for payload in
               violation.events.filter(kind=kind).values_list("payload", flat=True)):
            return None
        violation_event_append(violation, kind=kind, payload=marker)
        violation_save(violation, [])
    return violation


def warning_send(*, violation_id: int) -> int:
    """Send a warning's SMS once (items and deadline)."""
    violation = _sent_once(violation_id, kind=ViolationEventKind.WARNING_SENT,
                           marker={"sms": "warning"}, statuses=(ViolationStatus.WARNED,))
    if violation is None:
        return 0
    return _send(violation, lambda language: warning_sms_text(violation, language))


def receipt_send(*, violation_id: int, bill_id: int) -> int:
    """Send the SMS that a fine's bill was paid, once per bill."""
    bill = Bill.objects.filter(pk=bill_id).first()
    if bill is None:
        return 0
    violation = _sent_once(violation_id, kind=ViolationEventKind.NOTICE_SENT,
                           marker={"sms": "receipt", "bill": bill.billing_account},
                           statuses=(ViolationStatus.ISSUED, ViolationStatus.SETTLED))
    if violation is None:
        return 0
    return _send(violation, lambda language: receipt_sms_text(violation, bill, language))


# --- the fine's PDF ----------------------------------------------------------------------------


# The PDF is bilingual whatever the reader's language, so its Arabic is written here, not
# looked up in the active language.
SIZE_AR = {"large": "منشأة كبيرة", "medium": "منشأة متوسطة", "small": "منشأة صغيرة",
           "micro": "منشأة متناهية الصغر", "individual": "فرد أو موقع غير مرخص"}


@dataclass(frozen=True)
class NoticeLine:
    code: str
    name_ar: str
    name_en: str
    computation: dict
    amount: Decimal
    status: str
    objection_due: dt.date | None

    @property
    def size_ar(self) -> str:
        return SIZE_AR.get(self.computation.get("size", ""), self.computation.get("size", ""))

    @property
    def amount_text(self) -> str:
        # Written out, not through the template's number localisation (Arabic: "500,00").
        return f"{self.amount:,.2f}"


def _dates(day: dt.date | None) -> dict | None:
    if day is None:
        return None
    return {"hijri_ar": hijri_format(day, "ar"), "gregorian_ar": gregorian_format(day, "ar"),
            "hijri_en": hijri_format(day, "en"), "gregorian_en": gregorian_format(day, "en")}


def _font_url(name: str) -> str:
    return (Path(settings.BASE_DIR) / "static" / "fonts" / name).resolve().as_uri()


def notice_context(violation: Violation) -> dict:
    bill = fine_bill_of(violation)
    lines = [NoticeLine(code=line.item_code, name_ar=line.item.name_ar,
                        name_en=line.item.name_en, computation=line.computation or {},
                        amount=line.amount, status=line.status,
                        objection_due=line.objection_due)
             for line in violation.lines.select_related("item").order_by("id")]
    objection_days = [x.objection_due for x in lines if x.objection_due]
    municipality = violation.municipality
    offender_ar = offender_en = violation.place_description or violation.offender_key
    if violation.establishment_id:
        offender_ar = violation.establishment.name("ar")
        offender_en = violation.establishment.name("en")
    elif violation.person_id:
        offender_ar = violation.person.name("ar")
        offender_en = violation.person.name("en")
    district_ar, district_en = district_names(violation.municipality_id).get(
        violation.district, (violation.district, violation.district))
    return {
        "v": violation, "lines": lines, "bill": bill,
        "total_ar": sar_format(violation.total, "ar"),
        "total_en": sar_format(violation.total, "en"),
        "bill_amount_ar": sar_format(bill.amount, "ar") if bill else "",
        "bill_amount_en": sar_format(bill.amount, "en") if bill else "",
        "biller_code": settings.SADAD_BILLER_ID,
        "due": _dates(bill.due_date if bill else None),
        "objection_due": _dates(max(objection_days) if objection_days else None),
        "recorded": _dates(violation.recorded_at.date()),
        "municipality_ar": municipality.name("ar"), "municipality_en": municipality.name("en"),
        "offender_ar": offender_ar, "offender_en": offender_en,
        "district_ar": district_ar, "district_en": district_en,
        "verify_url": notice_verify_url(violation),
        "qr_data_uri": segno.make(notice_verify_url(violation), error="m").svg_data_uri(
            scale=4, border=2),
        "font_regular": _font_url("NotoSansArabic-Regular.ttf"),
        "font_bold": _font_url("NotoSansArabic-Bold.ttf"),
        "LineStatus": LineStatus,
    }


def notice_html(violation: Violation) -> str:
    with translation.override("ar"):
        return render_to_string("violations/notice_pdf.html", notice_context(violation))


def notice_pdf_render(violation: Violation) -> bytes:
    from weasyprint import HTML

    return HTML(string=notice_html(violation), base_url=str(settings.BASE_DIR)).write_pdf()


def notice_send(*, violation_id: int) -> Violation | None:
    """An approved fine's notice: the PDF made and stored (once), then the SMS (once)."""
    with transaction.atomic():
        violation = (Violation.objects.select_for_update(of=("self",))
                     .select_related("municipality", "establishment", "person")
                     .filter(pk=violation_id, kind=NoticeKind.FINE).first())
        if violation is None or violation.approved_at is None:
            return violation
        if not violation.notice_pdf:
            pdf = notice_pdf_render(violation)
            digest = hashlib.sha256(pdf).hexdigest()
            name = f"violations/notices/{violation.number}-{secrets.token_hex(8)}.pdf"
            violation.notice_pdf.save(name, ContentFile(pdf), save=False)
            violation_event_append(violation, kind=ViolationEventKind.NOTICE_SENT,
                                   payload={"pdf": digest})
            violation_save(violation, ["notice_pdf"])
        if violation.notice_sent_at is not None:
            return violation
        violation.notice_sent_at = clock.now()
        violation_event_append(violation, kind=ViolationEventKind.NOTICE_SENT,
                               payload={"sms": "fine"})
        violation_save(violation, ["notice_sent_at"])
    bill = fine_bill_of(violation)
    _send(violation, lambda language: fine_sms_text(violation, bill, language))
    return violation
