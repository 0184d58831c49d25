"""Factories and builders for payments tests: bills through the real services, and SADAD
messages built and signed exactly as SADAD would send them."""

import datetime as dt
import time
import uuid
from decimal import Decimal

from django.conf import settings

from amanah import clock
from amanah.enums import OwningApp
from payments.sadad import wire
from payments.sadad.signing import signature_header
from payments.services import bill_issue, outbox_flush
from tests.factories import EServiceFactory, MunicipalityFactory, PersonFactory

NOTIFY_URL = "/sadad/payment-notifications"


def misc_fee_service():
    return EServiceFactory(code="misc_fee", name_ar="رسوم متنوعة", name_en="Miscellaneous fee",
                           owning_app=OwningApp.PAYMENTS)


def bill_make(*, amount="150.00", registered=True, person=None, municipality=None,
              eservice=None, billing_account=None, payable_kind="misc_fee",
              payable_ref=None, **kwargs):
    """A bill issued by `bill_issue`; `registered` sends its BillNew to the simulated SADAD."""
    municipality = municipality or MunicipalityFactory(municipality_class=2)
    bill = bill_issue(
        payable_kind=payable_kind, payable_ref=payable_ref or f"REF-{uuid.uuid4().hex[:8]}",
        municipality=municipality, eservice=eservice or misc_fee_service(),
        payer_person=person or PersonFactory(), amount=amount,
        billing_account=billing_account, **kwargs)
    if registered:
        outbox_flush()
    bill.refresh_from_db()
    return bill


def pmt(*, sptn=None, amount="150.00", billing_account="10000000009", biller_id=None,
        bnkptn="RJ88812345", bank_id="RJHISARI", channel="INTERNET", method="ACTDEB",
        processed_at=None) -> wire.PaymentRecord:
    processed_at = processed_at or clock.now()
    return wire.PaymentRecord(
        sptn=sptn or f"SP{uuid.uuid4().int % 10**16:016d}", bnkptn=bnkptn, status_code="PmtNew",
        effective_at=processed_at, amount=Decimal(amount), processed_at=processed_at,
        billing_account=billing_account, biller_id=biller_id or settings.SADAD_BILLER_ID,
        bank_id=bank_id, channel=channel, method=method)


def notification(records, *, rq_uid=None, receiver=None) -> bytes:
    return wire.payment_notification_build(
        rq_uid=rq_uid or str(uuid.uuid4()), records=list(records),
        client_dt=clock.now(), receiver=receiver or settings.SADAD_BILLER_ID)


def now_unix() -> int:
    return int(clock.now().timestamp()) if clock._frozen else int(time.time())


def signed(body: bytes, *, key=None, t=None) -> str:
    return signature_header(key or settings.SADAD_INBOUND_KEYS[0],
                            now_unix() if t is None else t, body)


def post(client, body: bytes, *, signature="sign", content_type="application/xml",
         extra_headers=None):
    """POST a notification; signature="sign" signs with the current key, None omits it."""
    headers = dict(extra_headers or {})
    if signature == "sign":
        headers["X-Sadad-Signature"] = signed(body)
    elif signature is not None:
        headers["X-Sadad-Signature"] = signature
    return client.post(NOTIFY_URL, data=body, content_type=content_type, headers=headers)


def at_riyadh(*args) -> dt.datetime:
    from amanah.dates import RIYADH

    return dt.datetime(*args, tzinfo=RIYADH)


# A Luhn-valid BillingAcct outside the sequence's range, for "no such bill (yet)".
UNKNOWN_ACCOUNT = "99999999990"
