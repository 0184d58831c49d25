"""The portal's URLs plus pages that fail on purpose, to see the error pages as a visitor does."""

from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.urls import path

from amanah.urls import handler400, handler403, handler404, handler500  # noqa: F401
from amanah.urls import urlpatterns as portal_urlpatterns

FAILURES = {
    "400": BadRequest("a NUL byte in the query\x00 SECRET-DETAIL"),
    "403": PermissionDenied("SECRET-DETAIL"),
    "404": Http404("SECRET-DETAIL"),
    "500": RuntimeError("SECRET-DETAIL"),
}


def fail(request, kind: str):
    raise FAILURES[kind]


urlpatterns = [
    *portal_urlpatterns,
    path("api/v1/test-fail/<str:kind>/", fail),
    *i18n_patterns(path("test-fail/<str:kind>/", fail), prefix_default_language=True),
]
