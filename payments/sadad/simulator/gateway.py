"""The biller gateway PAYMENTS_GATEWAY=simulator: uploads go to the simulated SADAD in this
process, through the same XML and signature as on the wire."""

import datetime as dt

from django.conf import settings

from ...gateway import GatewayUnavailable
from ...records import BillRecord, UploadStatus
from ..signing import signature_header
from ..wire import bill_upload_build, bill_upload_response_parse
from .uploads import simulated_sadad_receive_upload


class SimulatorGateway:
    """The built-in simulated SADAD: it keeps what a real SADAD would know about each bill."""

    def __init__(self, *, key: str, biller_id: str):
        self.key = key
        self.biller_id = biller_id

    @classmethod
    def from_settings(cls) -> "SimulatorGateway":
        return cls(key=settings.SADAD_OUTBOUND_KEY, biller_id=settings.SADAD_BILLER_ID)

    def upload(self, *, rq_uid: str, records: list[BillRecord],
               client_dt: dt.datetime) -> list[UploadStatus]:
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
