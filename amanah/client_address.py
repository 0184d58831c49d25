"""Which address a request comes from: the one answer used by every limit and by the lockout.

`X-Forwarded-For` is written by whoever sends the request. Only the entries our own proxies
appended can be trusted: with `TRUSTED_PROXY_COUNT` = N, the client is the Nth entry from the
right (each of our N proxies appended the address it received the request from). Everything to
its left is the client's own words and is ignored. With 0 (no proxy in front), the header is
ignored altogether and the peer address (`REMOTE_ADDR`) is the client.
"""

import ipaddress

from django.conf import settings

# One IPv6 subscriber is given a whole /64 and may use any address in it: limits count the
# network, or a client could rotate through 2^64 "different" addresses.
IPV6_BUCKET_PREFIX = 64


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _client_ip(request) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    request = getattr(request, "_request", request)  # a DRF Request wraps Django's
    peer = _ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    entries = [e for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
    if len(entries) < proxies:
        # The request did not pass through the proxies we were told of: the peer is all we
        # know for sure.
        return peer
    return _ip(entries[-proxies]) or peer


def client_address(request) -> str:
    """The client's address as our trusted proxies saw it (an IP address as text)."""
    address = _client_ip(request)
    return str(address) if address is not None else "0.0.0.0"  # noqa: S104 - not a bind


def client_bucket(request) -> str:
    """What limits and the lockout count by: the address, or its /64 network for IPv6. Always
    a valid IP address (the network's first), so it fits axes' address column too."""
    address = _client_ip(request)
    if address is None:
        return "0.0.0.0"  # noqa: S104 - not a bind
    if isinstance(address, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network(f"{address}/{IPV6_BUCKET_PREFIX}", strict=False)
        return str(network.network_address)
    return str(address)
