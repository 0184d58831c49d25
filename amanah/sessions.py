"""Signed-in sessions end after a while without activity, and after a fixed lifetime however
active. Staff sessions idle out sooner: they open other people's records.

Times are business time (amanah.clock), so tests move them with the clock fixture.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import ngettext

from . import clock
from .permissions import is_staff_member

STARTED = "amanah.session_started"
LAST_SEEN = "amanah.session_last_seen"
IDLE_LIMIT = "amanah.session_idle_seconds"
# Activity is written back at most this often, so that a burst of requests is not a burst of
# session writes; an idle limit is then kept to within this many seconds.
TOUCH_EVERY_SECONDS = 60


def idle_seconds_for(user) -> int:
    staff = user.is_superuser or user.is_staff or is_staff_member(user)
    return settings.SESSION_IDLE_SECONDS_STAFF if staff else settings.SESSION_IDLE_SECONDS_CITIZEN


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware. A session past its idle limit or
    its lifetime is signed out; a page request is sent to sign in (and back afterwards), an
    API call goes on as anonymous and gets the API's "not signed in" answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            expired = self._expired(request)
            if expired is not None:
                logout(request)
                messages.info(request, expired)
                if not request.path.startswith("/api/"):
                    if request.method == "GET":
                        return redirect_to_login(request.get_full_path())
                    # What was posted is not acted on: the person signs in and starts again.
                    return redirect(settings.LOGIN_URL)
        return self.get_response(request)

    def _expired(self, request) -> str | None:
        session = request.session
        now = clock.now().timestamp()
        if STARTED not in session:
            # The first request of a sign-in: the limits are fixed for the session's life.
            session[STARTED] = session[LAST_SEEN] = now
            session[IDLE_LIMIT] = idle_seconds_for(request.user)
            return None
        idle_limit = session.get(IDLE_LIMIT, settings.SESSION_IDLE_SECONDS_STAFF)
        if now - session[STARTED] > settings.SESSION_COOKIE_AGE:
            hours = settings.SESSION_COOKIE_AGE // 3600
            return ngettext(
                "Your session reached its longest allowed time (%(hours)s hour). "
                "Sign in again to continue.",
                "Your session reached its longest allowed time (%(hours)s hours). "
                "Sign in again to continue.", hours) % {"hours": hours}
        if now - session.get(LAST_SEEN, 0) > idle_limit:
            minutes = idle_limit // 60
            return ngettext(
                "You were signed out after %(minutes)s minute without activity, to keep your "
                "account safe. Sign in to continue.",
                "You were signed out after %(minutes)s minutes without activity, to keep your "
                "account safe. Sign in to continue.", minutes) % {"minutes": minutes}
        if now - session[LAST_SEEN] >= TOUCH_EVERY_SECONDS:
            session[LAST_SEEN] = now
        return None


