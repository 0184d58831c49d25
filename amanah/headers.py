"""Headers every answer of the portal carries, beside the CSP (django-csp) and Django's own.

- `Permissions-Policy`: the browser features the portal never uses are off for it and for
  anything it might embed (settings.PERMISSIONS_POLICY).
- `Cache-Control: no-store`: nothing the portal's views make is kept by a browser or a shared
  cache. Most pages are personal (a signed-in person's bills, a bill inquiry's answer, a receipt
  check), and deciding page by page would leave the next new page cached by default; static
  files are not made here and keep their long cache (whitenoise, hashed names).
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.utils.cache import add_never_cache_headers


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """{"camera": [], "geolocation": ["self"]} → 'camera=(), geolocation=(self)'."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PrivacyHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.permissions_policy)
        # A view that already forbade storing (the receipt PDF: "private, no-store") is left
        # with its own words.
        if "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


class FixedPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy of the settings built once, not per answer (the
    build was ~3% of a SADAD notification's CPU). For the machine stack (amanah.machine): its
    views set no policy of their own and use no nonce; an answer that does either still gets
    django-csp's own per-answer build."""

    PER_ANSWER = ("_csp_config", "_csp_update", "_csp_replace",
                  "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")

    def __init__(self, get_response):
        super().__init__(get_response)
        self.headers = []
        for header, setting, exempt, report_only in (
                (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
                (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro",
                 True)):
            policy = build_policy(report_only=report_only)
            excluded = tuple((getattr(settings, setting, None) or {})
                             .get("EXCLUDE_URL_PREFIXES", None) or ())
            if policy:
                self.headers.append((header, policy, exempt, excluded))

    def process_response(self, request, response):
        if (getattr(request, "_csp_nonce", None) is not None
                or any(hasattr(response, name) for name in self.PER_ANSWER)
                or (settings.DEBUG and response.status_code in (404, 500))):
            return super().process_response(request, response)
        for header, policy, exempt, excluded in self.headers:
            if (header not in response and not getattr(response, exempt, False)
                    and not request.path_info.startswith(excluded)):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error, not a
        # nonce silently missing from the policy.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
