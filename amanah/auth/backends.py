"""Sign-in backends. National single sign-on (Nafath / IAM) plugs in through
`amanah.auth.providers.IdentityProvider`; this backend serves the password provider."""

from django.contrib.auth.backends import ModelBackend

from amanah.identity import digits_normalise


class NationalIdBackend(ModelBackend):
    """Password sign-in by national ID / iqama (or staff username), Arabic-Indic digits allowed.

    Also the permission source for the Django admin: an active member with the ADMIN role
    has every model permission (see amanah.permissions for the whole mapping).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return None
        return super().authenticate(request, username=digits_normalise(username),
                                    password=password, **kwargs)

    def _is_portal_admin(self, user_obj) -> bool:
        from amanah.permissions import is_admin

        return user_obj.is_active and not user_obj.is_anonymous and is_admin(user_obj)

    def has_perm(self, user_obj, perm, obj=None):
        return self._is_portal_admin(user_obj) or super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        return self._is_portal_admin(user_obj) or super().has_module_perms(user_obj, app_label)


def axes_username(request, credentials) -> str:
    """The name axes counts failures under: `١٠٢…` and `102…` are the same person."""
    if credentials and credentials.get("username"):
        return digits_normalise(credentials["username"])
    data = getattr(request, "POST", None) or {}
    return digits_normalise(data.get("username", ""))
