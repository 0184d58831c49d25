"""Sign-in lockout that one attacker cannot turn against everyone else (django-axes handler).

Failures lock, for the cool-off time (AXES_COOLOFF_HOURS):
1. the (account, address) pair after AXES_FAILURE_LIMIT failures — the guesser is stopped on
   that account, and the account's owner, at any other address, is not;
2. the address after SIGN_IN_ADDRESS_FAILURE_LIMIT failures over any accounts — one password
   sprayed over many usernames is stopped. A success from that address does not wipe this
   count (AXES_LOCKOUT_PARAMETERS resets only the pair), or an attacker with an account of
   their own could sign in between sprays;
3. the account, but only for addresses it has never been signed in from, once failures on it
   came from SIGN_IN_ACCOUNT_ADDRESS_LIMIT distinct addresses — a guesser spread over many
   addresses is stopped, while the owner, at an address they signed in from before (the
   office, home), still gets in. A plain per-account limit would hand anyone who knows a staff
   username a way to lock that person out; this one needs many addresses to trigger and even
   then cannot shut the owner out where they usually are.

Addresses are `amanah.client_address.client_bucket` (AXES_CLIENT_IP_CALLABLE): what our
trusted proxies saw, never what the client wrote, and IPv6 counted by /64.
"""

import datetime as dt

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

# How long a successful sign-in makes an address "known" for its account (rule 3).
KNOWN_ADDRESS_DAYS = 90


def _sum(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The pair's failures, or the failure limit itself when rule 2 or 3 locks."""
        limit = get_failure_limit(request, credentials)
        username = get_client_username(request, credentials)
        address = request.axes_ip_address
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        pair = _sum(recent.filter(username=username, ip_address=address))
        if pair >= limit:
            return pair
        if _sum(recent.filter(ip_address=address)) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
            return limit
        if username and self._spread(recent, username) and not self._known(username, address):
            return limit
        return pair

    def _spread(self, recent, username: str) -> bool:
        addresses = (recent.filter(username=username).values("ip_address").distinct()
                     .count())
        return addresses >= settings.SIGN_IN_ACCOUNT_ADDRESS_LIMIT

    def _known(self, username: str, address: str) -> bool:
        since = timezone.now() - dt.timedelta(days=KNOWN_ADDRESS_DAYS)
        return AccessLog.objects.filter(username=username, ip_address=address,
                                        attempt_time__gte=since).exists()
