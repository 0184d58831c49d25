"""Characters no person types are refused at the door, before any view or query sees them.

PostgreSQL cannot store or even compare a string with a NUL byte (psycopg2 raises ValueError
before the query is sent), and a lone UTF-16 surrogate cannot be encoded for it at all, so one
such character in a bill number, a receipt token or a search box used to end in a 500 wherever
a view forgot to check. Rather than trusting every view, this middleware looks at the path, the
query string, form bodies and JSON bodies once, and answers 400: the API's error body with a
stable code for API views, Django's 400 page (handler400, in the shell) for pages.

Refused: C0 control characters and DEL. Tab, line feed and carriage return are allowed in the
query string and bodies (a textarea sends CR LF) but never in the path. In JSON bodies, lone
surrogates too (form bodies and query strings cannot carry one: Django decodes them with
replacement). Right-to-left marks and overrides are left alone: Arabic text uses them, and
fields with a pattern (numbers, IDs, codes) refuse them by their own validation.

Bodies are read only where Django or DRF would read them anyway before the view: the form body
of a view under CSRF protection (the CSRF check parses it) and the body of a DRF view. The
machine endpoints (SADAD's, csrf_exempt) read their own bodies after authenticating, so this
never reads them.

A cookie with such a character is dropped as if it had not been sent: a session key with a NUL
would otherwise reach the session table, and no browser sends one.
"""

import json
import re

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import JsonResponse
from rest_framework.views import APIView

from .errors import DomainError

# C0 controls and DEL, except tab, LF and CR.
_UNSAFE_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# In a path not even those.
_UNSAFE_PATH = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class UnsafeInput(DomainError, BadRequest):
    """A request carrying a character no person types. Raised to Django as a BadRequest, so
    pages answer with the portal's 400 page."""

    def __init__(self, field: str | None):
        super().__init__(
            "request.unsafe_characters",
            "يحتوي الطلب على رموز تحكم غير مقبولة. أعد كتابة ما أدخلته دون نسخه من مصدر آخر.",
            "The request contains control characters that cannot be accepted. Type what you "
            "entered again rather than pasting it.",
            field=field)

    def __str__(self) -> str:
        return self.message


def _unsafe_text(value: str) -> bool:
    return bool(_UNSAFE_TEXT.search(value))


def _unsafe_in_querydict(data) -> str | None:
    """The name of the first field whose name or value carries an unsafe character."""
    for key, values in data.lists():
        if _unsafe_text(key) or any(isinstance(v, str) and _unsafe_text(v) for v in values):
            return key
    return None


def _unsafe_in_json(node, path: str = "") -> str | None:
    """The dotted path of the first unsafe string (key or value) in a parsed JSON body."""
    if isinstance(node, str):
        return (path or "body") if _unsafe_text(node) or _SURROGATE.search(node) else None
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = ((str(index), value) for index, value in enumerate(node))
    else:
        return None
    for key, value in items:
        where = f"{path}.{key}" if path else key
        if _unsafe_text(key) or _SURROGATE.search(key):
            return where
        found = _unsafe_in_json(value, where)
        if found:
            return found
    return None


def _is_api_view(view_func) -> bool:
    view_class = getattr(view_func, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


def _content_type(request) -> str:
    return request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class UnsafeInputMiddleware:
    """Place before SessionMiddleware: it cleans the cookies before the session reads them,
    and judges the rest in `process_view`, once the language and the user are known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, value in list(request.COOKIES.items()):
            if _unsafe_text(name) or _UNSAFE_PATH.search(value):
                del request.COOKIES[name]
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        drf = _is_api_view(view_func)
        try:
            self._check(request, view_func, drf=drf)
        except UnsafeInput as refusal:
            if drf or request.path_info.startswith("/api/"):
                body = {"code": refusal.code, "detail": refusal.message,
                        "detail_ar": refusal.message_ar, "detail_en": refusal.message_en}
                if refusal.field:
                    body["field"] = refusal.field
                return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
            raise
        return None

    def _check(self, request, view_func, *, drf: bool) -> None:
        if _UNSAFE_PATH.search(request.path_info):
            raise UnsafeInput(None)
        field = _unsafe_in_querydict(request.GET)
        if field is not None:
            raise UnsafeInput(field)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        reads_body = drf or not getattr(view_func, "csrf_exempt", False)
        if not reads_body:
            return
        content_type = _content_type(request)
        if content_type in _FORM_TYPES:
            field = _unsafe_in_querydict(request.POST)
            if field is not None:
                raise UnsafeInput(field)
        elif drf and content_type.endswith("json") \
                and 0 < _declared_length(request) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            try:
                data = json.loads(request.body)
            except ValueError:
                return  # malformed JSON is DRF's to answer, with its own code
            field = _unsafe_in_json(data)
            if field is not None:
                raise UnsafeInput(field)
