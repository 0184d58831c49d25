"""Machine-to-machine endpoints (SADAD's, under settings.MACHINE_PATH_PREFIXES) are answered
through a short middleware stack of their own, settings.MACHINE_MIDDLEWARE.

The portal's stack is built for people: sessions, sign-in and its second factor, the account
gate, messages, the page's language, CSRF, lockouts, limits by page name. None of it applies to
a bank's server posting signed XML (the SADAD views are csrf_exempt, authenticate by signature
and read no session, user or language), yet together it was about a quarter of a payment
notification's CPU. The machine stack keeps everything that shapes SADAD's answers or guards
the door: the security headers (SecurityMiddleware, the CSP, Permissions-Policy and no-store,
X-Frame-Options), the request id, the unsafe-input and body-size guards, and CommonMiddleware
(ALLOWED_HOSTS, Content-Length); tests/amanah/test_machine_stack.py holds it to answering
exactly as the full stack did.

The fork is the first middleware of MIDDLEWARE rather than a second WSGI application in
wsgi.py, so that every way in — gunicorn, Django's test client, any other server — takes the same
route: the suite's SADAD tests exercise the stack production runs.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.utils import translation
from django.utils.module_loading import import_string

_ANONYMOUS = AnonymousUser()


class MachineHandler(BaseHandler):
    """Django's request handling (URL resolution, view middleware, error pages) with the
    middleware of settings.MACHINE_MIDDLEWARE; synchronous, as the portal's WSGI server is."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django's own load_middleware reads settings.MIDDLEWARE by name; this is it for
        # another list, without the async adaptation the WSGI portal never needs.
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(settings.MACHINE_MIDDLEWARE):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(
                    instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler


class MachineEndpointsMiddleware:
    """First in MIDDLEWARE: a request for a machine path goes down the machine stack instead of
    the rest of this one."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.MACHINE_PATH_PREFIXES)
        self.machine = MachineHandler()
        self.machine.load_middleware()

    def __call__(self, request):
        if self.prefixes and request.path_info.startswith(self.prefixes):
            # No LocaleMiddleware on this path: a gthread worker's thread would otherwise keep
            # the language of the page it served last (for an error page's words).
            translation.activate(settings.LANGUAGE_CODE)
            return self.machine._middleware_chain(request)
        return self.get_response(request)


class NobodySignedInMiddleware:
    """Where AuthenticationMiddleware stands in the portal's stack: nobody signs in on a machine
    path (the server at the other end is known by its signature), so `request.user` is the
    signed-out visitor, read from no session. An error page's shell shows what it showed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = _ANONYMOUS
        return self.get_response(request)
