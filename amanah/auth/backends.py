"""Sign-in backends. National single sign-on (Nafath / IAM) plugs in here as another backend."""

from django.contrib.auth.backends import ModelBackend

from amanah.identity import digits_normalise


class NationalIdBackend(ModelBackend):
    """Password sign-in by national ID / iqama (or staff username), Arabic-Indic digits allowed."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return None
        return super().authenticate(request, username=digits_normalise(username),
                                    password=password, **kwargs)
