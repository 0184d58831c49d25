"""Exact fines from the SEEDED catalogue: for several items, every municipality class × every
size × the 1st to 4th occurrence, each amount worked out here from the seeded row's own numbers
by the formula in violations/fines.py's docstring — and a hand-written table with literal
amounts, so the formula itself is pinned and not only re-derived."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from violations.catalogue import CATALOGUE_FROM, violation_catalogue_seed
from violations.enums import ShareSize
from violations.fines import fine_compute, item_in_force
from violations.models import ItemFine, SizeShare

pytestmark = pytest.mark.django_db

ON = CATALOGUE_FROM + dt.timedelta(days=200)
# A serious item (×1/×2/×4, cap 3), a warned-first one (×1/×2/×3, cap 2.5), a minor one
# (×1/×1.5/×2, cap 2) and a building item with wide ranges.
# Whether the cap can bite: a gentle item's last multiplier (×2) equals its cap (2 × max).
TABLE_ITEMS = {"HL-001": True, "HL-002": True, "CA-007": False, "BC-003": True,
               "SA-005": True}
SIZES = [ShareSize.LARGE, ShareSize.MEDIUM, ShareSize.SMALL, ShareSize.MICRO,
         ShareSize.INDIVIDUAL]


@pytest.fixture
def seeded(db):
    violation_catalogue_seed()


def _halalas(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _expected(item, municipality_class: int, size: str, occurrence: int) -> Decimal:
    """min(max(class min, class max × share) × multiplier, class max × cap), read straight from
    the seeded rows."""
    row = ItemFine.objects.get(item=item, municipality_class=municipality_class)
    share = SizeShare.objects.filter(size=size, effective_from__lte=ON).order_by(
        "-effective_from").first().percent
    base = _halalas(max(row.fine_min, row.fine_max * share / 100))
    multipliers = item.repeat_multipliers
    multiplier = Decimal(multipliers[min(occurrence, len(multipliers)) - 1])
    return min(_halalas(base * multiplier), _halalas(row.fine_max * item.repeat_cap_factor))


@pytest.mark.parametrize("code", TABLE_ITEMS)
def test_every_class_size_and_occurrence_of_a_seeded_item(seeded, code):
    # given the seeded version of the item in force on ON
    item = item_in_force(code=code, on=ON)
    capped = 0
    for municipality_class in range(1, 6):
        for size in SIZES:
            for occurrence in range(1, 5):
                # when the fine is computed
                quote = fine_compute(item=item, municipality_class=municipality_class,
                                     size=size, occurrence=occurrence, on=ON)
                # then it is exactly the formula over the seeded numbers
                expected = _expected(item, municipality_class, size, occurrence)
                assert quote.amount == expected, (municipality_class, size, occurrence)
                assert quote.capped == (expected < _halalas(
                    quote.base * quote.multiplier))
                capped += quote.capped
    # and the cap bites somewhere in the table (large offenders on a 3rd or 4th occurrence)
    assert (capped > 0) == TABLE_ITEMS[code]


# (item, class, size, occurrence, amount) worked out by hand from the seed's data:
# HL-001 class 1: 2,000–10,000, ×1/×2/×4, cap 3 × max; class 3 = × 0.6 (1,200–6,000)
# CA-007 class 1: 200–1,000, ×1/×1.5/×2, cap 2 × max; class 5 = × 0.4 (80–400)
# BC-003 class 2: 16,000–80,000, ×1/×2/×4, cap 3 × max (240,000)
HAND_TABLE = [
    ("HL-001", 1, ShareSize.LARGE, 1, "10000.00"),   # max × 100 %
    ("HL-001", 1, ShareSize.LARGE, 2, "20000.00"),   # × 2
    ("HL-001", 1, ShareSize.LARGE, 3, "30000.00"),   # × 4 = 40,000, capped at 3 × 10,000
    ("HL-001", 1, ShareSize.MICRO, 1, "2500.00"),    # 25 % of 10,000 over the 2,000 minimum
    ("HL-001", 1, ShareSize.MICRO, 4, "10000.00"),   # 2,500 × 4 (the last multiplier)
    ("HL-001", 3, ShareSize.MEDIUM, 1, "4500.00"),   # 75 % of 6,000
    ("HL-001", 3, ShareSize.MICRO, 1, "1500.00"),    # 25 % of 6,000 = 1,500 ≥ 1,200
    ("CA-007", 5, ShareSize.MICRO, 1, "100.00"),     # 25 % of 400 = 100 ≥ 80
    ("CA-007", 5, ShareSize.SMALL, 2, "300.00"),     # 200 × 1.5
    ("CA-007", 5, ShareSize.LARGE, 3, "800.00"),     # 400 × 2 = the cap exactly, not over
    ("CA-007", 1, ShareSize.INDIVIDUAL, 4, "1000.00"),  # 500 × 2
    ("BC-003", 2, ShareSize.LARGE, 4, "240000.00"),  # 80,000 × 4, capped at 240,000
    ("BC-003", 2, ShareSize.SMALL, 3, "160000.00"),  # 40,000 × 4 — under the cap
]


@pytest.mark.parametrize(("code", "municipality_class", "size", "occurrence", "amount"),
                         HAND_TABLE)
def test_hand_worked_fines(seeded, code, municipality_class, size, occurrence, amount):
    # given the seeded item; when its fine is computed; then it is the amount worked by hand
    quote = fine_compute(item=item_in_force(code=code, on=ON),
                         municipality_class=municipality_class, size=size,
                         occurrence=occurrence, on=ON)
    assert quote.amount == Decimal(amount)


def test_the_cap_flag_and_snapshot_of_a_capped_fine(seeded):
    # given HL-001 in a class 1 municipality, a large establishment, its 3rd occurrence
    quote = fine_compute(item=item_in_force(code="HL-001", on=ON), municipality_class=1,
                         size=ShareSize.LARGE, occurrence=3, on=ON)
    # then the snapshot the line keeps says how the amount was reached
    assert quote.snapshot() == {
        "item": "HL-001", "class": 1, "min": "2000.00", "max": "10000.00", "size": "large",
        "share": "100.00", "base": "10000.00", "occurrence": 3, "multiplier": "4",
        "cap": "30000.00", "capped": True, "amount": "30000.00"}
