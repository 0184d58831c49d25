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


class SignatureVerifier:
    """The §1 check of a body that arrives in chunks (a 512 MiB reconciliation file is never
    held in memory): parse the header first, `update` with each chunk, then `verify`.

    Same rules as `signature_verify`, which is this class fed the whole body at once."""

    def __init__(self, header: str | None, *, keys: list[str]):
        self.timestamp, self._provided = _header_parse(header)
        prefix = f"{self.timestamp}.".encode("ascii")
        # An empty configured key never matches: it would sign with a secret everyone knows.
        self._macs = [hmac.new(key.encode(), prefix, hashlib.sha256) for key in keys if key]

    def update(self, chunk: bytes) -> None:
        for mac in self._macs:
            mac.update(chunk)

    def fresh_check(self, *, now: int) -> None:
        """Refuse a `t` outside ±300 s from the header alone, before any of the body is read:
        an endpoint that stores while it streams never writes a stale delivery to disk."""
        if abs(now - self.timestamp) > FRESHNESS_SECONDS:
            raise SignatureStale(f"t is {now - self.timestamp} s from now")

    def verify(self, *, now: int) -> int:
        """Authentic if any v1 matches any key; then fresh within ±300 s. Returns `t`."""
        matched = False
        # Every comparison runs (no early exit) so timing says nothing about which key matched.
        for mac in self._macs:
            expected = mac.hexdigest()
            for provided in self._provided:
                matched |= hmac.compare_digest(expected, provided)
        if not matched:
            raise SignatureInvalid("no signature matches a configured key")
        self.fresh_check(now=now)
        return self.timestamp


def signature_verify(header: str | None, body: bytes, *, keys: list[str], now: int) -> int:
    """Authentic if any v1 matches any key; then fresh within ±300 s. Returns `t`."""
    verifier = SignatureVerifier(header, keys=keys)
    verifier.update(body)
    return verifier.verify(now=now)
