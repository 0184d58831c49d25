"""Headers every answer of the portal carries, beside the CSP (django-csp) and Django's own.

- `Permissions-Policy`: the browser features the portal never uses are off for it and for
  anything it might embed (settings.PERMISSIONS_POLICY).
- `Cache-Control: no-store`: nothing the portal's views make is kept by a browser or a shared
  cache. Most pages are personal (a signed-in person's bills, a bill inquiry's answer, a receipt
  check), and deciding page by page would leave the next new page cached by default; static
  files are not made here and keep their long cache (whitenoise, hashed names).
"""

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
