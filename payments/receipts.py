"""Receipt PDFs. A minimal real implementation; the pages engineer replaces the rendering
with the bilingual WeasyPrint receipt. `receipt_pdf_ensure` keeps its contract: make the PDF
once, and do nothing if it already exists.
"""

from django.core.files.base import ContentFile
from django.db import transaction

from amanah import clock

from .models import Receipt


def _minimal_pdf(lines: list[str]) -> bytes:
    text = " ".join(line.replace("\\", "").replace("(", "").replace(")", "") for line in lines)
    stream = f"BT /F1 11 Tf 40 800 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            .encode())
    return bytes(out)


def receipt_pdf_ensure(*, receipt_id: int) -> Receipt | None:
    """Makes the receipt's PDF if it has none yet; running it again changes nothing."""
    with transaction.atomic():
        receipt = (Receipt.objects.select_for_update(of=("self",))
                   .select_related("payment", "bill").filter(pk=receipt_id).first())
        if receipt is None or receipt.pdf:
            return receipt
        payment = receipt.payment
        pdf = _minimal_pdf([f"Receipt {receipt.number}", f"Bill {receipt.bill.billing_account}",
                            f"SAR {payment.amount}", f"SPTN {payment.sptn}",
                            f"Bank {payment.bank_id} {payment.channel}"])
        receipt.pdf.save(f"{receipt.number}.pdf", ContentFile(pdf), save=False)
        receipt.pdf_made_at = clock.now()
        receipt.save(update_fields=["pdf", "pdf_made_at"])
        return receipt
