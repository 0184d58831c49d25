"""The permits app's API routes: each part of the journey lists its own."""

from . import api_apply, api_permits
from .licences import api as api_licences

app_name = "permits_api"
urlpatterns = [
    *api_apply.urlpatterns,
    *api_permits.urlpatterns,
    *api_licences.urlpatterns,  # issue 10: /api/v1/licences/…
]
