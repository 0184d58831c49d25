"""Helpers the workflow pages share."""

from django.shortcuts import render
from django.utils.translation import get_language

from ..enums import SlaStatus


def is_english() -> bool:
    return (get_language() or "ar").startswith("en")


def label(obj) -> str:
    if obj is None:
        return ""
    return (obj.name_en or obj.name_ar) if is_english() else obj.name_ar


def forbidden(request):
    return render(request, "amanah/forbidden.html", status=403)


SLA_BADGES = {SlaStatus.ON_TRACK: "badge-ok", SlaStatus.AT_RISK: "badge-warn",
              SlaStatus.OVERDUE: "badge-danger"}

