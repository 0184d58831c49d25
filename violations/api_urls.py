"""Violations API: /api/v1/violations/… (no language prefix)."""

from . import api_field, api_objections, api_offender

app_name = "violations_api"
urlpatterns = [
    *api_field.urlpatterns,  # inspections from field devices, with idempotency keys
    *api_offender.urlpatterns,  # the catalogue, the caller's violations
    *api_objections.urlpatterns,  # the caller's objections
]
