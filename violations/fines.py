"""What a fine comes to: the class's range, the offender's size share, the repetition
multiplier and its cap — computed from the catalogue in force on the day, and kept as a
snapshot on the line so the citizen sees exactly how it was reached.

    base       = max(class minimum, class maximum × share by size)
    multiplier = the item's multiplier for this occurrence (the last one for any later one)
    amount     = min(base × multiplier, class maximum × cap factor)

rounded half up to the halala at each step.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from amanah.enums import EstablishmentSize
from amanah.errors import DomainError, NotFound

from .enums import LineStatus, NoticeKind, ShareSize
from .models import ItemFine, SizeShare, ViolationItem, ViolationLine

HALALA = Decimal("0.01")
# An establishment whose size the registry does not give is charged as a medium one: neither
# the largest share (which would punish a small shop for a gap in the records) nor the smallest
# (which a large one could hide behind).
UNKNOWN_ESTABLISHMENT_SIZE = ShareSize.MEDIUM
# Lines that count as an earlier occurrence of the same item for the same offender.
COUNTED_LINE_STATUSES = frozenset({LineStatus.PROPOSED, LineStatus.PAYABLE, LineStatus.OBJECTED,
                                   LineStatus.PAID})


def halalas(value: Decimal) -> Decimal:
    return value.quantize(HALALA, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FineQuote:
    item_code: str
    municipality_class: int
    fine_min: Decimal
    fine_max: Decimal
    size: str
    share: Decimal  # percent
    base: Decimal
    occurrence: int
    multiplier: Decimal
    cap: Decimal
    capped: bool
    amount: Decimal

    def snapshot(self) -> dict:
        return {"item": self.item_code, "class": self.municipality_class,
                "min": str(self.fine_min), "max": str(self.fine_max), "size": self.size,
                "share": str(self.share), "base": str(self.base),
                "occurrence": self.occurrence, "multiplier": str(self.multiplier),
                "cap": str(self.cap), "capped": self.capped, "amount": str(self.amount)}


def item_in_force(*, code: str, on: dt.date) -> ViolationItem:
    """The version of item `code` in force on `on`."""
    item = (ViolationItem.objects.select_related("group")
            .filter(code=code, effective_from__lte=on)
            .exclude(effective_to__lte=on).order_by("-effective_from").first())
    if item is None:
        raise NotFound("violations.item_not_in_force",
                       f"بند المخالفة {code} غير سارٍ في {on.isoformat()}.",
                       f"Violation item {code} is not in force on {on.isoformat()}.",
                       field="item_code")
    return item


def size_share(*, size: str, on: dt.date) -> Decimal:
    percent = (SizeShare.objects.filter(size=size, effective_from__lte=on)
               .order_by("-effective_from").values_list("percent", flat=True).first())
    if percent is None:
        raise DomainError("violations.share_missing",
                          "لا توجد نسبة غرامة لهذا الحجم في الجدول.",
                          f"No fine share is set for size '{size}'.", field="size")
    return percent


def offender_size(establishment_size: str | None) -> str:
    """The share row for an offender: an establishment by its registry size, anyone else as
    an individual."""
    if establishment_size is None:
        return ShareSize.INDIVIDUAL
    return {EstablishmentSize.LARGE: ShareSize.LARGE, EstablishmentSize.MEDIUM: ShareSize.MEDIUM,
            EstablishmentSize.SMALL: ShareSize.SMALL, EstablishmentSize.MICRO: ShareSize.MICRO,
            }.get(establishment_size, UNKNOWN_ESTABLISHMENT_SIZE)


def repeat_multiplier(item: ViolationItem, occurrence: int) -> Decimal:
    multipliers = [Decimal(str(m)) for m in (item.repeat_multipliers or [])]
    if not multipliers:
        return Decimal("1")
    return multipliers[min(occurrence, len(multipliers)) - 1]


def fine_compute(*, item: ViolationItem, municipality_class: int, size: str, occurrence: int,
                 on: dt.date) -> FineQuote:
    if occurrence < 1:
        raise ValueError("occurrence starts at 1")
    band = ItemFine.objects.filter(item=item, municipality_class=municipality_class).first()
    if band is None:
        raise DomainError("violations.fine_missing",
                          f"لا يوجد مبلغ غرامة للبند {item.code} في بلديات الفئة "
                          f"{municipality_class}.",
                          f"Item {item.code} has no fine for class {municipality_class} "
                          "municipalities.", field="item_code")
    share = size_share(size=size, on=on)
    base = halalas(max(band.fine_min, band.fine_max * share / Decimal(100)))
    multiplier = repeat_multiplier(item, occurrence)
    raw = halalas(base * multiplier)
    cap = halalas(band.fine_max * item.repeat_cap_factor)
    amount = min(raw, cap)
    return FineQuote(item_code=item.code, municipality_class=municipality_class,
                     fine_min=band.fine_min, fine_max=band.fine_max, size=size, share=share,
                     base=base, occurrence=occurrence, multiplier=multiplier, cap=cap,
                     capped=raw > cap, amount=amount)


def occurrence_of(*, offender_key: str, item: ViolationItem, on: dt.date,
                  exclude_violation_id: int | None = None) -> int:
    """1 + the fines for the same item against the same offender recorded within the item's
    look-back before `on` (fines not confirmed, or cancelled on objection, do not count)."""
    since = on - dt.timedelta(days=item.repeat_lookback_days)
    earlier = ViolationLine.objects.filter(
        item_code=item.code, violation__offender_key=offender_key,
        violation__kind=NoticeKind.FINE, status__in=COUNTED_LINE_STATUSES,
        violation__recorded_at__date__gte=since, violation__recorded_at__date__lte=on)
    if exclude_violation_id is not None:
        earlier = earlier.exclude(violation_id=exclude_violation_id)
    return earlier.count() + 1
