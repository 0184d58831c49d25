"""Nafath-style identity verification: the portal asks, the person approves in the provider's app.

1. `start(national_id)`: the provider opens a request and answers a transaction id and a random
   two-digit number; the portal shows the number.
2. In the provider's app the person sees three numbers and chooses the one the portal shows
   (or rejects); a wrong choice rejects the request.
3. `status(transaction_id)`: the portal asks for the outcome: waiting, approved (with the
   verified national ID and the names the national registry holds), rejected or expired.

Two implementations of `NafathClient`:
- `HttpNafathClient`, for production: JSON over HTTPS to the provider (NAFATH_BASE_URL), the
  application's id and key in headers. The wire contract is in its docstring.
- `SimulatedNafathClient`, for demo and training only: the requests live in the cache and the
  "app" is a page of the portal marked as training (amanah.auth.identity_views).
"""

import json
import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.cache import cache

from amanah import clock
from amanah.errors import DomainError

logger = logging.getLogger(__name__)

WAITING, APPROVED, REJECTED, EXPIRED = "waiting", "approved", "rejected", "expired"


@dataclass(frozen=True)
class NafathRequest:
    transaction_id: str
    random: str  # two digits, shown by the portal


@dataclass(frozen=True)
class NafathOutcome:
    status: str  # WAITING, APPROVED, REJECTED or EXPIRED
    national_id: str = ""
    name_ar: str = ""
    name_en: str = ""


class NafathUnavailable(Exception):
    """The provider did not answer, or answered something that is not its contract."""


def provider_unavailable_error() -> DomainError:
    return DomainError(
        "identity.provider_unavailable",
        "خدمة نفاذ غير متاحة الآن. حاول مرة أخرى بعد قليل.",
        "The Nafath service is not available right now. Try again in a few minutes.",
        status=503)


class NafathClient(Protocol):
    key: str

    def start(self, *, national_id: str) -> NafathRequest: ...

    def status(self, *, transaction_id: str, national_id: str, random: str) -> NafathOutcome: ...


class HttpNafathClient:
    """The provider over HTTPS. Requests and answers are JSON; every request carries the
    `APP-ID` and `APP-KEY` headers.

    - `POST {base}/api/v1/mfa/request` `{"nationalId", "service"}` →
      `{"transId": str, "random": "NN"}`
    - `POST {base}/api/v1/mfa/request/status` `{"nationalId", "transId", "random"}` →
      `{"status": "WAITING" | "COMPLETED" | "REJECTED" | "EXPIRED",
        "person": {"nationalId", "nameAr", "nameEn"}}` (`person` only when COMPLETED)

    Anything else (network error, non-2xx, malformed JSON, an unknown status) raises
    NafathUnavailable: the portal never guesses an outcome.
    """

    key = "nafath"
    _STATUSES = {"WAITING": WAITING, "COMPLETED": APPROVED, "REJECTED": REJECTED,
                 "EXPIRED": EXPIRED}

    def __init__(self, *, base_url: str, app_id: str, app_key: str, service: str,
                 timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.app_id, self.app_key, self.service, self.timeout = app_id, app_key, service, timeout

    def _post(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(  # noqa: S310 - the URL is the configured https base
            f"{self.base_url}{path}", data=json.dumps(body).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     "APP-ID": self.app_id, "APP-KEY": self.app_key})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read(64 * 1024).decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            logger.warning("nafath %s failed: %s", path, error)
            raise NafathUnavailable(str(error)) from error
        if not isinstance(answer, dict):
            raise NafathUnavailable("answer is not an object")
        return answer

    def start(self, *, national_id: str) -> NafathRequest:
        answer = self._post("/api/v1/mfa/request",
                            {"nationalId": national_id, "service": self.service})
        transaction_id, random = answer.get("transId"), str(answer.get("random", ""))
        if not isinstance(transaction_id, str) or not transaction_id or len(transaction_id) > 100 \
                or len(random) != 2 or not random.isdigit():
            raise NafathUnavailable("malformed start answer")
        return NafathRequest(transaction_id=transaction_id, random=random)

    def status(self, *, transaction_id: str, national_id: str, random: str) -> NafathOutcome:
        answer = self._post("/api/v1/mfa/request/status",
                            {"nationalId": national_id, "transId": transaction_id,
                             "random": random})
        status = self._STATUSES.get(answer.get("status"))
        if status is None:
            raise NafathUnavailable("unknown status")
        if status != APPROVED:
            return NafathOutcome(status=status)
        person = answer.get("person")
        if not isinstance(person, dict) or not isinstance(person.get("nationalId"), str) \
                or not isinstance(person.get("nameAr"), str) or not person["nameAr"].strip():
            raise NafathUnavailable("approved without the person's data")
        name_en = person.get("nameEn") if isinstance(person.get("nameEn"), str) else ""
        return NafathOutcome(status=APPROVED, national_id=person["nationalId"],
                             name_ar=person["nameAr"].strip()[:200],
                             name_en=name_en.strip()[:200])


class SimulatedNafathClient:
    """Nafath simulated inside the portal, for demo and training. Never for real people:
    anyone who opens its approval page may approve."""

    key = "nafath_simulator"
    _PREFIX = "nafath-simulator:"

    def _cache_key(self, transaction_id: str) -> str:
        return self._PREFIX + transaction_id

    def start(self, *, national_id: str) -> NafathRequest:
        transaction_id = secrets.token_hex(16)
        random = f"{secrets.randbelow(90) + 10}"
        others = set()
        while len(others) < 2:
            candidate = f"{secrets.randbelow(90) + 10}"
            if candidate != random:
                others.add(candidate)
        choices = sorted([random, *others])
        ttl = settings.NAFATH_REQUEST_TTL_SECONDS
        cache.set(self._cache_key(transaction_id), {
            "national_id": national_id, "random": random, "choices": choices,
            "decision": WAITING, "name_ar": "", "name_en": "",
            "expires_at": (clock.now().timestamp() + ttl),
        }, timeout=ttl + 3600)
        return NafathRequest(transaction_id=transaction_id, random=random)

    def request_get(self, *, transaction_id: str) -> dict | None:
        """The simulated app's view of a request (None when unknown)."""
        return cache.get(self._cache_key(transaction_id))

    def decide(self, *, transaction_id: str, chosen: str, name_ar: str, name_en: str) -> str:
        """The person's answer in the simulated app: the right number approves (with the names
        the simulated registry returns), any other number or "reject" rejects."""
        entry = self.request_get(transaction_id=transaction_id)
        if entry is None or entry["decision"] != WAITING:
            return entry["decision"] if entry else EXPIRED
        if clock.now().timestamp() >= entry["expires_at"]:
            entry["decision"] = EXPIRED
        elif chosen == entry["random"] and name_ar.strip():
            entry.update(decision=APPROVED, name_ar=name_ar.strip()[:200],
                         name_en=name_en.strip()[:200])
        else:
            entry["decision"] = REJECTED
        cache.set(self._cache_key(transaction_id), entry, timeout=3600)
        return entry["decision"]

    def status(self, *, transaction_id: str, national_id: str, random: str) -> NafathOutcome:
        entry = self.request_get(transaction_id=transaction_id)
        if entry is None:
            return NafathOutcome(status=EXPIRED)
        if entry["decision"] == APPROVED:
            return NafathOutcome(status=APPROVED, national_id=entry["national_id"],
                                 name_ar=entry["name_ar"], name_en=entry["name_en"])
        if entry["decision"] == WAITING and clock.now().timestamp() >= entry["expires_at"]:
            return NafathOutcome(status=EXPIRED)
        return NafathOutcome(status=entry["decision"])


def nafath_client() -> NafathClient:
    """The configured provider (IDENTITY_PROVIDER): the real service or the training one."""
    if settings.IDENTITY_PROVIDER == "nafath":
        return HttpNafathClient(base_url=settings.NAFATH_BASE_URL,
                                app_id=settings.NAFATH_APP_ID, app_key=settings.NAFATH_APP_KEY,
                                service=settings.NAFATH_SERVICE,
                                timeout=settings.NAFATH_TIMEOUT_SECONDS)
    if settings.IDENTITY_PROVIDER == "nafath_simulator":
        return SimulatedNafathClient()
    raise NafathUnavailable("no identity provider is configured")


def is_simulated() -> bool:
    return settings.IDENTITY_PROVIDER == "nafath_simulator"
