"""Receipt PDFs: the portal making a receipt's PDF against bare WeasyPrint rendering the same
HTML, interleaved round by round. Time ratio portal/bare, target ≤ 1.5.

    python -m bench payments_receipt_pdf                   # 5 receipts a round, 3 rounds
    python -m bench payments_receipt_pdf --receipts 20 --rounds 5        # the full size

Needs DATABASE_URL (PostgreSQL). Works in a scratch database with this run's random suffix
(`bench/_harness.py`) and writes the PDFs under a temporary MEDIA_ROOT, removed at the end.
Set-up, not timed: paid bills whose receipts have no PDF yet (recorded by `payment_record`,
their after-commit receipt task not sent), fresh ones for every round and side.

- **Portal**: `payments.receipts.receipt_pdf_ensure(receipt_id=…)` for each receipt of the round,
  exactly what the receipt task and the download view run: lock the receipt row, build the
  context (dates, amounts, QR code), render the template, WeasyPrint, store the file, save the
  row, commit.
- **Bare**: for the same number of receipts, `weasyprint.HTML(string=html,
  base_url=BASE_DIR).write_pdf()` on the HTML the portal renders for that receipt (taken before
  the timing; same template, fonts and stylesheet, same base URL), and the bytes written to a
  file under the same MEDIA_ROOT.

Both are warmed once before the rounds (fonts, first layout). Each round gives the ratio of the
mean seconds per PDF. Then a check: a second `receipt_pdf_ensure` of a made receipt renders
nothing (the receipt is made once and stored); if it does, or a PDF is missing, the exit is 1.
"""

import argparse
import datetime as dt
import logging
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

from bench._harness import django_setup, interleaved, scratch_database

AMOUNT = Decimal("150.00")
TARGET = 1.5


def _receipts_create(count: int) -> list[int]:
    """`count` paid bills with their receipts (no PDF yet): receipt ids."""
    from amanah import clock
    from amanah.enums import MunicipalityKind, OwningApp
    from amanah.identity import luhn_check_digit
    from amanah.models import EService, Municipality, Person
    from payments.enums import BillCategory, BillStatus
    from payments.models import Bill, Receipt
    from payments.services import payment_record

    amanah = Municipality.objects.create(code="BRCP", name_ar="أمانة المنطقة الشرقية",
                                         name_en="Eastern Province Amanah",
                                         kind=MunicipalityKind.AMANAH)
    eservice = EService.objects.create(code="misc_fee", name_ar="رسوم متنوعة",
                                       name_en="Miscellaneous fee", owning_app=OwningApp.PAYMENTS)
    person = Person.objects.create(national_id="1000000008", name_ar="سارة بنت علي القحطاني",
                                   name_en="Sarah Ali Al-Qahtani")
    today = dt.date.today()
    bills = []
    for n in range(count):
        payload = f"{3000000000 + n}"
        bills.append(Bill(
            billing_account=payload + luhn_check_digit(payload), municipality=amanah,
            eservice=eservice, category=BillCategory.FEE, payer_person=person, amount=AMOUNT,
            due_date=today + dt.timedelta(days=30), expiry_date=today + dt.timedelta(days=90),
            status=BillStatus.UNPAID, payable_kind="misc_fee", payable_ref=f"R-{n}",
            description_ar="رسوم", description_en="Fee"))
    Bill.objects.bulk_create(bills)
    # The receipt task is not sent: the benchmark makes the PDFs itself.
    with mock.patch("amanah.dispatch.TaskSend.__call__"):
        for n, bill in enumerate(Bill.objects.filter(municipality=amanah).order_by("pk")):
            payment_record(sptn=f"SPR{n:012d}", amount=AMOUNT,
                           billing_account=bill.billing_account, bank_id="RJHISARI",
                           channel="INTERNET", method="ACTDEB", processed_at=clock.now())
    receipts = list(Receipt.objects.filter(bill__municipality=amanah).order_by("pk")
                    .values_list("pk", flat=True))
    if len(receipts) != count:
        raise SystemExit(f"expected {count} receipts, got {len(receipts)}")
    return receipts


def _receipt_html(receipt_id: int) -> str:
    """The HTML the portal renders for the receipt (`receipt_pdf_html`, as
    `receipt_pdf_render` does)."""
    from payments.models import Receipt
    from payments.receipts import receipt_pdf_html

    receipt = (Receipt.objects.select_related(
        "payment", "bill__eservice", "bill__municipality", "bill__payer_person",
        "bill__payer_establishment").get(pk=receipt_id))
    return receipt_pdf_html(receipt)


def _portal(receipt_ids: list[int]) -> float:
    """Mean seconds per PDF made by the portal."""
    from payments.receipts import receipt_pdf_ensure

    started = time.perf_counter()
    for receipt_id in receipt_ids:
        receipt_pdf_ensure(receipt_id=receipt_id)
    return (time.perf_counter() - started) / len(receipt_ids)


def _bare(pages: list[str], out: Path, label: str) -> float:
    """Mean seconds per PDF rendered by WeasyPrint alone from the same HTML, and written."""
    from django.conf import settings
    from weasyprint import HTML

    base_url = str(settings.BASE_DIR)
    started = time.perf_counter()
    for n, html in enumerate(pages):
        (out / f"{label}-{n}.pdf").write_bytes(HTML(string=html, base_url=base_url).write_pdf())
    return (time.perf_counter() - started) / len(pages)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench payments_receipt_pdf")
    parser.add_argument("--receipts", type=int, default=5, help="PDFs per round and side")
    parser.add_argument("--rounds", type=int, default=3)
    options, _ = parser.parse_known_args(argv)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django_setup()
    # WeasyPrint turns fontTools' logger to DEBUG while it subsets a font (to capture its
    # warnings), and every table read would reach the console: not on either side.
    logging.getLogger("fontTools").propagate = False
    from django.conf import settings
    from django.core.files.storage import default_storage

    from payments.models import Receipt

    per = options.receipts
    with tempfile.TemporaryDirectory(prefix="bench-receipts-") as media, \
            scratch_database("receipt") as database:
        # Before the storage is first used: it reads MEDIA_ROOT once.
        settings.MEDIA_ROOT = media
        bare_dir = Path(media) / "bare"
        bare_dir.mkdir()
        print(f"payments_receipt_pdf: {per} receipts a round and side, {options.rounds} rounds, "
              f"database {database}", flush=True)
        ids = _receipts_create(per * options.rounds * 2 + 2)
        portal_ids = {r: ids[2 + r * 2 * per:2 + r * 2 * per + per]
                      for r in range(options.rounds)}
        bare_pages = {r: [_receipt_html(i) for i in ids[2 + r * 2 * per + per:
                                                         2 + (r + 1) * 2 * per]]
                      for r in range(options.rounds)}
        _portal(ids[:1])  # warm-up: fonts, the first layout, the storage directory
        _bare([_receipt_html(ids[1])], bare_dir, "warm")
        interleaved(name="payments_receipt_pdf: seconds per receipt PDF", unit="s/PDF",
                    higher_is_better=False, target=TARGET, rounds=options.rounds,
                    portal=lambda r: _portal(portal_ids[r]),
                    floor=lambda r: _bare(bare_pages[r], bare_dir, f"r{r}"))
        made = [Receipt.objects.get(pk=i)
                for i in (ids[0], *(i for r in portal_ids.values() for i in r))]
        stored = all(r.pdf and default_storage.exists(r.pdf.name) for r in made)
        from payments import receipts

        with mock.patch.object(receipts, "receipt_pdf_render") as render:
            again = receipts.receipt_pdf_ensure(receipt_id=made[-1].pk)
        once = render.call_count == 0 and again.pdf.name == made[-1].pdf.name
        print(f"  check: {len(made)} PDFs made and stored: {'yes' if stored else 'NO'}; "
              f"a second ensure renders again: {'no' if once else 'YES'}", flush=True)
        return 0 if stored and once else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
