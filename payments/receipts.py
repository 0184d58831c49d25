"""Receipt PDFs: bilingual (Arabic first, right to left), Hijri and Gregorian dates, a QR code to
the public verification page. Made once by a task after the payment commits; stored privately.
"""

import secrets
from pathlib import Path

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from amanah import clock
from amanah.dates import RIYADH, gregorian_format, hijri_format
from amanah.money import sar_format

from .enums import AccessChannel
from .models import Receipt

# Under MEDIA_ROOT but never linked: the file name carries a random part and the only way to
# it is the permission-checked download view.
PRIVATE_DIR = "private/receipts"

_CHANNEL_AR = {
    AccessChannel.ATM: "صراف آلي", AccessChannel.INTERNET: "الخدمات المصرفية عبر الإنترنت",
    AccessChannel.MOBILE: "تطبيق البنك", AccessChannel.IVR: "الهاتف المصرفي",
    AccessChannel.BTELLER: "فرع البنك", AccessChannel.POS: "نقطة بيع",
}


def receipt_verify_url(receipt: Receipt) -> str:
    """The absolute address printed in the QR code (Arabic, the portal's default language)."""
    with translation.override("ar"):
        path = reverse("payments:receipt_verify", args=[receipt.verify_token])
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _english(label) -> str:
    # The receipt is rendered with Arabic active; its English column needs the English label.
    with translation.override("en"):
        return str(label)


def _font_url(name: str) -> str:
    return (Path(settings.BASE_DIR) / "static" / "fonts" / name).resolve().as_uri()


def receipt_context(receipt: Receipt) -> dict:
    payment, bill = receipt.payment, receipt.bill
    paid_day = payment.processed_at.astimezone(RIYADH).date()
    issued_day = receipt.issued_at.astimezone(RIYADH).date()
    if bill.payer_person_id:
        payer_ar, payer_en = bill.payer_person.name_ar, bill.payer_person.name_en
    else:
        payer_ar, payer_en = bill.payer_establishment.name_ar, bill.payer_establishment.name_en
    verify_url = receipt_verify_url(receipt)
    return {
        "receipt": receipt, "payment": payment, "bill": bill,
        "payer_ar": payer_ar, "payer_en": payer_en or payer_ar,
        "payer_id": bill.payer_official_id,
        "amount_ar": sar_format(payment.amount, "ar"),
        "amount_en": sar_format(payment.amount, "en"),
        "paid_hijri_ar": hijri_format(paid_day, "ar"),
        "paid_gregorian_ar": gregorian_format(paid_day, "ar"),
        "paid_hijri_en": hijri_format(paid_day, "en"),
        "paid_gregorian_en": gregorian_format(paid_day, "en"),
        "paid_time": payment.processed_at.astimezone(RIYADH).strftime("%H:%M"),
        "issued_hijri_ar": hijri_format(issued_day, "ar"),
        "issued_gregorian_en": gregorian_format(issued_day, "en"),
        "channel_ar": _CHANNEL_AR.get(payment.channel, payment.channel),
        "channel_en": _english(AccessChannel(payment.channel).label
                               if payment.channel in AccessChannel.values else payment.channel),
        "verify_url": verify_url,
        "qr_data_uri": segno.make(verify_url, error="m").svg_data_uri(scale=4, border=2),
        "font_regular": _font_url("NotoSansArabic-Regular.ttf"),
        "font_bold": _font_url("NotoSansArabic-Bold.ttf"),
        "biller_id": settings.SADAD_BILLER_ID,
    }


def receipt_pdf_html(receipt: Receipt) -> str:
    """The HTML the receipt's PDF is made from (its benchmark feeds the same to bare
    WeasyPrint); never served as a page, because its template carries its own <style>."""
    with translation.override("ar"):
        return render_to_string("payments/receipt_pdf.html", receipt_context(receipt))


def receipt_pdf_render(receipt: Receipt) -> bytes:
    from weasyprint import HTML

    return HTML(string=receipt_pdf_html(receipt), base_url=str(settings.BASE_DIR)).write_pdf()


def _pdf_exists(receipt: Receipt) -> bool:
    return bool(receipt.pdf) and default_storage.exists(receipt.pdf.name)


def receipt_pdf_ensure(*, receipt_id: int) -> Receipt | None:
    """Makes the receipt's PDF if it has none yet; running it again changes nothing."""
    with transaction.atomic():
        # The row lock makes two concurrent runs take turns: the second finds the file.
        receipt = (Receipt.objects.select_for_update(of=("self",))
                   .select_related("payment", "bill__eservice", "bill__municipality",
                                   "bill__payer_person", "bill__payer_establishment")
                   .filter(pk=receipt_id).first())
        if receipt is None or _pdf_exists(receipt):
            return receipt
        pdf = receipt_pdf_render(receipt)
        issued = receipt.issued_at.astimezone(RIYADH)
        name = (f"{PRIVATE_DIR}/{issued:%Y/%m}/"
                f"{receipt.number}-{secrets.token_hex(8)}.pdf")
        receipt.pdf.name = default_storage.save(name, ContentFile(pdf))
        receipt.pdf_made_at = clock.now()
        receipt.save(update_fields=["pdf", "pdf_made_at"])
        return receipt
