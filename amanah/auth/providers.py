"""How someone proves who they are. The portal signs people in through an IdentityProvider.

Today there is one: national ID / iqama (or staff username) and password. The national single
sign-on (Nafath / IAM) is meant to be added as a second implementation of the same protocol:
it would send the person to the national service, receive the verified national ID back, and
return `user_for_verified_national_id(...)`; the sign-in view, the lockout and the sessions
stay as they are.
"""

from typing import Protocol

from django.contrib.auth import authenticate

from amanah.identity import digits_normalise
from amanah.models import Person, User


class IdentityProvider(Protocol):
    key: str  # stable name, stored nowhere yet but used in logs and URLs

    def authenticate(self, request, **credentials) -> User | None:
        """The user these credentials prove, or None. Must pass `request` on to Django's
        `authenticate()` so that django-axes counts failures and locks out."""
        ...


class PasswordIdentityProvider:
    """ID/iqama number (Arabic-Indic digits accepted) or staff username, plus password."""

    key = "password"

    def authenticate(self, request, **credentials) -> User | None:
        username = digits_normalise(credentials.get("username", ""))
        password = credentials.get("password", "")
        if not username or not password:
            return None
        return authenticate(request, username=username, password=password)


def user_for_verified_national_id(national_id: str) -> User | None:
    """For providers that verify the ID themselves (SSO): the active account of that person."""
    person = (Person.objects.select_related("user")
              .filter(national_id=digits_normalise(national_id), user__is_active=True).first())
    return person.user if person else None


def sign_in_provider() -> IdentityProvider:
    return PasswordIdentityProvider()
