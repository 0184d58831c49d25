"""The day's reconciliation file (spec §4) as the simulated SADAD would send it: made from the
payments its bank took that business day, one PmtBankRec per bank, streamed to disk."""

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Sum

from amanah import clock

from ..reconfile import BankSection, recon_file_write
from .bank import simulated_payment_record
from .models import SimulatedSadadPayment


def simulated_recon_file_write(*, business_date: dt.date, out: Path,
                               fee_per_record: Decimal = Decimal("0.00")) -> tuple[Decimal, int]:
    """Writes the §4 file of `business_date` to `out`; returns its (total, count)."""
    day_payments = SimulatedSadadPayment.objects.filter(
        business_date=business_date, biller_id=settings.SADAD_BILLER_ID)
    totals = list(day_payments.values("bank_id").annotate(amount=Sum("amount"),
                                                          count=Count("pk"))
                  .order_by("bank_id"))
    banks = [BankSection(bank_id=row["bank_id"], amount=row["amount"], count=row["count"],
                         records=(simulated_payment_record(p) for p in day_payments
                                  .filter(bank_id=row["bank_id"])
                                  .order_by("processed_at", "pk").iterator(chunk_size=2000)))
             for row in totals]
    count = sum(row["count"] for row in totals)
    with open(out, "w", encoding="utf-8") as stream:
        return recon_file_write(stream, business_date=business_date, banks=banks,
                                fees=fee_per_record * count, rq_uid=str(uuid.uuid4()),
                                client_dt=clock.now(), receiver=settings.SADAD_BILLER_ID)
