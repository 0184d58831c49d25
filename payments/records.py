"""The plain records the payments domain exchanges with its biller adapter.

The domain speaks in these dataclasses only; `payments/sadad/` turns them into SADAD's XML and
back (spec §2–§4). Nothing here knows a wire format.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class BillRecord:
    """One bill as presented to the biller network (an upload)."""

    status_code: str  # BillNew / BillUpdated / BillExpired (OutboxKind)
    official_id: str
    official_id_type: str  # NAT / IQA / UNN
    category: str  # FEE / FINE
    service_type: str
    billing_account: str
    biller_id: str
    amount_due: Decimal
    due_date: dt.date
    expiry_date: dt.date
    reference: str
    version: int


@dataclass(frozen=True)
class UploadStatus:
    """The network's answer about one uploaded bill."""

    billing_account: str
    version: int
    status_code: str  # "0" accepted, "1" already known, "2" rejected
    short_desc: str = ""


@dataclass(frozen=True)
class PaymentRecord:
    """One payment the network reports, in a notification or in a day's reconciliation file."""

    sptn: str
    bnkptn: str
    status_code: str
    effective_at: dt.datetime
    amount: Decimal
    processed_at: dt.datetime
    billing_account: str
    biller_id: str
    bank_id: str
    channel: str
    method: str
