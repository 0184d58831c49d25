"""How someone proves who they are. The portal signs people in through an IdentityProvider.

Signing in is by national ID / iqama (or staff username) and password, followed by a second
step (an SMS code on a new device for citizens, TOTP for staff). Binding a national ID to an
account in the first place is proven by Nafath (amanah.auth.nafath: the portal shows a number,
the person chooses it in the Nafath app, Nafath returns the verified ID and names) and spent
once by `amanah.services.person_register`; a sign-in provider that verifies the ID itself would
return `user_for_verified_national_id(...)` and leave the sign-in view, lockout and sessions
as they are.
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
