"""Project URL map. Pages live under /ar/ and /en/; machine endpoints have no language prefix."""

from django.apps import apps
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from amanah import error_pages, health

# Designed pages for every error, in the URL's language; JSON with a stable code under /api/.
handler400 = error_pages.bad_request
handler403 = error_pages.permission_denied
handler404 = error_pages.page_not_found
handler500 = error_pages.server_error

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("sadad/", include("payments.sadad.urls")),
    path("api/v1/", include("amanah.api_urls")),
    path("api/v1/", include("workflow.api_urls")),
    path("api/v1/", include("payments.api_urls")),
    path("api/v1/", include("permits.api_urls")),
    path("api/v1/", include("violations.api_urls")),
]

# The simulated SADAD's pages exist only where its app is installed (demo mode).
demo_pages = ([path("payments/", include("payments.sadad.simulator.urls"))]
              if apps.is_installed(settings.SADAD_SIMULATOR_APP) else [])

urlpatterns += i18n_patterns(
    path("", include("amanah.page_urls")),
    path("transactions/", include("workflow.urls")),
    path("payments/", include("payments.urls")),
    *demo_pages,
    path("permits/", include("permits.urls")),
    path("violations/", include("violations.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

# MEDIA_ROOT is never served as such, not even in development: everything in it (receipts,
# case documents) is private and goes out only through views that check who is asking.
