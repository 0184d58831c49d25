"""The pages a visitor meets when something goes wrong: 400, 403, 404, 429, 500.

Pages are the portal's own (its shell, the URL's language, a way on); under /api/ the answer is
the API's JSON error with a stable code, whatever failed. Nothing here shows what went wrong
inside: an exception's text is never rendered.
"""

import math

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language, gettext

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request is not None and request.path.startswith(API_PREFIX)


def _api_error(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def bad_request(request, exception=None):
    if _is_api(request):
        return _api_error("request.malformed", gettext("The request could not be understood."),
                          400)
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    if _is_api(request):
        return _api_error("auth.forbidden", gettext("You may not do this."), 403)
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if _is_api(request):
        return _api_error("not_found", gettext("Not found."), 404)
    return render(request, "404.html", status=404)


def server_error(request=None):
    """Made from the template alone: no database, no context processors, no request data —
    whatever broke the page may have broken those too."""
    if _is_api(request):
        return _api_error("server_error", gettext("Something went wrong on our side. "
                                                  "Try again later."), 500)
    language = (get_language() or "ar")[:2]
    html = loader.get_template("500.html").render({
        "language": language, "is_rtl": language == "ar",
        "request_id": getattr(request, "request_id", ""),
    })
    return HttpResponse(html, status=500)


def too_many_requests(request, *, retry_after: int, status: int = 429):
    """The designed page for a rate limit or a lockout, with `Retry-After` (seconds).

    For the throttles and lockouts of the portal's pages; the API's throttles answer JSON."""
    minutes = max(1, math.ceil(retry_after / 60))
    response = render(request, "429.html", {"minutes": minutes}, status=status)
    response["Retry-After"] = str(int(retry_after))
    return response


def csrf_failure(request, reason=""):
    """A form sent without a valid security token: most often a page left open too long."""
    if _is_api(request):
        return _api_error("auth.csrf_failed", gettext("Security token missing or invalid; "
                                                      "reload and try again."), 403)
    return render(request, "403_csrf.html", status=403)
