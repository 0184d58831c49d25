"""SADAD's endpoints (/sadad/…) are answered through the short machine middleware stack
(settings.MACHINE_MIDDLEWARE, amanah.machine), every other path through the portal's full one.

Checked through the real WSGI callable (amanah.wsgi.application, given a built environ — the
path gunicorn takes), against the same callable built with no machine prefixes (the full stack
for everything): the same status, the same body, the same security headers; only the headers
of the dropped middleware (Content-Language, Vary) are gone, and no cookie is ever set."""

import io
import sys
import uuid

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings

from amanah.wsgi import application
from tests.payments.factories import bill_make, notification, pmt, signed

pytestmark = pytest.mark.django_db

NOTIFY = "/sadad/payment-notifications"
RECON = "/sadad/reconciliation-files"
# Headers whose value differs between any two answers, whichever the stack.
PER_ANSWER = {"X-Request-ID", "Expires"}
# The only headers the full stack adds to SADAD's answers: LocaleMiddleware's and the Vary of
# a session and a language nobody reads on these paths.
FULL_STACK_ONLY = {"Content-Language", "Vary"}


class Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes):
        self.status_code = int(status.split()[0])
        self.header_list = headers
        self.headers = dict(headers)
        self.body = body

    def comparable_headers(self) -> dict[str, str]:
        return {name: ("…" if name in PER_ANSWER else value)
                for name, value in self.headers.items() if name not in FULL_STACK_ONLY}


@pytest.fixture
def wsgi_call():
    """Call a WSGI application as gunicorn does. Like Django's test client, the request does
    not close the test's database connection (that would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def call(app, method: str, path: str, *, body: bytes = b"", headers=None,
             content_length: int | None = None, query: str = "") -> Answer:
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": query,
            "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(body) if content_length is None else content_length),
            "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
            "wsgi.version": (1, 0)}
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            environ[key if key in ("CONTENT_TYPE", "HTTP_HOST") else f"HTTP_{key}"] = value
        started = []
        chunks = app(environ, lambda status, response_headers, *_: started.append(
            (status, response_headers)))
        try:
            body_out = b"".join(chunks)
        finally:
            chunks.close()
        return Answer(started[0][0], started[0][1], body_out)

    yield call
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def full_stack():
    """The same WSGI callable with no machine prefixes: every path through the full stack."""
    with override_settings(MACHINE_PATH_PREFIXES=()):
        yield WSGIHandler()


def _signed_post(wsgi_call, app, body: bytes, **kwargs) -> Answer:
    return wsgi_call(app, "POST", NOTIFY, body=body, headers={
        "Content-Type": "application/xml", "X-Sadad-Signature": signed(body)}, **kwargs)


def _accepted(rq_uid: str, sptn: str) -> bytes:
    return (f"<SADAD><BillerSvcRs><RqUID>{rq_uid}</RqUID><Status><StatusCode>0</StatusCode>"
            f"</Status><PmtNotifyRs><PmtRecStatus><PmtId>{sptn}</PmtId><Result>ACCEPTED</Result>"
            f"</PmtRecStatus></PmtNotifyRs></BillerSvcRs></SADAD>").encode()


def _same_answer(machine: Answer, full: Answer) -> None:
    assert machine.status_code == full.status_code
    assert machine.body == full.body
    assert machine.comparable_headers() == full.comparable_headers()
    assert not any(name == "Set-Cookie" for name, _ in machine.header_list)


def test_a_payment_notification_is_answered_as_by_the_full_stack(wsgi_call, full_stack):
    # given two unpaid bills, and a notification for each
    first, second = bill_make(amount="150.00"), bill_make(amount="150.00")
    rq_uids = [str(uuid.uuid4()), str(uuid.uuid4())]
    bodies = [notification([pmt(sptn=f"SPM{n}", billing_account=bill.billing_account)],
                           rq_uid=rq_uids[n]) for n, bill in enumerate((first, second))]
    # when one comes through the full stack and the other through the portal's WSGI callable
    full = _signed_post(wsgi_call, full_stack, bodies[0])
    machine = _signed_post(wsgi_call, application, bodies[1])
    # then both are accepted, in the same words, under the same security headers, no cookie
    assert full.body == _accepted(rq_uids[0], "SPM0")
    assert machine.body == _accepted(rq_uids[1], "SPM1")
    assert machine.status_code == full.status_code == 200
    assert machine.comparable_headers() == full.comparable_headers()
    assert set(machine.headers) == {
        "Content-Type", "Content-Length", "X-Frame-Options", "Permissions-Policy", "Expires",
        "Cache-Control", "Content-Security-Policy", "X-Request-ID", "X-Content-Type-Options",
        "Referrer-Policy", "Cross-Origin-Opener-Policy"}
    assert machine.headers["Content-Security-Policy"] == full.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in machine.headers["Content-Security-Policy"]
    assert machine.headers["Cache-Control"] == full.headers["Cache-Control"]
    assert machine.headers["Content-Length"] == str(len(machine.body))
    assert not any(name == "Set-Cookie" for name, _ in machine.header_list)
    # and a replay of the second (same RqUID, same body) gets the same stored answer
    replay = _signed_post(wsgi_call, application, bodies[1])
    _same_answer(replay, machine)


def _refusals(wsgi_call, app) -> dict[str, Answer]:
    body = notification([pmt(sptn="SPX", billing_account="10000000009")],
                        rq_uid="0b7c1f7e-8a55-4f47-9d43-b2a4f8f0a001")
    xml = {"Content-Type": "application/xml"}
    return {
        "bad signature": wsgi_call(app, "POST", NOTIFY, body=body, headers={
            **xml, "X-Sadad-Signature": "t=1,v1=00"}),
        "no signature": wsgi_call(app, "POST", NOTIFY, body=body, headers=xml),
        "not xml": wsgi_call(app, "POST", NOTIFY, body=body, headers={
            "Content-Type": "application/json", "X-Sadad-Signature": signed(body)}),
        "declared over 1 MiB": wsgi_call(app, "POST", NOTIFY, body=body, headers={
            **xml, "X-Sadad-Signature": signed(body)}, content_length=1024 * 1024 + 1),
        "sent over 1 MiB": _signed_post(wsgi_call, app, b"<" + b"x" * (1024 * 1024 + 1)),
        "GET": wsgi_call(app, "GET", NOTIFY),
        "recon not xml": wsgi_call(app, "POST", RECON, body=body, headers={
            "Content-Type": "text/plain"}),
        "recon declared too large": wsgi_call(app, "POST", RECON, body=body, headers=xml,
                                              content_length=2 ** 40),
        "no such SADAD path": wsgi_call(app, "POST", "/sadad/no-such", body=body, headers=xml),
        "control character in the query": wsgi_call(app, "POST", NOTIFY, body=body,
                                                    headers=xml, query="x=%01"),
        "host not allowed": wsgi_call(app, "POST", NOTIFY, body=body, headers={
            **xml, "Host": "evil.example", "X-Sadad-Signature": signed(body)}),
    }


def test_every_refusal_is_answered_as_by_the_full_stack(wsgi_call, full_stack):
    # given requests SADAD's endpoints refuse, sent through both stacks
    full = _refusals(wsgi_call, full_stack)
    machine = _refusals(wsgi_call, application)
    # then each is refused with the same status, body and security headers, and no cookie
    assert {case: answer.status_code for case, answer in machine.items()} == {
        "bad signature": 401, "no signature": 401, "not xml": 415, "declared over 1 MiB": 413,
        "sent over 1 MiB": 413, "GET": 405, "recon not xml": 415,
        "recon declared too large": 413, "no such SADAD path": 404,
        "control character in the query": 400, "host not allowed": 400}
    assert b"E_TOO_LARGE" in machine["declared over 1 MiB"].body
    assert b"E_TOO_LARGE" in machine["sent over 1 MiB"].body
    for case in machine:
        _same_answer(machine[case], full[case])


def test_a_session_cookie_sent_to_sadad_is_neither_read_nor_renewed(wsgi_call, client):
    # given a browser session (a signed-in visitor's cookie)
    from tests.factories import CitizenFactory

    client.force_login(CitizenFactory().user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    body = notification([pmt(sptn="SPC", billing_account="10000000009")])
    # when a request carrying it reaches a SADAD endpoint
    answer = wsgi_call(application, "POST", NOTIFY, body=body, headers={
        "Content-Type": "application/xml", "X-Sadad-Signature": signed(body), "Cookie": cookie})
    # then it is answered without any cookie, and without a Vary on it
    assert answer.status_code == 200
    assert not any(name == "Set-Cookie" for name, _ in answer.header_list)
    assert "Vary" not in answer.headers


def test_a_portal_page_through_the_same_callable_keeps_the_full_stack(wsgi_call):
    # when a page is asked for through the portal's WSGI callable
    answer = wsgi_call(application, "GET", "/en/account/sign-in/")
    # then the full stack made it: CSP, the page's language, its CSRF cookie, Vary on the session
    assert answer.status_code == 200
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Content-Language"] == "en"
    assert {v.strip() for v in answer.headers["Vary"].split(",")} >= {"Cookie"}
    cookies = [value.strip().split("=", 1)[0] for name, value in answer.header_list
               if name == "Set-Cookie"]
    assert "csrftoken" in cookies


def test_the_test_client_goes_through_the_machine_stack_too(client):
    # when the test suite's client posts to SADAD (as every SADAD test does)
    body = notification([pmt(sptn="SPT", billing_account="10000000009")])
    response = client.post(NOTIFY, data=body, content_type="application/xml",
                           headers={"X-Sadad-Signature": signed(body)})
    # then the machine stack answered: no language, no Vary, the security headers all there
    assert response.status_code == 200
    assert "Content-Language" not in response
    assert "Vary" not in response
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options",
                   "X-Content-Type-Options", "Referrer-Policy", "X-Request-ID"):
        assert header in response
