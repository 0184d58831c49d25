"""Server-side request size limits (issue 8, point 6): gunicorn bounds the request head the same
way in the image and in docker-compose, and the limits hold when it runs; Django bounds what a
request may hold in memory. (Bodies: files are capped while they stream by
amanah.uploads.UploadLimitHandler, SADAD bodies by their endpoints.)"""

import shlex
import socket
import subprocess
import sys
import time

import pytest
import yaml

from tests.test_deploy import ROOT, _free_port, _production_env

LIMITS = {"--limit-request-line": "4094", "--limit-request-fields": "64",
          "--limit-request-field_size": "8190"}


def _flags(words: list[str]) -> dict[str, str]:
    return {word: words[at + 1] for at, word in enumerate(words) if word in LIMITS}


def _compose_gunicorn_words() -> list[str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["web"]["command"]
    script = command[-1] if isinstance(command, list) else command
    return shlex.split(script[script.index("exec gunicorn") + len("exec "):])


def _image_gunicorn_words() -> list[str]:
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = next(line for line in dockerfile.replace("\\\n", " ").splitlines()
               if line.startswith("CMD "))
    return yaml.safe_load(cmd[len("CMD "):])


def test_the_image_and_compose_run_gunicorn_with_the_same_explicit_request_limits():
    # given the gunicorn command lines of the image and of docker-compose's web service
    # when their request limits are read
    # then both set every limit, to the same values
    assert _flags(_compose_gunicorn_words()) == LIMITS
    assert _flags(_image_gunicorn_words()) == LIMITS


def _exchange(port: int, head: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=15) as conn:
        conn.sendall(head)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


@pytest.fixture(scope="module")
def compose_gunicorn():
    """gunicorn on a free port with the request limits docker-compose gives it."""
    port = _free_port()
    limits = [part for flag, value in _flags(_compose_gunicorn_words()).items()
              for part in (flag, value)]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "amanah.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning", *limits],
        cwd=ROOT, env=_production_env(DJANGO_SECURE_SSL_REDIRECT="false",
                                      DJANGO_ALLOWED_HOSTS="localhost"))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, "gunicorn exited at start"
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.parametrize(("what", "head", "status"), [
    pytest.param("a request line over 4094 bytes",
                 b"GET /healthz?" + b"a" * 4100 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n",
                 b"400", id="line"),
    pytest.param("65 header fields",
                 b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
                 + b"".join(b"X-F%d: 1\r\n" % n for n in range(64)) + b"\r\n",
                 b"431", id="fields"),
    pytest.param("one header field over 8190 bytes",
                 b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"b" * 8200
                 + b"\r\n\r\n", b"431", id="field-size"),
])
def test_gunicorn_refuses_an_oversized_request_head_before_django_sees_it(compose_gunicorn, what,
                                                                          head, status):
    # given gunicorn running with docker-compose's limits, answering a plain probe
    assert _exchange(compose_gunicorn, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
                                       b"Connection: close\r\n\r\n") == b"HTTP/1.1 200 OK"
    # when a client sends a request whose head is over a limit
    answer = _exchange(compose_gunicorn, head)
    # then gunicorn itself refuses it
    assert answer.split(b" ")[1] == status, (what, answer)
