"""The biller gateway: how bill uploads reach SADAD. Two implementations, chosen by
`PAYMENTS_GATEWAY`: `sadad` (HTTP to SADAD_BASE_URL) and `simulator` (the built-in SADAD).
"""

import datetime as dt
import time
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings

from .signing import HEADER, signature_header
from .wire import BillRecord, UploadStatus, WireError, bill_upload_build, bill_upload_response_parse


class GatewayUnavailable(Exception):
    """SADAD did not give a usable answer (transport error, other HTTP status, bad body):
    the upload is retried later with the same RqUID."""


class Gateway(Protocol):
    def upload(self, *, rq_uid: str, records: list[BillRecord],
               client_dt: dt.datetime) -> list[UploadStatus]: ...


class SadadHttpGateway:
    """POST {SADAD_BASE_URL}/bills, signed with SADAD_OUTBOUND_KEY."""

    def __init__(self, *, base_url: str, key: str, biller_id: str, timeout: float = 10.0):
        self.url = base_url.rstrip("/") + "/bills"
        self.key = key
        self.biller_id = biller_id
        self.timeout = timeout

    def upload(self, *, rq_uid: str, records: list[BillRecord],
               client_dt: dt.datetime) -> list[UploadStatus]:
        body = bill_upload_build(rq_uid=rq_uid, records=records, client_dt=client_dt,
                                 sender=self.biller_id)
        request = urllib.request.Request(  # noqa: S310 - the URL is our configured SADAD endpoint
            self.url, data=body, method="POST",
            headers={"Content-Type": "application/xml",
                     HEADER: signature_header(self.key, int(time.time()), body)})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
                answer = response.read(16 * 1024 * 1024)
        except urllib.error.HTTPError as exc:
            raise GatewayUnavailable(f"SADAD answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise GatewayUnavailable(f"transport error: {exc}") from None
        if status != 200:
            raise GatewayUnavailable(f"SADAD answered HTTP {status}")
        try:
            answered_rq_uid, statuses = bill_upload_response_parse(answer)
        except WireError as exc:
            raise GatewayUnavailable(f"unreadable answer: {exc}") from None
        if answered_rq_uid != rq_uid:
            raise GatewayUnavailable("SADAD answered another RqUID")
        return statuses


class SimulatorGateway:
    """The built-in simulated SADAD: the upload goes through the same XML and signature as
    on the wire, and the simulator keeps what a real SADAD would know about each bill."""

    def __init__(self, *, key: str, biller_id: str):
        self.key = key
        self.biller_id = biller_id

    def upload(self, *, rq_uid: str, records: list[BillRecord],
               client_dt: dt.datetime) -> list[UploadStatus]:
        from .simulator import simulated_sadad_receive_upload

        body = bill_upload_build(rq_uid=rq_uid, records=records, client_dt=client_dt,
                                 sender=self.biller_id)
        # Signed on the portal's clock, which the in-process SADAD also reads (tests move it).
        status, answer = simulated_sadad_receive_upload(
            body=body, signature=signature_header(self.key, int(client_dt.timestamp()), body))
        if status != 200:
            raise GatewayUnavailable(f"simulated SADAD answered HTTP {status}")
        answered_rq_uid, statuses = bill_upload_response_parse(answer)
        if answered_rq_uid != rq_uid:
            raise GatewayUnavailable("simulated SADAD answered another RqUID")
        return statuses


def gateway_get() -> Gateway:
    if settings.PAYMENTS_GATEWAY == "sadad":
        if not settings.SADAD_BASE_URL:
            raise RuntimeError("PAYMENTS_GATEWAY=sadad needs SADAD_BASE_URL")
        return SadadHttpGateway(base_url=settings.SADAD_BASE_URL,
                                key=settings.SADAD_OUTBOUND_KEY,
                                biller_id=settings.SADAD_BILLER_ID)
    if settings.PAYMENTS_GATEWAY == "simulator":
        return SimulatorGateway(key=settings.SADAD_OUTBOUND_KEY,
                                biller_id=settings.SADAD_BILLER_ID)
    raise RuntimeError(f"unknown PAYMENTS_GATEWAY {settings.PAYMENTS_GATEWAY!r}")
