"""The §4 file reader of the SADAD adapter: records in order, control totals, safety, and reading
on from any checkpoint exactly as one pass would."""

import datetime as dt
import io
import json
import uuid
from decimal import Decimal

import pytest

from amanah.dates import RIYADH
from payments.reconciliation.records import ReadCheckpoint, ReconFileInvalid
from payments.sadad import reconfile
from payments.sadad.reconfile import BankSection, ReconFileReader, recon_file_write

from .factories import pmt

DAY = dt.date(2026, 11, 30)


def _records(bank, count, start):
    return [pmt(sptn=f"SP{start + i:04d}", amount=f"{10 + i}.25", billing_account="10000000009",
                bank_id=bank, processed_at=dt.datetime(2026, 11, 30, 9, i, tzinfo=RIYADH))
            for i in range(count)]


def _file(banks=(("RJHISARI", 6), ("NCBKSAJE", 4))) -> bytes:
    sections, start = [], 0
    for bank, count in banks:
        records = _records(bank, count, start)
        start += count
        sections.append(BankSection(bank_id=bank, amount=sum(r.amount for r in records),
                                    count=count, records=records))
    out = io.StringIO()
    recon_file_write(out, business_date=DAY, banks=sections, fees=Decimal("2.50"),
                     rq_uid=str(uuid.uuid4()), client_dt=dt.datetime(2026, 12, 1, 2, 0,
                                                                      tzinfo=RIYADH),
                     receiver="090")
    return out.getvalue().encode()


def _pretty(data: bytes) -> bytes:
    """The same file as a person would lay it out: a declaration, a BOM, Arabic comments
    (several bytes a character), spaces inside end tags, CDATA."""
    data = data.replace(b"</PmtRec>", "</PmtRec  \n >\n  <!-- سجل -->\n".encode())
    data = data.replace(b"<PmtRec>", b"\n    <PmtRec>")
    data = data.replace(b"<AccessChannel>INTERNET<", b"<AccessChannel><![CDATA[INTERNET]]><")
    return b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?>\n" + data


def _read(data: bytes, resume: ReadCheckpoint | None = None):
    reader = ReconFileReader(io.BytesIO(data), biller_id="090", resume=resume)
    seen = []
    for record in reader:
        seen.append((record, reader.checkpoint()))
    return reader, seen


@pytest.mark.parametrize("layout", ["compact", "pretty"])
def test_reading_on_from_any_checkpoint_gives_the_rest_and_the_same_totals(layout):
    # given a file of two banks, and its records and checkpoints read in one pass
    data = _file() if layout == "compact" else _pretty(_file())
    whole, seen = _read(data)
    assert [r.sptn for r, _ in seen] == [f"SP{i:04d}" for i in range(10)]
    assert (whole.header.collected, whole.header.total_count, whole.header.fees) == (
        Decimal("123.50"), 10, Decimal("2.50"))
    for index, (_record, checkpoint) in enumerate(seen):
        # then each checkpoint sits right after the end tag of its record
        assert data[:checkpoint.offset].rstrip(b">").rstrip().endswith(b"</PmtRec")
        assert checkpoint.count == index + 1
        # and reading on from it (through JSON, as the run stores it) gives exactly the rest
        resumed = ReadCheckpoint.from_json(json.loads(json.dumps(checkpoint.to_json())))
        assert resumed == checkpoint
        reader, rest = _read(data, resume=resumed)
        assert [r for r, _ in rest] == [r for r, _ in seen[index + 1:]]
        assert [c for _, c in rest] == [c for _, c in seen[index + 1:]]
        assert reader.header == whole.header


def test_checkpoints_do_not_depend_on_where_the_chunks_end(monkeypatch):
    # given a file read in big chunks
    data = _pretty(_file())
    _, big = _read(data)
    # when it is read seven bytes at a time (end tags split across chunks)
    monkeypatch.setattr(reconfile, "CHUNK", 7)
    _, small = _read(data)
    # then the records and checkpoints are the same
    assert small == big


def test_a_fault_after_a_checkpoint_is_the_same_fault_when_read_on():
    # given a file whose second bank declares one record too many
    data = _file().replace(b"<TrxCnt>4</TrxCnt>", b"<TrxCnt>5</TrxCnt>")
    with pytest.raises(ReconFileInvalid) as whole:
        _read(data)
    # when it is read on from a checkpoint inside each bank
    reader = ReconFileReader(io.BytesIO(data), biller_id="090")
    checkpoints = []
    with pytest.raises(ReconFileInvalid):
        for _record in reader:
            checkpoints.append(reader.checkpoint())
    for checkpoint in (checkpoints[2], checkpoints[7]):
        with pytest.raises(ReconFileInvalid) as resumed:
            _read(data, resume=checkpoint)
        # then the fault and the header read up to it are those of the clean read
        assert str(resumed.value) == str(whole.value) == (
            "control totals of bank NCBKSAJE differ: declared 47.00 in 5, records sum to "
            "47.00 in 4")
        assert resumed.value.header == whole.value.header
        assert resumed.value.header.collected == Decimal("123.50")


@pytest.mark.parametrize("data, why", [
    (b'<!DOCTYPE SADAD [<!ENTITY x "y">]><SADAD/>', "DTDForbidden"),
    (b'<?xml version="1.0" encoding="UTF-16"?><SADAD/>', "the file must be UTF-8"),
    (b'<?xml version="1.0" encoding="ISO-8859-6"?><SADAD/>', "the file must be UTF-8"),
    (b"<SADAD><SignonRq>\xff\xfe</SignonRq></SADAD>", "not a well-formed document"),
    (b"<SADAD><SignonRq></SADAD>", "not a well-formed document"),
    (b"<Other/>", "the root element must be SADAD"),
    (b'<SADAD xmlns="urn:elsewhere"/>', "the root element must be SADAD"),
    (b"<SADAD/>", "SignonRq is missing"),
])
def test_hostile_or_malformed_files_are_invalid(data, why):
    with pytest.raises(ReconFileInvalid) as refused:
        _read(data)
    assert why in str(refused.value)


def test_records_before_a_malformed_one_are_given_first():
    # given a file whose fourth record has a bad amount
    data = _file().replace(b"<CurAmt>13.25</CurAmt>", b"<CurAmt>13.2.5</CurAmt>")
    reader = ReconFileReader(io.BytesIO(data), biller_id="090")
    seen = []
    # when it is read
    with pytest.raises(ReconFileInvalid) as refused:
        for record in reader:
            seen.append(record.sptn)
    # then the three before it came out, then the fault, by position
    assert seen == ["SP0000", "SP0001", "SP0002"]
    assert str(refused.value) == "PmtRec 4: bad amount '13.2.5'"
