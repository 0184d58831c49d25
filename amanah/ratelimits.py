"""Rate limits on Redis (the cache), one mechanism for pages and the API.

A *scope* ("bill_inquiry", "sign_up"…) has rules, each "what to count by = rate", e.g.
`address=30/m,id=10/h`. Pages are limited by their URL name (`RATE_LIMITED_PAGES`, applied by
`RateLimitMiddleware`); API views use `amanah.throttles.ScopeLimitThrottle` with the same scope,
so the page and the API of one look-up draw on the same counters.

What a rule counts by:
- `address`: the client's address as our trusted proxies saw it (`amanah.client_address`);
- `id`: the ID number the request names (`official_id`, `national_id` or `username`), so that
  rotating addresses cannot look one person up faster than the limit;
- `account`: the signed-in account, or for a signed-out form the ID it names;
- `mobile`: the mobile number a form names (the phone an SMS would go to).

Only requests that do work count: POSTs, and GETs that name an ID (a look-up). Rules are
checked in their order and counting stops at the first one over its limit, so a client refused
for its address does not also use up the budget of the ID it typed.
"""

import dataclasses
import fnmatch
import functools
import hashlib
import re

from django.conf import settings
from django.core import checks
from django.core.cache import cache

from amanah import clock
from amanah.client_address import client_bucket
from amanah.errors import DomainError
from amanah.identity import digits_normalise, mobile_normalise

KINDS = ("address", "id", "account", "mobile")
ID_FIELDS = ("official_id", "national_id", "username")
MOBILE_FIELDS = ("mobile",)
_UNITS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600,
          "d": 86400, "day": 86400}
_RULE = re.compile(r"^(?P<kind>[a-z]+)=(?P<count>\d+)/(?P<many>\d*)(?P<unit>[a-z]+)$")


@dataclasses.dataclass(frozen=True)
class Rule:
    kind: str
    count: int
    seconds: int


@functools.lru_cache(maxsize=64)
def rules_parse(text: str) -> tuple[Rule, ...]:
    """`address=30/m,id=10/h` → its rules; ValueError says what is wrong."""
    rules = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        match = _RULE.match(part.replace(" ", ""))
        if not match or match["kind"] not in KINDS or match["unit"] not in _UNITS:
            raise ValueError(f"{part!r}: write kind=count/period, kind one of {KINDS}, "
                             "period like m, 10m, h, d")
        seconds = int(match["many"] or 1) * _UNITS[match["unit"]]
        if int(match["count"]) < 1:
            raise ValueError(f"{part!r}: the count must be at least 1")
        rules.append(Rule(match["kind"], int(match["count"]), seconds))
    return tuple(rules)


def scope_for_url_name(view_name: str | None) -> str | None:
    """The scope a page's URL name is limited by; a name may end with `*` to cover a family
    (`amanah:password_reset*`)."""
    if not view_name:
        return None
    pages = settings.RATE_LIMITED_PAGES
    if view_name in pages:
        return pages[view_name]
    for pattern, scope in pages.items():
        if pattern.endswith("*") and fnmatch.fnmatchcase(view_name, pattern):
            return scope
    return None


def _django_request(request):
    return getattr(request, "_request", request)  # a DRF Request wraps Django's


def _field(request, names) -> str:
    request = _django_request(request)
    for source in (request.POST, request.GET):
        for name in names:
            value = source.get(name)
            if value:
                return value
    return ""


def _id_value(request) -> str:
    # `١٠٢…`, `102…` and `102 …` are one person to the counter, as they are to the look-up.
    raw = digits_normalise(_field(request, ID_FIELDS))
    return re.sub(r"[\s\-]", "", raw).casefold()


def _mobile_value(request) -> str:
    raw = _field(request, MOBILE_FIELDS)
    if not raw:
        return ""
    try:
        return mobile_normalise(raw)
    except DomainError:
        return re.sub(r"\D", "", digits_normalise(raw))


def _counted_by(request, kind: str) -> str:
    if kind == "address":
        return client_bucket(request)
    if kind == "id":
        return _id_value(request)
    if kind == "mobile":
        return _mobile_value(request)
    user = getattr(_django_request(request), "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    value = _id_value(request)
    return f"id:{value}" if value else ""


def request_does_work(request) -> bool:
    """POSTs, and GETs that look something up by an ID: a form's empty page is free."""
    request = _django_request(request)
    if request.method == "POST":
        return True
    return request.method in ("GET", "HEAD") and any(request.GET.get(f) for f in ID_FIELDS)


def _hit(key: str, seconds: int) -> int:
    cache.add(key, 0, timeout=seconds + 5)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a fresh window
        cache.add(key, 1, timeout=seconds + 5)
        return 1


def limit_check(request, scope: str, *, every_request: bool = False) -> int | None:
    """Count this request in `scope`; None when it may go on, else the seconds to wait.
    `every_request`: a page whose URL itself is the look-up (a QR code's token) counts each
    GET, not only those naming an ID."""
    if not every_request and not request_does_work(request):
        return None
    now = clock.now().timestamp()
    for rule in rules_parse(settings.RATE_LIMITS[scope]):
        value = _counted_by(request, rule.kind)
        if not value:
            continue  # nothing to count by (e.g. no ID typed): the view refuses the form
        window = int(now // rule.seconds)
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        key = (f"{settings.RATE_LIMIT_NAMESPACE}:{scope}:{rule.kind}:{rule.seconds}:"
               f"{window}:{digest}")
        if _hit(key, rule.seconds) > rule.count:
            return max(1, int((window + 1) * rule.seconds - now))
    return None


@checks.register(checks.Tags.security)
def rate_limits_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A mistyped limit stops the start-up instead of leaving a door open."""
    errors = []
    for scope, text in settings.RATE_LIMITS.items():
        try:
            rules_parse(text)
        except ValueError as exc:
            errors.append(checks.Error(f"RATE_LIMITS[{scope!r}]: {exc}", id="amanah.E101"))
    for name, scope in settings.RATE_LIMITED_PAGES.items():
        if scope not in settings.RATE_LIMITS:
            errors.append(checks.Error(f"RATE_LIMITED_PAGES[{name!r}] names the unknown "
                                       f"scope {scope!r}", id="amanah.E102"))
    if settings.TRUSTED_PROXY_COUNT < 0:
        errors.append(checks.Error("TRUSTED_PROXY_COUNT cannot be negative", id="amanah.E103"))
    return errors


def rate_limited_page(request, wait_seconds: int):
    """429 in the portal's page shell, in the page's language, with Retry-After."""
    from .error_pages import too_many_requests

    return too_many_requests(request, retry_after=wait_seconds)


class RateLimitMiddleware:
    """Limits pages by their resolved URL name (`RATE_LIMITED_PAGES`), before the view runs:
    a refused request looks nothing up, creates nothing and sends nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        scope = scope_for_url_name(match.view_name if match else None)
        if scope is None:
            return None
        wait = limit_check(request, scope)
        return rate_limited_page(request, wait) if wait is not None else None
