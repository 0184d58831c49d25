"""The permits app's API routes: each part of the journey lists its own."""

from . import api_apply, api_permits

app_name = "permits_api"
urlpatterns = [
    *api_apply.urlpatterns,
    *api_permits.urlpatterns,
]
