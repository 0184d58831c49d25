"""The HTTP face of the SADAD adapter: `POST /sadad/payment-notifications` (spec §3)."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from amanah.request_limits import body_limit_exempt

from .inbound import MAX_BODY_BYTES, notification_handle, refusal
from .signing import HEADER


def _xml(status: int, body: bytes) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/xml; charset=utf-8")


@body_limit_exempt  # its own cap (1 MiB), answered in the spec's XML
@csrf_exempt
@require_POST
def payment_notifications(request):
    remote = request.META.get("REMOTE_ADDR", "")
    if request.content_type != "application/xml":
        answer = refusal(415, "E_MEDIA", "Content-Type must be application/xml", remote=remote)
        return _xml(answer.status, answer.body)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        answer = refusal(413, "E_TOO_LARGE", "body over 1 MiB", remote=remote)
        return _xml(answer.status, answer.body)
    # Never more than 1 MiB + 1 byte in memory, whatever Content-Length claimed.
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        answer = refusal(413, "E_TOO_LARGE", "body over 1 MiB", remote=remote)
        return _xml(answer.status, answer.body)
    answer = notification_handle(body=body, signature=request.headers.get(HEADER),
                                 remote=remote)
    return _xml(answer.status, answer.body)
