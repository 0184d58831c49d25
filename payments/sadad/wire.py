"""SADAD's XML wire format (spec §1–§3). Everything XML stays in this module: the rest of the
portal sees only the dataclasses below.

Parsing goes through defusedxml with DTDs, entities and external references forbidden, so a
hostile document cannot expand entities or reach the network or the disk.
"""

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from xml.etree.ElementTree import Element  # only the type; parsing is defused
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from amanah.dates import RIYADH

from ..records import BillRecord, PaymentRecord, UploadStatus

MSG_BILL_UPLOAD = "BUPLRQ"
MSG_PAYMENT_NOTIFY = "PNOTRQ"
MSG_RECONCILIATION = "RCONRQ"

ACCESS_CHANNELS = frozenset({"ATM", "INTERNET", "MOBILE", "IVR", "BTELLER", "POS"})
PAYMENT_METHODS = frozenset({"ACTDEB", "CCARD", "CASH"})
MAX_PAYMENT_RECORDS = 100
MAX_BILL_RECORDS = 500

# re.ASCII: without it \d also matches Arabic-Indic and other Unicode digits.
_AMOUNT = re.compile(r"\d{1,10}(\.\d{1,2})?", re.ASCII)
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})", re.ASCII)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                   re.ASCII)
_BILLING_ACCOUNT = re.compile(r"\d{1,15}", re.ASCII)
_TOKEN = re.compile(r"[A-Za-z0-9._:/-]{1,40}", re.ASCII)
_XML_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")


class WireError(ValueError):
    """The document is not well-formed or not as the spec says (answered E_SCHEMA)."""

    def __init__(self, message: str, *, rq_uid: str = ""):
        super().__init__(message)
        self.rq_uid = rq_uid


# --- values ---------------------------------------------------------------------------

def amount_parse(text: str | None) -> Decimal:
    """A SAR amount string exactly as §1 allows, as a Decimal; never through float."""
    if text is None or not _AMOUNT.fullmatch(text):
        raise WireError(f"bad amount {text!r}")
    value = Decimal(text)
    if value <= 0:
        raise WireError(f"amount must be greater than zero, got {text!r}")
    return value


def amount_format(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def datetime_parse(text: str | None, *, name: str) -> dt.datetime:
    if text is None or not _ISO_DATETIME.fullmatch(text):
        raise WireError(f"{name} is not an ISO 8601 date-time with an offset: {text!r}")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise WireError(f"{name} is not a valid date-time: {text!r}") from None


def datetime_format(moment: dt.datetime) -> str:
    return moment.astimezone(RIYADH).replace(microsecond=0).isoformat()


def date_parse(text: str | None, *, name: str) -> dt.date:
    if text is None or not _ISO_DATE.fullmatch(text):
        raise WireError(f"{name} is not YYYY-MM-DD: {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise WireError(f"{name} is not a valid date: {text!r}") from None


# --- messages -------------------------------------------------------------------------

@dataclass(frozen=True)
class BillUpload:
    rq_uid: str
    client_dt: dt.datetime
    sender: str
    receiver: str
    records: tuple[BillRecord, ...]


@dataclass(frozen=True)
class PaymentNotification:
    rq_uid: str
    client_dt: dt.datetime
    sender: str
    receiver: str
    records: tuple[PaymentRecord, ...]


# --- parsing helpers ------------------------------------------------------------------

def xml_parse(body: bytes) -> Element:
    """Parse untrusted bytes safely: UTF-8 only, no DTD, no entities, no external references."""
    declared = _XML_DECLARED_ENCODING.match(body)
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if encoding.replace("_", "-") not in ("utf-8", "utf8"):
        raise WireError("the document must be UTF-8")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise WireError("the document is not valid UTF-8") from None
    try:
        return SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
    except DefusedXmlException as exc:
        raise WireError(f"forbidden XML construct: {type(exc).__name__}") from None
    except SafeET.ParseError as exc:
        raise WireError(f"not well-formed: {exc}") from None


def _one(parent: Element, path: str, *, required: bool = True) -> Element | None:
    found = parent.findall(path)
    if len(found) > 1:
        raise WireError(f"{path} appears more than once")
    if not found:
        if required:
            raise WireError(f"{path} is missing")
        return None
    return found[0]


def _text(parent: Element, path: str, *, required: bool = True, strip: bool = True) -> str:
    element = _one(parent, path, required=required)
    if element is None:
        return ""
    if len(element):
        raise WireError(f"{path} must hold text, not elements")
    text = element.text or ""
    if strip:
        text = text.strip()
    if required and not text:
        raise WireError(f"{path} is empty")
    return text


def _token(parent: Element, path: str, *, required: bool = True) -> str:
    value = _text(parent, path, required=required)
    if value and not _TOKEN.fullmatch(value):
        raise WireError(f"{path} is malformed: {value!r}")
    return value


def _signon(root: Element, *, msg_code: str) -> tuple[dt.datetime, str, str]:
    if root.tag != "SADAD":
        raise WireError("the root element must be SADAD")
    signon = _one(root, "SignonRq")
    client_dt = datetime_parse(_text(signon, "ClientDt"), name="ClientDt")
    profile = _one(signon, "SignonProfile")
    sender = _token(profile, "Sender")
    receiver = _token(profile, "Receiver")
    code = _text(profile, "MsgCode")
    if code != msg_code:
        raise WireError(f"MsgCode must be {msg_code}, got {code!r}")
    return client_dt, sender, receiver


def _rq_uid(parent: Element) -> str:
    value = _text(parent, "RqUID")
    if not _UUID.fullmatch(value):
        raise WireError(f"RqUID is not a UUID: {value!r}")
    return value


def rq_uid_peek(root: Element) -> str:
    """The RqUID of a parsed message when it has a readable one, for error responses."""
    for path in ("BillerSvcRq/RqUID", "PresSvcRq/RqUID"):
        element = root.find(path)
        if element is not None and element.text and _UUID.fullmatch(element.text.strip()):
            return element.text.strip()
    return ""


# --- §3 payment notifications -----------------------------------------------------------

def payment_record_from_element(rec: Element) -> PaymentRecord:
    """One PmtRec (as in notifications and in reconciliation files) checked against §3."""
    sptn = bnkptn = None
    for trans in rec.findall("PmtTransId"):
        id_type = _text(trans, "PmtIdType")
        value = _token(trans, "PmtId")
        if id_type == "SPTN":
            if sptn is not None:
                raise WireError("more than one SPTN in a PmtRec")
            sptn = value
        elif id_type == "BNKPTN":
            if bnkptn is not None:
                raise WireError("more than one BNKPTN in a PmtRec")
            bnkptn = value
        else:
            raise WireError(f"unknown PmtIdType {id_type!r}")
    if sptn is None:
        raise WireError("the SPTN is missing")
    status = _one(rec, "PmtStatus")
    status_code = _text(status, "PmtStatusCode")
    if status_code != "PmtNew":
        raise WireError(f"unknown PmtStatusCode {status_code!r}")
    effective_at = datetime_parse(_text(status, "EffDt"), name="EffDt")
    info = _one(rec, "PmtInfo")
    amount = amount_parse(_text(info, "CurAmt", strip=False))
    processed_at = datetime_parse(_text(info, "PrcDt"), name="PrcDt")
    account = _one(info, "AccountId")
    billing_account = _text(account, "BillingAcct")
    if not _BILLING_ACCOUNT.fullmatch(billing_account):
        raise WireError(f"BillingAcct is malformed: {billing_account!r}")
    biller_id = _token(account, "BillerId")
    bank_id = _token(info, "BankId")
    channel = _text(info, "AccessChannel")
    if channel not in ACCESS_CHANNELS:
        raise WireError(f"unknown AccessChannel {channel!r}")
    method = _text(info, "PmtMethod")
    if method not in PAYMENT_METHODS:
        raise WireError(f"unknown PmtMethod {method!r}")
    return PaymentRecord(sptn=sptn, bnkptn=bnkptn or "", status_code=status_code,
                         effective_at=effective_at, amount=amount, processed_at=processed_at,
                         billing_account=billing_account, biller_id=biller_id, bank_id=bank_id,
                         channel=channel, method=method)


def payment_notification_parse(body: bytes) -> PaymentNotification:
    root = xml_parse(body)
    rq_uid = rq_uid_peek(root)
    try:
        client_dt, sender, receiver = _signon(root, msg_code=MSG_PAYMENT_NOTIFY)
        service = _one(root, "BillerSvcRq")
        rq_uid = _rq_uid(service)
        notify = _one(service, "PmtNotifyRq")
        recs = notify.findall("PmtRec")
        if not 1 <= len(recs) <= MAX_PAYMENT_RECORDS:
            raise WireError(f"a notification carries 1 to {MAX_PAYMENT_RECORDS} PmtRec, "
                            f"got {len(recs)}")
        records = tuple(payment_record_from_element(rec) for rec in recs)
    except WireError as exc:
        raise WireError(str(exc), rq_uid=rq_uid) from None
    return PaymentNotification(rq_uid=rq_uid, client_dt=client_dt, sender=sender,
                               receiver=receiver, records=records)


def payment_record_xml(rec: PaymentRecord) -> str:
    bnkptn = (f"<PmtTransId><PmtId>{escape(rec.bnkptn)}</PmtId><PmtIdType>BNKPTN</PmtIdType>"
              f"</PmtTransId>" if rec.bnkptn else "")
    return (
        "<PmtRec>"
        f"<PmtTransId><PmtId>{escape(rec.sptn)}</PmtId><PmtIdType>SPTN</PmtIdType></PmtTransId>"
        f"{bnkptn}"
        f"<PmtStatus><PmtStatusCode>{escape(rec.status_code)}</PmtStatusCode>"
        f"<EffDt>{datetime_format(rec.effective_at)}</EffDt></PmtStatus>"
        f"<PmtInfo><CurAmt>{amount_format(rec.amount)}</CurAmt>"
        f"<PrcDt>{datetime_format(rec.processed_at)}</PrcDt>"
        f"<AccountId><BillingAcct>{escape(rec.billing_account)}</BillingAcct>"
        f"<BillerId>{escape(rec.biller_id)}</BillerId></AccountId>"
        f"<BankId>{escape(rec.bank_id)}</BankId>"
        f"<AccessChannel>{escape(rec.channel)}</AccessChannel>"
        f"<PmtMethod>{escape(rec.method)}</PmtMethod></PmtInfo>"
        "</PmtRec>"
    )


def payment_notification_build(*, rq_uid: str, records: list[PaymentRecord],
                               client_dt: dt.datetime, receiver: str,
                               sender: str = "SADAD") -> bytes:
    """What SADAD sends (used by the simulator and by tests)."""
    return (
        "<SADAD><SignonRq>"
        f"<ClientDt>{datetime_format(client_dt)}</ClientDt>"
        f"<SignonProfile><Sender>{escape(sender)}</Sender><Receiver>{escape(receiver)}</Receiver>"
        f"<MsgCode>{MSG_PAYMENT_NOTIFY}</MsgCode></SignonProfile></SignonRq>"
        f"<BillerSvcRq><RqUID>{escape(rq_uid)}</RqUID><PmtNotifyRq>"
        + "".join(payment_record_xml(rec) for rec in records)
        + "</PmtNotifyRq></BillerSvcRq></SADAD>"
    ).encode()


def payment_notification_response_build(*, rq_uid: str,
                                        results: list[tuple[str, str]]) -> bytes:
    statuses = "".join(
        f"<PmtRecStatus><PmtId>{escape(sptn)}</PmtId><Result>{escape(result)}</Result>"
        f"</PmtRecStatus>" for sptn, result in results)
    return (f"<SADAD><BillerSvcRs><RqUID>{escape(rq_uid)}</RqUID>"
            f"<Status><StatusCode>0</StatusCode></Status>"
            f"<PmtNotifyRs>{statuses}</PmtNotifyRs></BillerSvcRs></SADAD>").encode()


def payment_notification_response_parse(body: bytes) -> tuple[str, str, list[tuple[str, str]]]:
    """(RqUID, StatusCode, [(SPTN, Result)]) of a notification answer (simulator and tests)."""
    root = xml_parse(body)
    service = _one(root, "BillerSvcRs")
    rq_uid = _text(service, "RqUID", required=False)
    code = _text(_one(service, "Status"), "StatusCode")
    results = [(_text(s, "PmtId"), _text(s, "Result"))
               for s in service.findall("PmtNotifyRs/PmtRecStatus")]
    return rq_uid, code, results


def error_response_build(*, rq_uid: str, code: str, short_desc: str) -> bytes:
    return (f"<SADAD><BillerSvcRs><RqUID>{escape(rq_uid)}</RqUID>"
            f"<Status><StatusCode>{escape(code)}</StatusCode>"
            f"<ShortDesc>{escape(short_desc)}</ShortDesc></Status></BillerSvcRs></SADAD>").encode()


# --- §4 reconciliation files -----------------------------------------------------------------

def recon_accepted_build(*, run_id: int, run_status: str) -> bytes:
    """The 202 answer to a delivered reconciliation file: the run that will process it."""
    return (f"<SADAD><BillerSvcRs><Status><StatusCode>0</StatusCode></Status>"
            f"<ReconRunId>{int(run_id)}</ReconRunId>"
            f"<ReconRunStatus>{escape(run_status)}</ReconRunStatus>"
            f"</BillerSvcRs></SADAD>").encode()


# --- §2 bill uploads ----------------------------------------------------------------------

def bill_record_xml(rec: BillRecord) -> str:
    return (
        "<BillRec>"
        f"<BillStatusCode>{escape(rec.status_code)}</BillStatusCode>"
        f"<CustId><OfficialId>{escape(rec.official_id)}</OfficialId>"
        f"<OfficialIdType>{escape(rec.official_id_type)}</OfficialIdType></CustId>"
        "<BillInfo>"
        f"<BillCategory>{escape(rec.category)}</BillCategory>"
        f"<ServiceType>{escape(rec.service_type)}</ServiceType>"
        f"<BillingAcct>{escape(rec.billing_account)}</BillingAcct>"
        f"<BillerId>{escape(rec.biller_id)}</BillerId>"
        f"<AmountDue>{amount_format(rec.amount_due)}</AmountDue>"
        f"<DueDt>{rec.due_date.isoformat()}</DueDt>"
        f"<ExpDt>{rec.expiry_date.isoformat()}</ExpDt>"
        f"<BillRefInfo>{escape(rec.reference)}</BillRefInfo>"
        f"<Version>{rec.version}</Version>"
        "</BillInfo></BillRec>"
    )


def bill_upload_build(*, rq_uid: str, records: list[BillRecord], client_dt: dt.datetime,
                      sender: str, receiver: str = "SADAD") -> bytes:
    if not 1 <= len(records) <= MAX_BILL_RECORDS:
        raise ValueError(f"an upload carries 1 to {MAX_BILL_RECORDS} bills")
    return (
        "<SADAD><SignonRq>"
        f"<ClientDt>{datetime_format(client_dt)}</ClientDt>"
        f"<SignonProfile><Sender>{escape(sender)}</Sender><Receiver>{escape(receiver)}</Receiver>"
        f"<MsgCode>{MSG_BILL_UPLOAD}</MsgCode></SignonProfile></SignonRq>"
        f"<PresSvcRq><RqUID>{escape(rq_uid)}</RqUID><BillUploadRq>"
        + "".join(bill_record_xml(rec) for rec in records)
        + "</BillUploadRq></PresSvcRq></SADAD>"
    ).encode()


def bill_upload_parse(body: bytes) -> BillUpload:
    """SADAD's side of §2 (the simulator and the tests' fake SADAD read uploads with it)."""
    root = xml_parse(body)
    client_dt, sender, receiver = _signon(root, msg_code=MSG_BILL_UPLOAD)
    service = _one(root, "PresSvcRq")
    rq_uid = _rq_uid(service)
    recs = service.findall("BillUploadRq/BillRec")
    if not 1 <= len(recs) <= MAX_BILL_RECORDS:
        raise WireError(f"an upload carries 1 to {MAX_BILL_RECORDS} BillRec")
    records = []
    for rec in recs:
        info = _one(rec, "BillInfo")
        cust = _one(rec, "CustId")
        version = _text(info, "Version")
        if not version.isascii() or not version.isdigit():
            raise WireError(f"Version is not a number: {version!r}")
        records.append(BillRecord(
            status_code=_text(rec, "BillStatusCode"), official_id=_text(cust, "OfficialId"),
            official_id_type=_text(cust, "OfficialIdType"), category=_text(info, "BillCategory"),
            service_type=_text(info, "ServiceType"), billing_account=_text(info, "BillingAcct"),
            biller_id=_text(info, "BillerId"),
            amount_due=amount_parse(_text(info, "AmountDue", strip=False)),
            due_date=date_parse(_text(info, "DueDt"), name="DueDt"),
            expiry_date=date_parse(_text(info, "ExpDt"), name="ExpDt"),
            reference=_text(info, "BillRefInfo", required=False), version=int(version)))
    return BillUpload(rq_uid=rq_uid, client_dt=client_dt, sender=sender, receiver=receiver,
                      records=tuple(records))


def bill_upload_response_build(*, rq_uid: str, statuses: list[UploadStatus]) -> bytes:
    parts = []
    for status in statuses:
        desc = f"<ShortDesc>{escape(status.short_desc)}</ShortDesc>" if status.short_desc else ""
        parts.append(f"<BillRecStatus><BillingAcct>{escape(status.billing_account)}</BillingAcct>"
                     f"<Version>{status.version}</Version>"
                     f"<StatusCode>{escape(status.status_code)}</StatusCode>{desc}"
                     f"</BillRecStatus>")
    return (f"<SADAD><PresSvcRs><RqUID>{escape(rq_uid)}</RqUID>"
            f"<Status><StatusCode>0</StatusCode></Status>"
            f"<BillUploadRs>{''.join(parts)}</BillUploadRs></PresSvcRs></SADAD>").encode()


def bill_upload_response_parse(body: bytes) -> tuple[str, list[UploadStatus]]:
    root = xml_parse(body)
    service = _one(root, "PresSvcRs")
    rq_uid = _text(service, "RqUID")
    statuses = []
    for item in service.findall("BillUploadRs/BillRecStatus"):
        version = _text(item, "Version")
        if not version.isascii() or not version.isdigit():
            raise WireError(f"Version is not a number: {version!r}")
        statuses.append(UploadStatus(
            billing_account=_text(item, "BillingAcct"), version=int(version),
            status_code=_text(item, "StatusCode"),
            short_desc=_text(item, "ShortDesc", required=False)))
    return rq_uid, statuses


def new_rq_uid() -> str:
    return str(uuid.uuid4())
