"""A district is stored by its code (as permits knows it); people read its name."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def district_label(code: str, names: dict | None) -> str:
    """`names` is code → (Arabic, English), from permits.public.district_names_in; a code
    with no name on record shows as it is."""
    if not code:
        return ""
    pair = (names or {}).get(code)
    if pair is None:
        return code
    return pair[1] if (get_language() or "ar").startswith("en") else pair[0]
