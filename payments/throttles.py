"""The public inquiry's rate limit (DRF scope `public_inquiry`), shared by the API and the page."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class PublicInquiryThrottle(SimpleRateThrottle):
    """Per client address. The rate is read at each use so settings overrides apply."""

    scope = "public_inquiry"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
