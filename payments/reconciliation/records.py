"""What reconciliation exchanges with the file reader of its biller adapter, as plain values.

The domain never opens or parses a file: an adapter (`payments.sadad.reconfile`) fills the
`ReconFileOpen` port below. It yields `payments.records.PaymentRecord`s and, after any record,
a `ReadCheckpoint` — everything needed to go on reading from just after that record in a later
process, so no record is read twice and the control totals come out as those of one clean read.

These live here rather than next to `PaymentRecord` in payments/records.py because only
reconciliation speaks of headers, banks' totals and resumable reads; a notification never does.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from ..records import PaymentRecord


class ReconFileInvalid(ValueError):
    """The file is not a well-formed §4 file, or its control totals do not add up.

    `header` is what could be read before the fault, kept on the run for the operator."""

    def __init__(self, message: str, *, header: "ReconHeader | None" = None):
        super().__init__(message)
        self.header = header


@dataclass(frozen=True)
class ReconHeader:
    """The file's own fields: its signon, and the day's declared totals (§4)."""

    rq_uid: str = ""
    sender: str = ""
    receiver: str = ""
    msg_code: str = ""
    business_date: dt.date | None = None
    collected: Decimal | None = None
    total_count: int | None = None
    fees: Decimal | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        data["business_date"] = self.business_date.isoformat() if self.business_date else None
        data["collected"] = _decimal_out(self.collected)
        data["fees"] = _decimal_out(self.fees)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "ReconHeader":
        return cls(**{**data,
                      "business_date": (dt.date.fromisoformat(data["business_date"])
                                        if data.get("business_date") else None),
                      "collected": _decimal_in(data.get("collected")),
                      "fees": _decimal_in(data.get("fees"))})


@dataclass(frozen=True)
class BankProgress:
    """A PmtBankRec being read: what it declares so far, and what its records add up to."""

    bank_id: str = ""
    declared_amount: Decimal | None = None
    declared_count: int | None = None
    amount: Decimal = Decimal("0.00")
    count: int = 0

    def to_json(self) -> dict:
        return {**asdict(self), "declared_amount": _decimal_out(self.declared_amount),
                "amount": _decimal_out(self.amount)}

    @classmethod
    def from_json(cls, data: dict) -> "BankProgress":
        return cls(**{**data, "declared_amount": _decimal_in(data.get("declared_amount")),
                      "amount": _decimal_in(data["amount"])})


@dataclass(frozen=True)
class ReadCheckpoint:
    """Where a read stopped: just after a record that closed inside its PmtBankRec.

    `offset` is the byte in the file right after that record's end tag (the reader saw the
    tag end exactly there); `count` and `amount` are all records up to it; `bank` is the open
    PmtBankRec; `header` holds the file's fields read so far."""

    offset: int
    count: int
    amount: Decimal
    header: ReconHeader = field(default_factory=ReconHeader)
    bank: BankProgress = field(default_factory=BankProgress)

    def to_json(self) -> dict:
        return {"offset": self.offset, "count": self.count, "amount": _decimal_out(self.amount),
                "header": self.header.to_json(), "bank": self.bank.to_json()}

    @classmethod
    def from_json(cls, data: dict) -> "ReadCheckpoint":
        return cls(offset=data["offset"], count=data["count"], amount=_decimal_in(data["amount"]),
                   header=ReconHeader.from_json(data["header"]),
                   bank=BankProgress.from_json(data["bank"]))

    def with_header(self, **changes) -> "ReadCheckpoint":
        return replace(self, header=replace(self.header, **changes))


class ReconFileReading(Protocol):
    """An open file being read. Iterating yields its records in order and raises
    `ReconFileInvalid` at the first fault, or at the end when a control total differs."""

    def __iter__(self) -> Iterator[PaymentRecord]: ...

    def checkpoint(self) -> ReadCheckpoint:
        """Where to go on from, right after the record last yielded."""

    @property
    def header(self) -> ReconHeader:
        """The file's fields; complete once the iteration ended without a fault."""


# Opens the file at `path`, from its start (None) or from a checkpoint it gave earlier.
ReconFileOpen = Callable[[Path, ReadCheckpoint | None], AbstractContextManager[ReconFileReading]]


def _decimal_out(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal_in(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


__all__ = ["BankProgress", "PaymentRecord", "ReadCheckpoint", "ReconFileInvalid",
           "ReconFileOpen", "ReconFileReading", "ReconHeader"]
