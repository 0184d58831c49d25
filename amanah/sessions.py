"""Signed-in sessions end after a while without activity, and after a fixed lifetime however
active. Staff sessions idle out sooner: they open other people's records.

The session's clock (when it started, when it was last used, its idle limit) is kept in the
cache (Redis in production) under the session's key, not in the session row: marking activity
then never adds a database write to a request. The start is also written into the session when
the session is being saved anyway (the sign-in request), so a lost cache entry never gives a
session a fresh lifetime. Times are business time (amanah.clock), so tests move them with the
clock fixture.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.shortcuts import redirect
from django.utils.translation import ngettext

from . import clock
from .permissions import is_staff_member

STARTED = "amanah.session_started"
# Activity is written back at most this often, so that a burst of requests is not a burst of
# cache writes; an idle limit is then kept to within this many seconds.
TOUCH_EVERY_SECONDS = 60


def idle_seconds_for(user) -> int:
    staff = user.is_superuser or user.is_staff or is_staff_member(user)
    return settings.SESSION_IDLE_SECONDS_STAFF if staff else settings.SESSION_IDLE_SECONDS_CITIZEN


def _clock_key(session) -> str:
    # The session key is a bearer secret: only its digest is written into the cache's key names.
    digest = hashlib.sha256(session.session_key.encode()).hexdigest()
    return f"amanah:session-clock:{digest}"


def _expired_message(*, lifetime_over: bool, idle_limit: int) -> str:
    if lifetime_over:
        hours = settings.SESSION_COOKIE_AGE // 3600
        return ngettext(
            "Your session reached its longest allowed time (%(hours)s hour). "
            "Sign in again to continue.",
            "Your session reached its longest allowed time (%(hours)s hours). "
            "Sign in again to continue.", hours) % {"hours": hours}
    minutes = idle_limit // 60
    return ngettext(
        "You were signed out after %(minutes)s minute without activity, to keep your "
        "account safe. Sign in to continue.",
        "You were signed out after %(minutes)s minutes without activity, to keep your "
        "account safe. Sign in to continue.", minutes) % {"minutes": minutes}


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
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (session is not None and session.modified and STARTED not in session
                and request.user.is_authenticated):
            # Saved at the end of this request anyway (a sign-in): no write of our own.
            session[STARTED] = clock.now().timestamp()
        return response

    def _expired(self, request) -> str | None:
        session = request.session
        now = clock.now().timestamp()
        key = _clock_key(session)
        state = cache.get(key)
        if state is None:
            state = {"started": session.get(STARTED, now), "seen": now,
                     "idle": idle_seconds_for(request.user)}
            cache.set(key, state, timeout=settings.SESSION_COOKIE_AGE)
        if now - state["started"] > settings.SESSION_COOKIE_AGE:
            return _expired_message(lifetime_over=True, idle_limit=state["idle"])
        if now - state["seen"] > state["idle"]:
            return _expired_message(lifetime_over=False, idle_limit=state["idle"])
        if now - state["seen"] >= TOUCH_EVERY_SECONDS:
            cache.set(key, {**state, "seen": now}, timeout=settings.SESSION_COOKIE_AGE)
        return None
