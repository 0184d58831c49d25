"""The real biller gateway: bill uploads (spec §2) over HTTP to SADAD_BASE_URL, signed with
SADAD_OUTBOUND_KEY. Registered as PAYMENTS_GATEWAY=sadad by `payments.apps`."""

import datetime as dt
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..gateway import GatewayUnavailable
from ..records import BillRecord, UploadStatus
from .signing import HEADER, signature_header
from .wire import WireError, bill_upload_build, bill_upload_response_parse


class SadadHttpGateway:
    """POST {SADAD_BASE_URL}/bills, signed with SADAD_OUTBOUND_KEY."""

    def __init__(self, *, base_url: str, key: str, biller_id: str, timeout: float = 10.0):
        self.url = base_url.rstrip("/") + "/bills"
        self.key = key
        self.biller_id = biller_id
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> "SadadHttpGateway":
        if not settings.SADAD_BASE_URL:
            raise ImproperlyConfigured("PAYMENTS_GATEWAY=sadad needs SADAD_BASE_URL")
        return cls(base_url=settings.SADAD_BASE_URL, key=settings.SADAD_OUTBOUND_KEY,
                   biller_id=settings.SADAD_BILLER_ID)

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
