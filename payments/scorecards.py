"""Payments' figures for the pilot and branch scorecards (`amanah.scorecards`), per a bill's
e-service and municipality, in two aggregate queries for every pair at once:

- `payment_success`: of the bills issued in the period (their ISSUED event's business time),
  the share that is paid now — paid ÷ (issued − cancelled). A cancelled bill asked for nothing
  in the end, so it counts neither way; an expired or still unpaid one counts as not paid.
- `collections`: SAR applied to the pair's bills on the period's business days, as the finance
  dashboard counts collections (money in suspense belongs to no service until resolved).
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum

from amanah.dates import RIYADH
from amanah.scorecards import Figures, Pair

from .enums import BillEventKind, BillStatus, PaymentStatus
from .models import Bill, Payment


def payments_scorecard(*, date_from: dt.date, date_to: dt.date, pairs: list[Pair]) -> Figures:
    """The payments figures of every pair (two queries)."""
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=RIYADH)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=RIYADH)
    wanted = set(pairs)
    eservice_ids = {e for e, _ in wanted}
    municipality_ids = {m for _, m in wanted}
    figures: Figures = {pair: {"payment_success": None, "collections": Decimal("0.00")}
                        for pair in wanted}
    issued = (Bill.objects
              .filter(eservice_id__in=eservice_ids, municipality_id__in=municipality_ids,
                      events__kind=BillEventKind.ISSUED, events__at__gte=start,
                      events__at__lt=end)
              .values("eservice_id", "municipality_id")
              .annotate(counted=Count("id", filter=~Q(status=BillStatus.CANCELLED)),
                        paid=Count("id", filter=Q(status=BillStatus.PAID)))
              .order_by())
    for row in issued:
        pair = (row["eservice_id"], row["municipality_id"])
        if pair in figures and row["counted"]:
            figures[pair]["payment_success"] = round(row["paid"] / row["counted"], 4)
    collected = (Payment.objects
                 .filter(status=PaymentStatus.APPLIED, business_date__gte=date_from,
                         business_date__lte=date_to, bill__eservice_id__in=eservice_ids,
                         bill__municipality_id__in=municipality_ids)
                 .values("bill__eservice_id", "bill__municipality_id")
                 .annotate(total=Sum("amount"))
                 .order_by())
    for row in collected:
        pair = (row["bill__eservice_id"], row["bill__municipality_id"])
        if pair in figures:
            figures[pair]["collections"] = row["total"]
    return figures
