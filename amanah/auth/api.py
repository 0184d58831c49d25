"""The API's session authentication, with the portal's own doors (see amanah.auth.gate)."""

from rest_framework.authentication import SessionAuthentication

from .gate import citizen_needs_mobile_confirmation, mobile_unconfirmed_error


class PortalSessionAuthentication(SessionAuthentication):
    """The portal's session, refused (403 `auth.mobile_unconfirmed`) until the mobile is
    confirmed. The gate middleware already answers API paths; this holds the same rule for
    any view reached another way (tests calling views directly, a future mount point)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and citizen_needs_mobile_confirmation(result[0]):
            raise mobile_unconfirmed_error()
        return result
