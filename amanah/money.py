"""Money is Decimal SAR with exactly two places (halalas). Never float."""

from decimal import ROUND_HALF_UP, Decimal

HALALA = Decimal("0.01")


def sar(value) -> Decimal:
    """A Decimal rounded to halalas. Refuses floats, whose binary value is not the amount meant."""
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a str or Decimal")
    return Decimal(value).quantize(HALALA, rounding=ROUND_HALF_UP)


def sar_format(value, language: str = "ar") -> str:
    amount = f"{sar(value):,.2f}"
    return f"{amount} ر.س" if language.startswith("ar") else f"SAR {amount}"
