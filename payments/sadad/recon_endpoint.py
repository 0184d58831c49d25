"""`POST /sadad/reconciliation-files` (spec §4): signed as §1, streamed to disk while its
signature and SHA-256 are computed, answered 202 with the run's id and status; a worker
processes the run (`payments.recon_run_process`).

Authenticate before storing: a delivery the headers condemn is refused unread, and one refused
after streaming (a bad signature found at the end, a body over SADAD_RECON_MAX_BYTES, a client
gone half-way, a DOCTYPE) leaves nothing on disk. Beyond §3's codes: 411 `E_LENGTH` for a body
sent without a Content-Length, which could be sized only by reading it."""

import hashlib
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, UnreadablePostError
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from amanah import clock
from amanah.dispatch import task_on_commit
from amanah.request_limits import body_limit_exempt

from ..reconciliation.enums import RUN_FINAL, ReconSource
from ..reconciliation.runs import recon_file_receive
from . import wire
from .keys import inbound_keys
from .signing import HEADER, SignatureInvalid, SignatureStale, SignatureVerifier

security = logging.getLogger("payments.security")

CHUNK = 1024 * 1024


def _xml(status: int, body: bytes) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/xml; charset=utf-8")


def _refuse(status: int, code: str, why: str, remote: str) -> HttpResponse:
    """A refused delivery: nothing stored, one security log line saying what and why."""
    why = why if len(why) <= 200 else why[:197] + "..."
    security.warning("refused SADAD reconciliation file: %s %s rq_uid=- remote=%s: %s", status,
                     code, remote or "-", why)
    return _xml(status, wire.error_response_build(rq_uid="", code=code, short_desc=why))


def recon_storage_dir() -> Path:
    folder = Path(settings.SADAD_RECON_STORE)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def has_doctype(head: bytes) -> bool:
    """A DOCTYPE may only stand before the root element, so the file's start tells."""
    start = 0
    while True:
        at = head.find(b"<", start)
        if at < 0 or at + 1 >= len(head):
            return False
        following = head[at + 1:at + 2]
        if following not in (b"?", b"!"):
            return False  # the root element: no DOCTYPE can come after it
        if head[at:at + 9].upper() == b"<!DOCTYPE":
            return True
        start = at + 1


def _refuse_too_large(remote: str) -> HttpResponse:
    return _refuse(413, "E_TOO_LARGE", f"file over {settings.SADAD_RECON_MAX_BYTES} bytes",
                   remote)


@body_limit_exempt  # its own cap, SADAD_RECON_MAX_BYTES, held while the file streams to disk
@csrf_exempt
@require_POST
def reconciliation_files(request):
    """Everything the headers can refuse is refused before the first byte of the body is read
    (media type, length, a missing, malformed or stale signature header); the rest is found
    while the body streams to a hidden file, which every refusal removes."""
    remote = request.META.get("REMOTE_ADDR", "")
    arrived = int(clock.now().timestamp())
    if request.content_type != "application/xml":
        return _refuse(415, "E_MEDIA", "Content-Type must be application/xml", remote)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        # Django reads no body it has no length for (a chunked upload), so asking is the answer.
        return _refuse(411, "E_LENGTH", "Content-Length required", remote)
    if declared > settings.SADAD_RECON_MAX_BYTES:
        return _refuse_too_large(remote)
    try:
        verifier = SignatureVerifier(request.headers.get(HEADER), keys=inbound_keys())
        # Spec §1 puts authenticity before freshness, but authenticity needs the whole body:
        # a `t` outside the window is refused from the header alone, so a forged `t=1` never
        # reaches the disk. A fresh `t` is judged on arrival, however long the upload takes.
        verifier.fresh_check(now=arrived)
    except SignatureInvalid as exc:
        return _refuse(401, "E_SIGNATURE", str(exc), remote)
    except SignatureStale:
        return _refuse(401, "E_STALE", "t is more than 300 s from now", remote)
    digest = hashlib.sha256()
    folder = recon_storage_dir()
    partial = folder / f".incoming-{uuid.uuid4().hex}"
    size = 0
    head = b""
    try:
        with open(partial, "wb") as out:
            while True:
                try:
                    chunk = request.read(CHUNK)
                except UnreadablePostError:
                    return _refuse(400, "E_SCHEMA", "the body ended early: the client went "
                                   "away", remote)
                if not chunk:
                    break
                size += len(chunk)
                # Django reads no further than Content-Length, checked above; this holds the cap
                # should that ever change (another server, another request class).
                if size > settings.SADAD_RECON_MAX_BYTES:
                    return _refuse_too_large(remote)
                if len(head) < 4096:
                    head += chunk[:4096 - len(head)]
                digest.update(chunk)
                verifier.update(chunk)
                out.write(chunk)
        if size != declared:
            return _refuse(400, "E_SCHEMA", f"the body ended after {size} of {declared} bytes",
                           remote)
        try:
            verifier.verify(now=arrived)
        except SignatureInvalid as exc:
            return _refuse(401, "E_SIGNATURE", str(exc), remote)
        except SignatureStale:
            return _refuse(401, "E_STALE", "t is more than 300 s from now", remote)
        if has_doctype(head):
            return _refuse(400, "E_SCHEMA", "DOCTYPE present", remote)
        sha256 = digest.hexdigest()
        stored = folder / f"{sha256}.xml"
        os.replace(partial, stored)
    finally:
        # Every refusal above returns from inside this block: the part written goes with it.
        partial.unlink(missing_ok=True)
    run = recon_file_receive(path=stored, source=ReconSource.ENDPOINT, sha256=sha256, size=size)
    if run.status not in RUN_FINAL:
        task_on_commit("payments.recon_run_process", run_id=run.pk)
    response = _xml(202, wire.recon_accepted_build(run_id=run.pk, run_status=run.status))
    response["X-Recon-Run-Id"] = str(run.pk)
    return response
