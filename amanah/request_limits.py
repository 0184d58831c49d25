"""A request body that is not a form is refused from its Content-Length when it is over
DATA_UPLOAD_MAX_MEMORY_SIZE, before any of it is read.

Django holds a JSON, XML or text body whole in memory, and DRF's parsers read it through
`request.read()`, which DATA_UPLOAD_MAX_MEMORY_SIZE never sees: a signed-in client could make a
worker hold a body of any size. Forms are bounded where Django parses them (files by
`amanah.uploads.UploadLimitHandler` while they stream, fields by DATA_UPLOAD_MAX_MEMORY_SIZE),
and a view that caps its own body while it streams says so with `body_limit_exempt`.
"""

from django.conf import settings
from django.http import JsonResponse

from .errors import DomainError
from .uploads.policy import size_text

FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def body_limit_exempt(view):
    """For a view that caps and streams its own body (the SADAD reconciliation endpoint)."""
    view.body_limit_exempt = True
    return view


def request_too_large(limit: int) -> DomainError:
    return DomainError(
        "request.too_large",
        f"الطلب أكبر من الحجم المسموح (بحد أقصى {size_text(limit, 'ar')}).",
        f"The request is too large (at most {size_text(limit, 'en')}).", status=413)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if (limit is None or request.content_type in FORM_TYPES
                or getattr(view_func, "body_limit_exempt", False)):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None  # Django reads no body it has no length for
        if length <= limit:
            return None
        refusal = request_too_large(limit)
        # The API's error shape (amanah.api): only machines send such bodies.
        return JsonResponse({"code": refusal.code, "detail": refusal.message,
                             "detail_ar": refusal.message_ar, "detail_en": refusal.message_en},
                            status=refusal.status, json_dumps_params={"ensure_ascii": False})
