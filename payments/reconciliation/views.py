"""`POST /sadad/reconciliation-files` (spec §4): signed as §1, streamed to disk, answered 202
with the run's id; a worker processes it."""

import hashlib
import hmac
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from amanah import clock
from amanah.dispatch import task_on_commit

from ..sadad.signing import FRESHNESS_SECONDS, HEADER, SignatureInvalid, signature_parse
from ..services.notifications import refusal
from .enums import RUN_FINAL, ReconSource
from .services import recon_file_receive

MAX_FILE_BYTES = 512 * 1024 * 1024
CHUNK = 1024 * 1024


def _xml(status: int, body: bytes) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/xml; charset=utf-8")


def _refuse(status: int, code: str, why: str, remote: str) -> HttpResponse:
    answer = refusal(status, code, why, remote=remote, what="reconciliation file")
    return _xml(answer.status, answer.body)


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
        timestamp, provided = signature_parse(request.headers.get(HEADER))
    except SignatureInvalid as exc:
        return _refuse(401, "E_SIGNATURE", str(exc), remote)
    keys = [key for key in settings.SADAD_INBOUND_KEYS if key]
    # The body can be 512 MiB: it is hashed and signed-checked while it streams to disk.
    macs = [hmac.new(key.encode(), f"{timestamp}.".encode("ascii"), hashlib.sha256)
            for key in keys]
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
                for mac in macs:
                    mac.update(chunk)
                out.write(chunk)
        matched = False
        for mac in macs:
            expected = mac.hexdigest()
            for candidate in provided:
                matched |= hmac.compare_digest(expected, candidate)
        if not matched:
            return _refuse(401, "E_SIGNATURE", "no signature matches a configured key", remote)
        if abs(int(clock.now().timestamp()) - timestamp) > FRESHNESS_SECONDS:
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
    body = (f"<SADAD><BillerSvcRs><Status><StatusCode>0</StatusCode></Status>"
            f"<ReconRunId>{run.pk}</ReconRunId><ReconRunStatus>{run.status}</ReconRunStatus>"
            f"</BillerSvcRs></SADAD>").encode()
    response = _xml(202, body)
    response["X-Recon-Run-Id"] = str(run.pk)
    return response
