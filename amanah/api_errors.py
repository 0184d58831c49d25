"""Every refusal under /api/ is the API's error body, even where no API view ran.

Integrators branch on `code` (amanah.api). An address under /api/ that matches no route, or a
request Django refuses before any view (a body over the size limit, a bad host), used to get
Django's HTML page instead — a body the schema does not document and a client cannot parse.
This middleware gives such 4xx answers the documented JSON body with the stable code of the
status (`not_found`, `method_not_allowed`, …), in the request's language.
"""

from django.http import JsonResponse
from rest_framework import exceptions

from .api import _DRF_CODES

API_PREFIX = "/api/"
# The DRF exception whose code and message stand for each status Django may answer with.
_BY_STATUS = {
    400: exceptions.ParseError,
    403: exceptions.PermissionDenied,
    404: exceptions.NotFound,
    405: exceptions.MethodNotAllowed,
}


def _is_json(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().endswith("json")


class ApiErrorBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.path_info.startswith(API_PREFIX) and 400 <= response.status_code < 500
                and not _is_json(response)):
            exc = _BY_STATUS.get(response.status_code)
            body = ({"code": _DRF_CODES[exc],
                     "detail": str(exc.default_detail).format(method=request.method)}
                    if exc else {"code": "error", "detail": response.reason_phrase})
            replacement = JsonResponse(body, status=response.status_code,
                                       json_dumps_params={"ensure_ascii": False})
            for header in ("Allow", "Retry-After", "X-Request-ID"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response
