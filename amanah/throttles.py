"""DRF throttles. Every throttle class of the API derives from `PortalThrottle`, whose
`get_ident` is `amanah.client_address.client_bucket`: DRF's own takes X-Forwarded-For as the
client wrote it, so a new header per request escaped every limit."""

from rest_framework import throttling

from .client_address import client_bucket
from .ratelimits import limit_check


class PortalThrottle(throttling.BaseThrottle):
    def get_ident(self, request) -> str:
        return client_bucket(request)


class AnonRateThrottle(PortalThrottle, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(PortalThrottle, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(PortalThrottle, throttling.ScopedRateThrottle):
    pass


class ScopeLimitThrottle(PortalThrottle):
    """The API side of a page's limit: the same scope, rules and Redis counters
    (`amanah.ratelimits`). Subclasses name the scope."""

    scope: str = ""

    def allow_request(self, request, view) -> bool:
        self._wait = limit_check(request, self.scope)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait
