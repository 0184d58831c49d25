"""The §4 reconciliation file: read as a stream that can stop and go on later, and written.

Reading is push parsing with expat, fed one chunk at a time, with the safety settings of the
rest of the adapter (no DTD, no entity declarations, no external references, UTF-8 only). Each
PmtRec is built alone and read by `wire.payment_record_from_element` (the same checks as a
notification), so memory stays flat whatever the file's size, and the control totals are summed
in Decimal as the records go by.

After each record that closed inside its PmtBankRec the reader knows a `ReadCheckpoint`: the
byte right after that record's end tag, the totals so far and the header fields read so far.
Reading from a checkpoint seeks there and feeds a fresh parser the elements that were open at
that point (`<SADAD><BillerSvcRq><BillerReconUploadRq><PmtBankRec>`), so the rest of the file
parses exactly as it did in one pass: no record is read twice and the totals add up the same.
"""

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, TextIO
from xml.etree.ElementTree import TreeBuilder
from xml.parsers import expat
from xml.sax.saxutils import escape

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from django.conf import settings

from ..reconciliation.records import (
    BankProgress,
    PaymentRecord,
    ReadCheckpoint,
    ReconFileInvalid,
    ReconHeader,
)
from . import wire

CHUNK = 256 * 1024
# An end tag may hold spaces before its '>'; this much of the previous chunk is kept to find it.
_TAIL = 4096

_ZERO_AMOUNT = re.compile(r"0{1,10}(\.0{1,2})?", re.ASCII)
_COUNT = re.compile(r"\d{1,9}", re.ASCII)
_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")

_ROOT = "SADAD"
_SIGNON = (_ROOT, "SignonRq")
_PROFILE = (*_SIGNON, "SignonProfile")
_SERVICE = (_ROOT, "BillerSvcRq")
_RQ_UID = (*_SERVICE, "RqUID")
_UPLOAD = (*_SERVICE, "BillerReconUploadRq")
_BANK = (*_UPLOAD, "PmtBankRec")
_RECORD = (*_BANK, "PmtRec")
# What is open when a record at _RECORD has just closed: a resumed read starts with it.
_RESUME_PREFIX = "".join(f"<{name}>" for name in _BANK).encode("ascii")
_PROFILE_FIELDS = {"Sender": "sender", "Receiver": "receiver", "MsgCode": "msg_code"}


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


def _doctype_refuse(name, system_id, public_id, has_internal_subset):
    raise DTDForbidden(name, system_id, public_id)


def _entity_refuse(name, is_parameter_entity, value, base, system_id, public_id, notation):
    raise EntitiesForbidden(name, value, base, system_id, public_id, notation)


def _unparsed_entity_refuse(name, base, system_id, public_id, notation):
    raise EntitiesForbidden(name, None, base, system_id, public_id, notation)


def _external_refuse(context, base, system_id, public_id):
    raise ExternalReferenceForbidden(context, base, system_id, public_id)


class ReconFileReader:
    """Iterate it for the file's records in order; `checkpoint()` after any of them says where
    to go on from; once the iteration ended, `header` is final and the totals were checked.

    The iteration raises ReconFileInvalid at the first malformed element, and at the end when
    a control total differs from the records' own sum and count."""

    def __init__(self, stream: BinaryIO, *, biller_id: str, resume: ReadCheckpoint | None = None):
        self._stream = stream
        self._biller_id = biller_id
        self._resume = resume
        start = resume or ReadCheckpoint(offset=0, count=0, amount=Decimal("0.00"))
        self._header = start.header
        self.count = start.count
        self.amount = start.amount
        self._bank: list | None = None
        self._path: list[str] = []
        self._text: list[str] | None = None
        self._builder: TreeBuilder | None = None
        self._record_root = None  # the PmtRec element being built
        self._ready: list[tuple] = []
        self._mark: tuple | None = None
        # parser byte index + _base = byte in the file (the resume prefix is not in the file)
        self._base = start.offset - (len(_RESUME_PREFIX) if resume is not None else 0)
        self._window = b""
        self._window_start = 0
        self._fed = 0
        self._parser = self._parser_create()

    # --- what the domain sees ------------------------------------------------------------------

    @property
    def header(self) -> ReconHeader:
        return self._header

    def __iter__(self) -> Iterator[PaymentRecord]:
        try:
            yield from self._records()
            self._totals_check()
        except ReconFileInvalid as exc:
            if exc.header is None:
                exc.header = self._header
            raise

    def checkpoint(self) -> ReadCheckpoint | None:
        """Right after the record last yielded; None if none can be given there (no record
        yet, or an end tag too odd to find its end), in which case the caller reads on."""
        if self._mark is None or self._mark[0] is None:
            return None
        offset, count, amount, header, bank = self._mark
        return ReadCheckpoint(offset=offset, count=count, amount=amount, header=header,
                              bank=BankProgress(*bank))

    # --- reading -------------------------------------------------------------------------------

    def _parser_create(self):
        parser = expat.ParserCreate(encoding="utf-8", namespace_separator="}")
        parser.buffer_text = True
        parser.buffer_size = 64 * 1024
        # What defusedxml forbids, set on the parser itself: nothing outside the file is read
        # and no entity can expand.
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _doctype_refuse
        parser.EntityDeclHandler = _entity_refuse
        parser.UnparsedEntityDeclHandler = _unparsed_entity_refuse
        parser.ExternalEntityRefHandler = _external_refuse
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._data
        return parser

    def _encoding_check(self) -> None:
        self._stream.seek(0)
        declared = _ENCODING.match(self._stream.read(256))
        if declared and declared.group(1).decode("ascii").lower().replace("_", "-") \
                not in ("utf-8", "utf8"):
            raise ReconFileInvalid("the file must be UTF-8")

    def _feed(self, data: bytes, final: bool = False) -> None:
        self._window = self._window[-_TAIL:] + data
        self._fed += len(data)
        self._window_start = self._fed - len(self._window)
        try:
            self._parser.Parse(data, final)
        except expat.ExpatError as exc:
            raise ReconFileInvalid(f"not a well-formed document: {exc}") from None
        except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
            raise ReconFileInvalid(
                f"not a well-formed document: {type(exc).__name__}: {exc}") from None

    def _records(self) -> Iterator[PaymentRecord]:
        self._encoding_check()
        self._stream.seek(self._resume.offset if self._resume is not None else 0)
        if self._resume is not None:
            self._feed(_RESUME_PREFIX)
            bank = self._resume.bank  # the prefix opened a PmtBankRec: it is this one, half read
            self._bank = [bank.bank_id, bank.declared_amount, bank.declared_count, bank.amount,
                          bank.count]
        while True:
            data = self._stream.read(CHUNK)
            fault = None
            try:
                self._feed(data, final=not data)
            except ReconFileInvalid as exc:
                fault = exc  # raised once the records before it in this chunk are yielded
            ready, self._ready = self._ready, []
            for record, mark in ready:
                self._mark = mark
                yield record
            if fault is not None:
                raise fault
            if not data:
                return

    def _start(self, name: str, attributes) -> None:
        path = self._path
        path.append(name)
        if len(path) == 1 and name != _ROOT:
            raise ReconFileInvalid("the root element must be SADAD")
        if len(path) == len(_RECORD) and name == "PmtRec" and tuple(path) == _RECORD:
            # Inside a record the parser feeds the (C) TreeBuilder directly: no Python call
            # per element or text, which was a third of reading a file. `_record_close` puts
            # the handlers back when this PmtRec ends.
            self._builder = TreeBuilder()
            self._record_root = self._builder.start(name, {})
            parser = self._parser
            parser.StartElementHandler = self._builder.start
            parser.CharacterDataHandler = self._builder.data
            parser.EndElementHandler = self._record_close
        elif len(path) == len(_BANK) and tuple(path) == _BANK:
            self._bank = ["", None, None, Decimal("0.00"), 0]
        self._text = None

    def _data(self, text: str) -> None:
        if self._text is None:
            self._text = [text]
        else:
            self._text.append(text)

    def _record_close(self, name: str) -> None:
        element = self._builder.end(name)
        if element is not self._record_root:
            return  # an element inside the record closed
        parser = self._parser
        parser.StartElementHandler = self._start
        parser.CharacterDataHandler = self._data
        parser.EndElementHandler = self._end
        self._builder = self._record_root = None
        self._record(element)
        self._path.pop()

    def _end(self, name: str) -> None:
        path = self._path
        text = None if self._text is None else "".join(self._text)
        self._text = None
        depth = len(path)
        if depth <= len(_RECORD):
            where = tuple(path)
            parent = where[:-1]
            if parent == _BANK:
                self._bank_field(where[-1], text)
            elif where == _BANK:
                self._bank_close()
            elif parent == _UPLOAD:
                self._upload_field(where[-1], text)
            elif where == _RQ_UID:
                self._set("rq_uid", (text or "").strip())
            elif parent == _PROFILE:
                if where[-1] in _PROFILE_FIELDS:
                    self._set(_PROFILE_FIELDS[where[-1]], (text or "").strip())
            elif where == _SIGNON:
                self._signon_check()
        path.pop()

    def _record(self, element) -> None:
        position = self.count + 1
        try:
            record = wire.payment_record_from_element(element)
        except wire.WireError as exc:
            raise ReconFileInvalid(f"PmtRec {position}: {exc}") from None
        if record.biller_id != self._biller_id:
            raise ReconFileInvalid(f"PmtRec {position}: BillerId {record.biller_id!r} "
                                   f"is not this biller")
        bank = self._bank
        if bank[0] and record.bank_id != bank[0]:
            raise ReconFileInvalid(f"PmtRec {position}: BankId {record.bank_id!r} inside "
                                   f"the PmtBankRec of {bank[0]!r}")
        bank[3] += record.amount
        bank[4] += 1
        self.amount += record.amount
        self.count = position
        self._ready.append((record, (self._record_end(), position, self.amount, self._header,
                                     tuple(bank))))

    def _record_end(self) -> int | None:
        """The file offset right after the end tag the parser is at now."""
        at = self._parser.CurrentByteIndex - self._window_start
        if at < 0:
            return None
        end = self._window.find(b">", at)
        if end < 0:
            return None
        return self._window_start + end + 1 + self._base

    def _set(self, name: str, value) -> None:
        if getattr(self._header, name) not in (None, ""):
            raise ReconFileInvalid(f"{name} appears more than once")
        self._header = replace(self._header, **{name: value})

    def _bank_field(self, name: str, text: str | None) -> None:
        bank = self._bank
        if name == "BankId":
            if bank[0]:
                raise ReconFileInvalid("BankId appears more than once in a PmtBankRec")
            bank[0] = (text or "").strip()
        elif name == "CurAmt":
            if bank[1] is not None:
                raise ReconFileInvalid("CurAmt appears more than once in a PmtBankRec")
            bank[1] = total_amount_parse(text, name="PmtBankRec/CurAmt")
        elif name == "TrxCnt":
            if bank[2] is not None:
                raise ReconFileInvalid("TrxCnt appears more than once in a PmtBankRec")
            bank[2] = _count_parse(text, name="PmtBankRec/TrxCnt")
        else:
            raise ReconFileInvalid(f"unexpected element {name} in a PmtBankRec")

    def _bank_close(self) -> None:
        bank_id, declared_amount, declared_count, amount, count = self._bank
        if not bank_id or declared_amount is None or declared_count is None:
            raise ReconFileInvalid("a PmtBankRec needs BankId, CurAmt and TrxCnt")
        if declared_amount != amount or declared_count != count:
            raise ReconFileInvalid(
                f"control totals of bank {bank_id} differ: declared "
                f"{wire.amount_format(declared_amount)} in {declared_count}, records "
                f"sum to {wire.amount_format(amount)} in {count}")
        self._bank = None

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
        if self._header.msg_code != wire.MSG_RECONCILIATION:
            raise ReconFileInvalid(f"MsgCode must be {wire.MSG_RECONCILIATION}, "
                                   f"got {self._header.msg_code!r}")
        if self._header.receiver != self._biller_id:
            raise ReconFileInvalid(f"Receiver {self._header.receiver!r} is not this biller")

    def _totals_check(self) -> None:
        header = self._header
        if not header.msg_code:
            raise ReconFileInvalid("SignonRq is missing")
        if header.business_date is None or header.collected is None \
                or header.total_count is None:
            raise ReconFileInvalid("PrcDt, CollectPmtAmt and TotalTrxCnt are required")
        if header.fees is None:
            self._header = header = replace(header, fees=Decimal("0.00"))
        if header.collected != self.amount or header.total_count != self.count:
            raise ReconFileInvalid(
                f"control totals differ: declared {wire.amount_format(header.collected)} in "
                f"{header.total_count}, records sum to {wire.amount_format(self.amount)} "
                f"in {self.count}")


@contextmanager
def recon_file_open(path: Path, resume: ReadCheckpoint | None = None) -> Iterator[
        ReconFileReader]:
    """The domain's `ReconFileOpen` port: the file at `path`, read for this biller."""
    with open(path, "rb") as stream:
        yield ReconFileReader(stream, biller_id=settings.SADAD_BILLER_ID, resume=resume)


# --- writing ------------------------------------------------------------------------------

@dataclass
class BankSection:
    """One PmtBankRec to write: its totals must be known before its records are streamed."""

    bank_id: str
    amount: Decimal
    count: int
    records: Iterable[PaymentRecord]


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
