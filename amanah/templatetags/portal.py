"""Template filters every page uses: bilingual fields, dual calendar dates, SAR amounts."""

from django import template
from django.utils.translation import get_language

from amanah.dates import dual_date_format, gregorian_format, hijri_format
from amanah.money import sar_format

register = template.Library()


def _language() -> str:
    return get_language() or "ar"


@register.filter
def localized(obj, field: str = "name"):
    """`{{ municipality|localized }}` → name_ar or name_en; `{{ svc|localized:"description" }}`."""
    if obj is None:
        return ""
    suffix = "en" if _language().startswith("en") else "ar"
    value = getattr(obj, f"{field}_{suffix}", "") or getattr(obj, f"{field}_ar", "")
    return value


@register.filter
def dual_date(value):
    """Hijri and Gregorian side by side, in the page's language."""
    return dual_date_format(value, _language()) if value else ""


@register.filter
def hijri_date(value):
    return hijri_format(value, _language()) if value else ""


@register.filter
def gregorian_date(value):
    return gregorian_format(value, _language()) if value else ""


@register.filter
def sar(value):
    """`150.5` → `150.50 ر.س` / `SAR 150.50`."""
    return "" if value is None else sar_format(value, _language())
