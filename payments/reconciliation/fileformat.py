"""The §4 reconciliation file as a stream: read with memory flat in file size, and written.

Each PmtRec is read by the adapter's own `wire.payment_record_from_element` (the same checks
as a notification), then dropped from the tree, so only one record is ever held in memory.
Control totals are summed as the records go by, in Decimal.
"""

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO, TextIO
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ..sadad import wire

_ZERO_AMOUNT = re.compile(r"0{1,10}(\.0{1,2})?", re.ASCII)
_COUNT = re.compile(r"\d{1,9}", re.ASCII)
_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")

_ROOT = "SADAD"
_SIGNON = (_ROOT, "SignonRq")
_PROFILE = (*_SIGNON, "SignonProfile")
_SERVICE = (_ROOT, "BillerSvcRq")
_UPLOAD = (*_SERVICE, "BillerReconUploadRq")
_BANK = (*_UPLOAD, "PmtBankRec")
_RECORD = (*_BANK, "PmtRec")


class ReconFileInvalid(ValueError):
    """The file is not a well-formed §4 file or its control totals do not add up."""


@dataclass
class ReconHeader:
    rq_uid: str = ""
    sender: str = ""
    receiver: str = ""
    msg_code: str = ""
    business_date: dt.date | None = None
    collected: Decimal | None = None
    total_count: int | None = None
    fees: Decimal | None = None


@dataclass
class _Bank:
    bank_id: str = ""
    declared_amount: Decimal | None = None
    declared_count: int | None = None
    amount: Decimal = Decimal("0.00")
    count: int = 0


@dataclass
class BankTotal:
    bank_id: str
    amount: Decimal
    count: int


def total_amount_parse(text: str | None, *, name: str) -> Decimal:
    """A control total: the §1 amount format, where zero (an empty day) is allowed."""
    if text is not None and _ZERO_AMOUNT.fullmatch(text):
        return Decimal("0.00")
    try:
        return wire.amount_parse(text)
    except wire.WireError:
        raise ReconFileInvalid(f"{name} is not an amount: {text!r}") from None


def _count_parse(text: str | None, *, name: str) -> int:
    if text is None or not _COUNT.fullmatch(text):
        raise ReconFileInvalid(f"{name} is not a count: {text!r}")
    return int(text)


def _encoding_check(stream: BinaryIO) -> None:
    head = stream.read(256)
    stream.seek(0)
    declared = _ENCODING.match(head)
    if declared and declared.group(1).decode("ascii").lower().replace("_", "-") \
            not in ("utf-8", "utf8"):
        raise ReconFileInvalid("the file must be UTF-8")


@dataclass
class ReconFileReader:
    """Iterate it for the file's PmtRec in order; afterwards `header` and `banks` are final.

    The iteration itself raises ReconFileInvalid at the first malformed element, and at the
    end when a control total differs from the records' own sum and count.
    """

    stream: BinaryIO
    biller_id: str
    header: ReconHeader = field(default_factory=ReconHeader)
    banks: list[BankTotal] = field(default_factory=list)
    amount: Decimal = Decimal("0.00")
    count: int = 0

    def __iter__(self) -> Iterator[wire.PaymentRecord]:
        _encoding_check(self.stream)
        try:
            yield from self._records()
        except (DefusedXmlException, SafeET.ParseError, UnicodeDecodeError) as exc:
            raise ReconFileInvalid(f"not a well-formed document: {type(exc).__name__}: {exc}") \
                from None
        self._totals_check()

    def _set(self, name: str, value):
        if getattr(self.header, name) not in (None, ""):
            raise ReconFileInvalid(f"{name} appears more than once")
        setattr(self.header, name, value)

    def _records(self) -> Iterator[wire.PaymentRecord]:
        path: list[str] = []
        elements: list = []
        bank: _Bank | None = None
        depth_record = len(_RECORD)
        events = SafeET.iterparse(self.stream, events=("start", "end"), forbid_dtd=True,
                                  forbid_entities=True, forbid_external=True)
        for event, element in events:
            if event == "start":
                path.append(element.tag)
                elements.append(element)
                if len(path) == 1 and element.tag != _ROOT:
                    raise ReconFileInvalid("the root element must be SADAD")
                if len(path) == len(_BANK) and tuple(path) == _BANK:
                    bank = _Bank()
                continue
            depth = len(path)
            if depth > depth_record:
                # Inside a PmtRec: kept until the record ends, then read as a whole.
                path.pop()
                elements.pop()
                continue
            where = tuple(path)
            text = element.text
            if where == _RECORD:
                yield self._record(element, bank)
            elif depth == len(_BANK) + 1 and where[:-1] == _BANK:
                self._bank_field(bank, where[-1], text)
            elif where == _BANK:
                self._bank_close(bank)
                bank = None
            elif depth == len(_UPLOAD) + 1 and where[:-1] == _UPLOAD:
                self._upload_field(where[-1], text)
            elif where == (*_SERVICE, "RqUID"):
                self._set("rq_uid", (text or "").strip())
            elif depth == len(_PROFILE) + 1 and where[:-1] == _PROFILE:
                name = {"Sender": "sender", "Receiver": "receiver", "MsgCode": "msg_code"}.get(
                    where[-1])
                if name:
                    self._set(name, (text or "").strip())
            elif where == _SIGNON:
                self._signon_check()
            path.pop()
            elements.pop()
            if elements:
                # Drop what has been read so the tree never grows with the file.
                elements[-1].remove(element)

    def _record(self, element, bank: _Bank | None) -> wire.PaymentRecord:
        position = self.count + 1
        try:
            record = wire.payment_record_from_element(element)
        except wire.WireError as exc:
            raise ReconFileInvalid(f"PmtRec {position}: {exc}") from None
        if record.biller_id != self.biller_id:
            raise ReconFileInvalid(f"PmtRec {position}: BillerId {record.biller_id!r} "
                                   f"is not this biller")
        if bank.bank_id and record.bank_id != bank.bank_id:
            raise ReconFileInvalid(f"PmtRec {position}: BankId {record.bank_id!r} inside "
                                   f"the PmtBankRec of {bank.bank_id!r}")
        bank.amount += record.amount
        bank.count += 1
        self.amount += record.amount
        self.count = position
        return record

    def _bank_field(self, bank: _Bank, name: str, text: str | None) -> None:
        if name == "BankId":
            if bank.bank_id:
                raise ReconFileInvalid("BankId appears more than once in a PmtBankRec")
            bank.bank_id = (text or "").strip()
        elif name == "CurAmt":
            if bank.declared_amount is not None:
                raise ReconFileInvalid("CurAmt appears more than once in a PmtBankRec")
            bank.declared_amount = total_amount_parse(text, name="PmtBankRec/CurAmt")
        elif name == "TrxCnt":
            if bank.declared_count is not None:
                raise ReconFileInvalid("TrxCnt appears more than once in a PmtBankRec")
            bank.declared_count = _count_parse(text, name="PmtBankRec/TrxCnt")
        else:
            raise ReconFileInvalid(f"unexpected element {name} in a PmtBankRec")

    def _bank_close(self, bank: _Bank) -> None:
        if not bank.bank_id or bank.declared_amount is None or bank.declared_count is None:
            raise ReconFileInvalid("a PmtBankRec needs BankId, CurAmt and TrxCnt")
        if bank.declared_amount != bank.amount or bank.declared_count != bank.count:
            raise ReconFileInvalid(
                f"control totals of bank {bank.bank_id} differ: declared "
                f"{wire.amount_format(bank.declared_amount)} in {bank.declared_count}, records "
                f"sum to {wire.amount_format(bank.amount)} in {bank.count}")
        self.banks.append(BankTotal(bank_id=bank.bank_id, amount=bank.amount, count=bank.count))

    def _upload_field(self, name: str, text: str | None) -> None:
        if name == "PrcDt":
            try:
                self._set("business_date", wire.date_parse((text or "").strip(), name="PrcDt"))
            except wire.WireError as exc:
                raise ReconFileInvalid(str(exc)) from None
        elif name == "CollectPmtAmt":
            self._set("collected", total_amount_parse(text, name="CollectPmtAmt"))
        elif name == "TotalTrxCnt":
            self._set("total_count", _count_parse(text, name="TotalTrxCnt"))
        elif name == "TransFees":
            self._set("fees", total_amount_parse(text, name="TransFees"))
        elif name != "PmtBankRec":
            raise ReconFileInvalid(f"unexpected element {name} in BillerReconUploadRq")

    def _signon_check(self) -> None:
        if self.header.msg_code != wire.MSG_RECONCILIATION:
            raise ReconFileInvalid(f"MsgCode must be {wire.MSG_RECONCILIATION}, "
                                   f"got {self.header.msg_code!r}")
        if self.header.receiver != self.biller_id:
            raise ReconFileInvalid(f"Receiver {self.header.receiver!r} is not this biller")

    def _totals_check(self) -> None:
        header = self.header
        if not header.msg_code:
            raise ReconFileInvalid("SignonRq is missing")
        if header.business_date is None or header.collected is None \
                or header.total_count is None:
            raise ReconFileInvalid("PrcDt, CollectPmtAmt and TotalTrxCnt are required")
        if header.fees is None:
            header.fees = Decimal("0.00")
        if header.collected != self.amount or header.total_count != self.count:
            raise ReconFileInvalid(
                f"control totals differ: declared {wire.amount_format(header.collected)} in "
                f"{header.total_count}, records sum to {wire.amount_format(self.amount)} "
                f"in {self.count}")


# --- writing ------------------------------------------------------------------------------

@dataclass
class BankSection:
    """One PmtBankRec to write: its totals must be known before its records are streamed."""

    bank_id: str
    amount: Decimal
    count: int
    records: Iterable[wire.PaymentRecord]


def recon_file_write(out: TextIO, *, business_date: dt.date, banks: list[BankSection],
                     fees: Decimal, rq_uid: str, client_dt: dt.datetime, receiver: str,
                     sender: str = "SADAD") -> tuple[Decimal, int]:
    """Stream a §4 file (what SADAD sends; the simulator and the benchmark write with it)."""
    total = sum((b.amount for b in banks), Decimal("0.00"))
    count = sum(b.count for b in banks)
    out.write(
        "<SADAD><SignonRq>"
        f"<ClientDt>{wire.datetime_format(client_dt)}</ClientDt>"
        f"<SignonProfile><Sender>{escape(sender)}</Sender><Receiver>{escape(receiver)}"
        f"</Receiver><MsgCode>{wire.MSG_RECONCILIATION}</MsgCode></SignonProfile></SignonRq>"
        f"<BillerSvcRq><RqUID>{escape(rq_uid)}</RqUID><BillerReconUploadRq>"
        f"<PrcDt>{business_date.isoformat()}</PrcDt>"
        f"<CollectPmtAmt>{wire.amount_format(total)}</CollectPmtAmt>"
        f"<TotalTrxCnt>{count}</TotalTrxCnt>"
        f"<TransFees>{wire.amount_format(fees)}</TransFees>\n")
    for bank in banks:
        out.write(f"<PmtBankRec><BankId>{escape(bank.bank_id)}</BankId>"
                  f"<CurAmt>{wire.amount_format(bank.amount)}</CurAmt>"
                  f"<TrxCnt>{bank.count}</TrxCnt>\n")
        for record in bank.records:
            out.write(wire.payment_record_xml(record))
            out.write("\n")
        out.write("</PmtBankRec>\n")
    out.write("</BillerReconUploadRq></BillerSvcRq></SADAD>\n")
    return total, count
