"""`X-Sadad-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]` (spec §1)."""

import hashlib
import hmac
import re

FRESHNESS_SECONDS = 300
HEADER = "X-Sadad-Signature"
_HEX64 = re.compile(r"[0-9a-fA-F]{64}", re.ASCII)
_UNIX = re.compile(r"\d{1,12}", re.ASCII)


class SignatureInvalid(Exception):
    """Missing, malformed, or matching no configured key (E_SIGNATURE)."""


class SignatureStale(Exception):
    """Authentic but `t` is more than 300 s from now (E_STALE)."""


def signature_compute(key: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def signature_header(keys: str | list[str], timestamp: int, body: bytes) -> str:
    """The header value signed with one key, or with several while keys rotate."""
    keys = [keys] if isinstance(keys, str) else keys
    signatures = ",".join(f"v1={signature_compute(key, timestamp, body)}" for key in keys)
    return f"t={timestamp},{signatures}"


def _header_parse(header: str | None) -> tuple[int, list[str]]:
    if not header:
        raise SignatureInvalid("signature header missing")
    timestamp = None
    signatures = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureInvalid("malformed signature header")
        if name == "t":
            if timestamp is not None or not _UNIX.fullmatch(value):
                raise SignatureInvalid("malformed t in signature header")
            timestamp = int(value)
        elif name == "v1":
            if not _HEX64.fullmatch(value):
                raise SignatureInvalid("malformed v1 in signature header")
            signatures.append(value.lower())
        # Other schemes (a future v2) are ignored, so SADAD can add one without breaking us.
    if timestamp is None or not signatures:
        raise SignatureInvalid("signature header needs t and at least one v1")
    return timestamp, signatures


def signature_parse(header: str | None) -> tuple[int, list[str]]:
    """(t, [v1 hex…]) of a header, for callers that hash a large body as a stream."""
    return _header_parse(header)


def signature_verify(header: str | None, body: bytes, *, keys: list[str], now: int) -> int:
    """Authentic if any v1 matches any key; then fresh within ±300 s. Returns `t`."""
    timestamp, signatures = _header_parse(header)
    matched = False
    # Every comparison runs (no early exit) so timing says nothing about which key matched.
    for key in keys:
        if not key:
            continue
        expected = signature_compute(key, timestamp, body)
        for provided in signatures:
            matched |= hmac.compare_digest(expected, provided)
    if not matched:
        raise SignatureInvalid("no signature matches a configured key")
    if abs(now - timestamp) > FRESHNESS_SECONDS:
        raise SignatureStale(f"t is {now - timestamp} s from now")
    return timestamp
