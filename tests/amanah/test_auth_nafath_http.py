"""The production Nafath client against a local fake of the provider (a real HTTP server on
127.0.0.1, no outside network): what it sends, what it understands, and what it refuses."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from amanah.auth import nafath
from amanah.auth.verifications import identity_verification_refresh, identity_verification_start
from amanah.enums import IdentityVerificationPurpose
from amanah.enums import IdentityVerificationStatus as Status
from amanah.errors import DomainError
from amanah.models import IdentityVerification
from tests.factories import national_id_for

pytestmark = pytest.mark.django_db

NATIONAL_ID = national_id_for(4242)


class FakeNafath:
    """Answers each path with the next queued (status, body); records what it was sent."""

    def __init__(self):
        self.answers: dict[str, list[tuple[int, object]]] = {}
        self.received: list[tuple[str, dict, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.received.append((self.path, self.headers, body))  # case-insensitive
                status, answer = fake.answers[self.path].pop(0)
                raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def queue(self, path: str, status: int, body) -> None:
        self.answers.setdefault(path, []).append((status, body))


@pytest.fixture
def provider(settings):
    fake = FakeNafath()
    settings.IDENTITY_PROVIDER = "nafath"
    settings.NAFATH_BASE_URL = fake.url
    settings.NAFATH_APP_ID = "amanah-portal"
    settings.NAFATH_APP_KEY = "key-123"
    settings.NAFATH_SERVICE = "PortalSignUp"
    yield fake
    fake.server.shutdown()


START, STATUS = "/api/v1/mfa/request", "/api/v1/mfa/request/status"


def _start(provider) -> IdentityVerification:
    provider.queue(START, 200, {"transId": "tx-1", "random": "37"})
    return identity_verification_start(national_id=NATIONAL_ID,
                                       purpose=IdentityVerificationPurpose.SIGN_UP)


def test_start_sends_the_id_with_the_application_credentials(provider):
    verification = _start(provider)
    path, headers, body = provider.received[0]
    assert path == START
    assert headers.get("APP-ID") == "amanah-portal" and headers.get("APP-KEY") == "key-123"
    assert body == {"nationalId": NATIONAL_ID, "service": "PortalSignUp"}
    assert (verification.provider, verification.transaction_id, verification.random) == (
        "nafath", "tx-1", "37")
    assert verification.status == Status.PENDING


def test_an_approval_brings_the_verified_names(provider):
    verification = _start(provider)
    provider.queue(STATUS, 200, {"status": "WAITING"})
    provider.queue(STATUS, 200, {"status": "COMPLETED", "person": {
        "nationalId": NATIONAL_ID, "nameAr": "نورة سعد", "nameEn": "Noura Saad"}})
    assert identity_verification_refresh(verification=verification).status == Status.PENDING
    approved = identity_verification_refresh(verification=verification)
    assert approved.status == Status.APPROVED
    assert (approved.name_ar, approved.name_en) == ("نورة سعد", "Noura Saad")
    assert provider.received[-1][2] == {"nationalId": NATIONAL_ID, "transId": "tx-1",
                                        "random": "37"}


@pytest.mark.parametrize(("answer", "status"), [
    ({"status": "REJECTED"}, Status.REJECTED),
    ({"status": "EXPIRED"}, Status.EXPIRED),
    # The provider vouching for another ID than was asked is never taken as approval.
    ({"status": "COMPLETED", "person": {"nationalId": national_id_for(1), "nameAr": "غيره"}},
     Status.REJECTED),
])
def test_rejections_expiry_and_a_different_id_bind_nothing(provider, answer, status):
    verification = _start(provider)
    provider.queue(STATUS, 200, answer)
    assert identity_verification_refresh(verification=verification).status == status


@pytest.mark.parametrize(("http_status", "body"), [
    (500, {"error": "down"}),
    (200, b"not json"),
    (200, {"status": "MAYBE"}),
    (200, {"status": "COMPLETED"}),
    (200, {"status": "COMPLETED", "person": {"nationalId": NATIONAL_ID, "nameAr": ""}}),
])
def test_a_broken_answer_is_unavailable_never_approved(provider, http_status, body):
    verification = _start(provider)
    provider.queue(STATUS, http_status, body)
    with pytest.raises(DomainError) as refused:
        identity_verification_refresh(verification=verification)
    assert refused.value.code == "identity.provider_unavailable"
    assert refused.value.status == 503
    verification.refresh_from_db()
    assert verification.status == Status.PENDING


@pytest.mark.parametrize("answer", [{"transId": "tx"}, {"random": "12"},
                                    {"transId": "tx", "random": "123"}])
def test_a_malformed_start_creates_no_verification(provider, answer):
    provider.queue(START, 200, answer)
    with pytest.raises(DomainError) as refused:
        identity_verification_start(national_id=NATIONAL_ID,
                                    purpose=IdentityVerificationPurpose.SIGN_UP)
    assert refused.value.code == "identity.provider_unavailable"
    assert IdentityVerification.objects.count() == 0


def test_an_unreachable_provider_is_said_plainly(settings):
    settings.IDENTITY_PROVIDER = "nafath"
    settings.NAFATH_BASE_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.NAFATH_TIMEOUT_SECONDS = 2
    with pytest.raises(DomainError) as refused:
        identity_verification_start(national_id=NATIONAL_ID,
                                    purpose=IdentityVerificationPurpose.SIGN_UP)
    assert refused.value.code == "identity.provider_unavailable"
    assert nafath.is_simulated() is False
