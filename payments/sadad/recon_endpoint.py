"""`POST /sadad/reconciliation-files` (spec §4): signed as §1, streamed to disk while its
signature and SHA-256 are computed, answered 202 with the run's id and status; a worker
processes the run (`payments.recon_run_process`)."""

import hashlib
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from amanah import clock
from amanah.dispatch import task_on_commit

from ..reconciliation.enums import RUN_FINAL, ReconSource
from ..reconciliation.runs import recon_file_receive
from . import wire
from .signing import HEADER, SignatureInvalid, SignatureStale, SignatureVerifier

security = logging.getLogger("payments.security")

MAX_FILE_BYTES = 512 * 1024 * 1024
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


@csrf_exempt
@require_POST
def reconciliation_files(request):
    remote = request.META.get("REMOTE_ADDR", "")
    if request.content_type != "application/xml":
        return _refuse(415, "E_MEDIA", "Content-Type must be application/xml", remote)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_FILE_BYTES:
        return _refuse(413, "E_TOO_LARGE", "file over 512 MiB", remote)
    try:
        verifier = SignatureVerifier(request.headers.get(HEADER),
                                     keys=list(settings.SADAD_INBOUND_KEYS))
    except SignatureInvalid as exc:
        return _refuse(401, "E_SIGNATURE", str(exc), remote)
    digest = hashlib.sha256()
    folder = recon_storage_dir()
    partial = folder / f".incoming-{uuid.uuid4().hex}"
    size = 0
    head = b""
    try:
        with open(partial, "wb") as out:
            while chunk := request.read(CHUNK):
                size += len(chunk)
                if size > MAX_FILE_BYTES:
                    return _refuse(413, "E_TOO_LARGE", "file over 512 MiB", remote)
                if len(head) < 4096:
                    head += chunk[:4096 - len(head)]
                digest.update(chunk)
                verifier.update(chunk)
                out.write(chunk)
        try:
            verifier.verify(now=int(clock.now().timestamp()))
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
        partial.unlink(missing_ok=True)
    run = recon_file_receive(path=stored, source=ReconSource.ENDPOINT, sha256=sha256, size=size)
    if run.status not in RUN_FINAL:
        task_on_commit("payments.recon_run_process", run_id=run.pk)
    response = _xml(202, wire.recon_accepted_build(run_id=run.pk, run_status=run.status))
    response["X-Recon-Run-Id"] = str(run.pk)
    return response
