"""The API's session authentication, with the portal's own doors (see amanah.auth.gate)."""

from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication

from .gate import (
    citizen_needs_mobile_confirmation,
    mobile_unconfirmed_error,
    second_factor_required_error,
    staff_needs_second_factor,
)


class PortalSessionAuthentication(SessionAuthentication):
    """The portal's session, refused (403 `auth.mobile_unconfirmed`) until the mobile is
    confirmed, and for staff until the second factor is given (`auth.second_factor_required`).
    The gate middleware already answers API paths; this holds the same rule for
    any view reached another way (tests calling views directly, a future mount point)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and citizen_needs_mobile_confirmation(result[0]):
            raise mobile_unconfirmed_error()
        # DRF's request.user is the session's user, verified (or not) by OTPMiddleware.
        if result is not None and staff_needs_second_factor(request._request.user):
            raise second_factor_required_error()
        return result


class PortalSessionScheme(SessionScheme):
    """The API reference describes it as the session cookie it is (`cookieAuth`)."""

    target_class = "amanah.auth.api.PortalSessionAuthentication"
