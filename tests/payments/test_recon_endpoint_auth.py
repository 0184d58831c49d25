"""Authenticate before storing (issue 8, point 6): `POST /sadad/reconciliation-files` refuses a
missing, malformed or stale signature header before it reads a byte of the body, caps the body
while it streams, and leaves nothing on disk after any refusal — a bad signature found at the
end, a body over the cap, a client that goes away half-way.

The body is `tests.samples.Body`: made on demand and counting what the portal reads from it.
"""

import pytest

from amanah import clock
from payments.models import ReconRun
from payments.sadad.signing import signature_header
from tests.samples import Body

from .factories import now_unix

pytestmark = pytest.mark.django_db

RECON_URL = "/sadad/reconciliation-files"
MB = 1024 * 1024


@pytest.fixture
def store(settings, tmp_path):
    folder = tmp_path / "sadad-recon"
    settings.SADAD_RECON_STORE = str(folder)
    return folder


def _stored(folder) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def _file_body(total: int) -> Body:
    return Body(b"<SADAD>", total, b"</SADAD>")


def _post(client, body: Body, signature: str | None, **extra):
    headers = {} if signature is None else {"X-Sadad-Signature": signature}
    return client.generic("POST", RECON_URL, data=b"-", content_type="application/xml",
                          headers=headers, **{"wsgi.input": body,
                                              "CONTENT_LENGTH": str(body.total), **extra})


def _refused_with(response, status: int, code: str, security_log) -> None:
    assert response.status_code == status
    assert f"<StatusCode>{code}</StatusCode>".encode() in response.content
    assert [r.getMessage().split(" rq_uid=")[0] for r in security_log()] == [
        f"refused SADAD reconciliation file: {status} {code}"]


@pytest.mark.parametrize(("header", "code"), [
    pytest.param(None, "E_SIGNATURE", id="missing"),
    pytest.param("t=1", "E_SIGNATURE", id="no-v1"),
    pytest.param("v1=" + "ab" * 32, "E_SIGNATURE", id="no-t"),
    pytest.param("t=soon,v1=" + "ab" * 32, "E_SIGNATURE", id="t-not-a-number"),
    pytest.param("t=1,v1=" + "ab" * 32, "E_STALE", id="forged-with-t-1"),
    pytest.param("stale", "E_STALE", id="authentic-but-301s-old"),
    pytest.param("future", "E_STALE", id="301s-in-the-future"),
])
def test_a_bad_or_stale_header_is_refused_before_any_of_the_body_is_read(
        client, settings, store, security_log, header, code):
    # given a 100 MB body behind a header that is missing, malformed or outside ±300 s
    body = _file_body(100 * MB)
    now = int(clock.now().timestamp())
    if header in ("stale", "future"):
        header = signature_header(settings.SADAD_INBOUND_KEYS[0],
                                  now - 301 if header == "stale" else now + 301, b"")
    # when it is posted
    response = _post(client, body, header)
    # then it is refused without reading a byte, and nothing is stored or recorded
    _refused_with(response, 401, code, security_log)
    assert body.read_bytes == 0
    assert _stored(store) == []
    assert ReconRun.objects.count() == 0


def test_a_forged_signature_found_at_the_end_of_the_stream_leaves_nothing_on_disk(
        client, store, security_log):
    # given a fresh header whose signature is forged, over an 8 MB body
    body = _file_body(8 * MB)
    forged = signature_header("not-a-key-sadad-signs-with", now_unix(), b"")
    # when it is posted
    response = _post(client, body, forged)
    # then it was read to its end to check it, refused, and the part written is gone
    _refused_with(response, 401, "E_SIGNATURE", security_log)
    assert body.read_bytes == body.total
    assert _stored(store) == []
    assert ReconRun.objects.count() == 0


def test_a_body_declared_over_the_cap_is_refused_unread(client, settings, store, security_log):
    # given a cap of 1 MB on reconciliation files, and a fresh, well-formed header
    settings.SADAD_RECON_MAX_BYTES = MB
    body = _file_body(MB + 1)
    header = signature_header(settings.SADAD_INBOUND_KEYS[0], now_unix(), b"")
    # when a body one byte over is posted
    response = _post(client, body, header)
    # then it is refused as too large before any of it is read
    _refused_with(response, 413, "E_TOO_LARGE", security_log)
    assert body.read_bytes == 0
    assert _stored(store) == []


def test_a_body_without_a_content_length_is_refused_unread(client, settings, store,
                                                          security_log):
    # given a fresh, well-formed header over a body sent without a Content-Length (chunked):
    # its size could be known only by reading it, and Django reads no body it has no length for
    body = _file_body(4 * MB)
    header = signature_header(settings.SADAD_INBOUND_KEYS[0], now_unix(), b"")
    # when it is posted
    response = _post(client, body, header, CONTENT_LENGTH="")
    # then the sender is told to say the length, before any of it is read
    _refused_with(response, 411, "E_LENGTH", security_log)
    assert body.read_bytes == 0
    assert _stored(store) == []


class _Disconnecting(Body):
    """A client that goes away after sending `after` bytes."""

    def __init__(self, *args, after: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.after = after

    def _take(self, size, *, line):
        if self.read_bytes >= self.after:
            raise OSError("client closed the connection")
        return super()._take(min(size, self.after - self.read_bytes), line=line)


def test_a_client_that_goes_away_half_way_leaves_nothing_on_disk(client, settings, store,
                                                                security_log):
    # given an authentic-looking delivery of 8 MB whose client leaves after 3 MB
    body = _Disconnecting(b"<SADAD>", 8 * MB, b"</SADAD>", after=3 * MB)
    header = signature_header(settings.SADAD_INBOUND_KEYS[0], now_unix(), b"")
    # when it is posted
    response = _post(client, body, header)
    # then the delivery is refused (never a 500), and the part written is gone
    _refused_with(response, 400, "E_SCHEMA", security_log)
    assert body.read_bytes == 3 * MB
    assert _stored(store) == []
    assert ReconRun.objects.count() == 0


def test_a_body_shorter_than_its_content_length_is_refused_and_removed(client, settings, store,
                                                                      security_log):
    # given a delivery that declares 8 MB and ends after 2 MB (a connection cut by a proxy)
    body = _file_body(2 * MB)
    header = signature_header(settings.SADAD_INBOUND_KEYS[0], now_unix(), b"")
    # when it is posted
    response = _post(client, body, header, CONTENT_LENGTH=str(8 * MB))
    # then it is refused as incomplete, and the part written is gone
    _refused_with(response, 400, "E_SCHEMA", security_log)
    assert _stored(store) == []
    assert ReconRun.objects.count() == 0


def test_a_notification_far_over_its_cap_gets_the_spec_answer_unread(client, security_log):
    # given a 100 MB payment notification (the spec caps them at 1 MiB)
    body = _file_body(100 * MB)
    header = signature_header("any", now_unix(), b"")
    # when it is posted
    response = client.generic("POST", "/sadad/payment-notifications", data=b"-",
                              content_type="application/xml",
                              headers={"X-Sadad-Signature": header},
                              **{"wsgi.input": body, "CONTENT_LENGTH": str(body.total)})
    # then it gets the spec's XML answer (not the portal's generic one), unread
    assert response.status_code == 413
    assert b"<StatusCode>E_TOO_LARGE</StatusCode>" in response.content
    assert body.read_bytes == 0
