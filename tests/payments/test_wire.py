"""The XML wire format: what we build, we (and SADAD) parse back to the same values."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amanah.dates import RIYADH
from payments.sadad import wire

token = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=40)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2)
moments = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2040, 1, 1),
                       timezones=st.just(RIYADH)).map(lambda d: d.replace(microsecond=0))
records = st.builds(
    wire.PaymentRecord, sptn=token, bnkptn=st.one_of(st.just(""), token),
    status_code=st.just("PmtNew"), effective_at=moments, amount=amounts, processed_at=moments,
    billing_account=st.text(alphabet="0123456789", min_size=1, max_size=15),
    biller_id=st.just("090"), bank_id=token.map(lambda t: t[:16]),
    channel=st.sampled_from(sorted(wire.ACCESS_CHANNELS)),
    method=st.sampled_from(sorted(wire.PAYMENT_METHODS)))


@given(st.lists(records, min_size=1, max_size=5), st.uuids())
def test_notification_round_trips(recs, rq_uid):
    body = wire.payment_notification_build(rq_uid=str(rq_uid), records=recs,
                                           client_dt=dt.datetime(2026, 11, 30, tzinfo=RIYADH),
                                           receiver="090")
    parsed = wire.payment_notification_parse(body)
    assert (parsed.rq_uid, parsed.receiver, parsed.sender) == (str(rq_uid), "090", "SADAD")
    assert list(parsed.records) == recs


def test_spec_example_notification_parses():
    body = b"""<SADAD>
  <SignonRq>
    <ClientDt>2026-11-30T10:20:05+03:00</ClientDt>
    <SignonProfile><Sender>SADAD</Sender><Receiver>090</Receiver><MsgCode>PNOTRQ</MsgCode></SignonProfile>
  </SignonRq>
  <BillerSvcRq>
    <RqUID>7c0d5e1a-3c1e-4a8e-9d7e-1f2a3b4c5d6e</RqUID>
    <PmtNotifyRq>
      <PmtRec>
        <PmtTransId><PmtId>SP2026113000001234</PmtId><PmtIdType>SPTN</PmtIdType></PmtTransId>
        <PmtTransId><PmtId>RJ88812345</PmtId><PmtIdType>BNKPTN</PmtIdType></PmtTransId>
        <PmtStatus><PmtStatusCode>PmtNew</PmtStatusCode><EffDt>2026-11-30T10:20:00+03:00</EffDt></PmtStatus>
        <PmtInfo>
          <CurAmt>150.00</CurAmt>
          <PrcDt>2026-11-30T10:20:00+03:00</PrcDt>
          <AccountId><BillingAcct>10000000123</BillingAcct><BillerId>090</BillerId></AccountId>
          <BankId>RJHISARI</BankId>
          <AccessChannel>INTERNET</AccessChannel>
          <PmtMethod>ACTDEB</PmtMethod>
        </PmtInfo>
      </PmtRec>
    </PmtNotifyRq>
  </BillerSvcRq>
</SADAD>"""
    parsed = wire.payment_notification_parse(body)
    record, = parsed.records
    assert (record.sptn, record.bnkptn, record.amount, record.billing_account, record.bank_id,
            record.channel, record.method) == (
        "SP2026113000001234", "RJ88812345", Decimal("150.00"), "10000000123", "RJHISARI",
        "INTERNET", "ACTDEB")
    assert record.processed_at == dt.datetime(2026, 11, 30, 7, 20, tzinfo=dt.UTC)


def test_bill_upload_round_trips_and_matches_the_spec_shape():
    record = wire.BillRecord(
        status_code="BillNew", official_id="1000000008", official_id_type="NAT",
        category="FINE", service_type="VIOLATION", billing_account="10000000123",
        biller_id="090", amount_due=Decimal("150"), due_date=dt.date(2026, 12, 30),
        expiry_date=dt.date(2027, 3, 30), reference="V-KHB-1448-000017", version=1)
    rq_uid = str(uuid.uuid4())
    body = wire.bill_upload_build(rq_uid=rq_uid, records=[record],
                                  client_dt=dt.datetime(2026, 11, 30, 10, 15, tzinfo=RIYADH),
                                  sender="090")
    assert b"<ClientDt>2026-11-30T10:15:00+03:00</ClientDt>" in body
    assert b"<AmountDue>150.00</AmountDue><DueDt>2026-12-30</DueDt>" in body
    parsed = wire.bill_upload_parse(body)
    assert (parsed.rq_uid, parsed.sender, parsed.receiver) == (rq_uid, "090", "SADAD")
    assert parsed.records == (record,)


def test_bill_upload_carries_one_to_500_bills():
    with pytest.raises(ValueError):
        wire.bill_upload_build(rq_uid=str(uuid.uuid4()), records=[],
                               client_dt=dt.datetime(2026, 1, 1, tzinfo=RIYADH), sender="090")


def test_upload_answer_parses_per_bill_codes():
    answer = (b"<SADAD><PresSvcRs><RqUID>r</RqUID><Status><StatusCode>0</StatusCode></Status>"
              b"<BillUploadRs><BillRecStatus><BillingAcct>10000000123</BillingAcct>"
              b"<Version>1</Version><StatusCode>2</StatusCode><ShortDesc>bad id</ShortDesc>"
              b"</BillRecStatus></BillUploadRs></PresSvcRs></SADAD>")
    assert wire.bill_upload_response_parse(answer) == ("r", [
        wire.UploadStatus(billing_account="10000000123", version=1, status_code="2",
                          short_desc="bad id")])
