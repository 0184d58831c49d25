"""What a signed-in account may reach before its sign-in is complete.

A citizen whose mobile is not confirmed reaches only the confirmation; every other page sends
them there and every API call is refused with `auth.mobile_unconfirmed`. Staff who gave their
password but not their second factor reach only enrolment or verification of it
(`auth.second_factor_required` on the API). This is checked on
every request, not once after sign-in, so an address typed by hand or an API client holding
the session cookie meets the same door.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from amanah.errors import PermissionDenied
from amanah.permissions import person_for_user

from .second_factor import has_second_factor, needs_second_factor

# Always reachable, whatever is missing: leaving, the language switch, health probes.
_ALWAYS_OPEN = {"amanah:sign_out", "set_language", "healthz", "readyz"}
# Reachable by a citizen whose mobile is unconfirmed.
_MOBILE_OPEN = _ALWAYS_OPEN | {"amanah:confirm_mobile", "amanah:resend_code"}
# Reachable by staff who have given their password but not yet their second factor.
_SECOND_FACTOR_OPEN = _ALWAYS_OPEN | {"amanah:second_factor_enrol", "amanah:second_factor_qr",
                                      "amanah:second_factor_verify"}


def mobile_unconfirmed_error() -> PermissionDenied:
    return PermissionDenied(
        "auth.mobile_unconfirmed", "أكّد رقم جوالك قبل استخدام البوابة.",
        "Confirm your mobile number before using the portal.", status=403)


def second_factor_required_error() -> PermissionDenied:
    return PermissionDenied(
        "auth.second_factor_required", "أكمل تسجيل الدخول بالعامل الثاني أولاً.",
        "Finish signing in with your second factor first.", status=403)


def staff_needs_second_factor(user) -> bool:
    """Staff signed in with the password only: no verified OTP device on this session."""
    is_verified = getattr(user, "is_verified", None)
    return needs_second_factor(user) and not (is_verified is not None and is_verified())


def citizen_needs_mobile_confirmation(user) -> bool:
    person = person_for_user(user)
    return person is not None and person.mobile_confirmed_at is None


def _url_name(request) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None  # the 404 page is an error page: always shown
    return match.view_name


def _api_refusal(error: PermissionDenied) -> JsonResponse:
    return JsonResponse({"code": error.code, "detail": error.message,
                         "detail_ar": error.message_ar, "detail_en": error.message_en},
                        status=error.status)


class AccountGateMiddleware:
    """Keeps a signed-in account on its unfinished step (mobile confirmation, staff second
    factor) until it is done. After django_otp's OTPMiddleware, which says whether the session
    is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def _refusal(self, request):
        if request.path_info.startswith(settings.STATIC_URL):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if citizen_needs_mobile_confirmation(user):
            name = _url_name(request)
            if name is None or name in _MOBILE_OPEN:
                return None
            if request.path_info.startswith("/api/"):
                return _api_refusal(mobile_unconfirmed_error())
            return redirect("amanah:confirm_mobile")
        if staff_needs_second_factor(user):
            name = _url_name(request)
            if name is None or name in _SECOND_FACTOR_OPEN:
                return None
            if request.path_info.startswith("/api/"):
                return _api_refusal(second_factor_required_error())
            return redirect("amanah:second_factor_verify" if has_second_factor(user)
                            else "amanah:second_factor_enrol")
        return None

