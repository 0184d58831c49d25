"""Every refusal of the §3 table.

Each test reads: given a well-formed, correctly signed notification for a registered bill,
when one thing about it is wrong (named by the test), then the `refused` fixture checks the
HTTP status, the code in an error body of the spec's shape, one security log line, that no
row changed and that no task was queued.
"""

import re
import uuid

import pytest
from django.conf import settings

from payments.sadad.signing import signature_compute

from .factories import bill_make, notification, now_unix, pmt, post, signed

pytestmark = pytest.mark.django_db

ERROR_BODY = re.compile(
    rb"<SADAD><BillerSvcRs><RqUID>(?P<rq>[^<]*)</RqUID><Status><StatusCode>(?P<code>E_[A-Z_]+)"
    rb"</StatusCode><ShortDesc>[^<]*</ShortDesc></Status></BillerSvcRs></SADAD>")


@pytest.fixture
def bill():
    return bill_make(amount="150.00")


@pytest.fixture
def refused(client, db_snapshot, queued, security_log):
    """Posts and checks the common refusal rules; returns the RqUID in the error body."""

    def check(body, *, status, code, **post_kwargs):
        before = db_snapshot()
        with queued() as tasks:
            response = post(client, body, **post_kwargs)
        assert response.status_code == status
        match = ERROR_BODY.fullmatch(response.content)
        assert match is not None, response.content
        assert len(response.content) < 1000
        assert match["code"].decode() == code
        assert db_snapshot() == before
        assert tasks == []
        assert [code in r.getMessage() for r in security_log()] == [True]
        return match["rq"].decode()

    return check


def good_body(bill, **kwargs):
    return notification([pmt(sptn="SP1", billing_account=bill.billing_account)], **kwargs)


# --- 415 E_MEDIA ---------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["text/xml", "application/json", "text/plain",
                                          "application/x-www-form-urlencoded"])
def test_wrong_media_type_is_415(refused, bill, content_type):
    refused(good_body(bill), status=415, code="E_MEDIA", content_type=content_type)


def test_media_type_with_charset_parameter_is_accepted(client, bill):
    response = post(client, good_body(bill), content_type="application/xml; charset=utf-8")
    assert response.status_code == 200


# --- 413 E_TOO_LARGE -------------------------------------------------------------------

def test_body_of_one_mebibyte_plus_one_byte_is_413(refused, bill):
    # given a well-signed body padded with whitespace to 1 MiB + 1 byte
    body = good_body(bill)
    body = body + b" " * (1024 * 1024 + 1 - len(body))
    assert len(body) == 1024 * 1024 + 1
    refused(body, status=413, code="E_TOO_LARGE")


def test_body_of_exactly_one_mebibyte_is_not_too_large(client, bill):
    body = good_body(bill)
    body = body + b" " * (1024 * 1024 - len(body))
    response = post(client, body)
    assert response.status_code == 200


# --- 401 E_SIGNATURE / E_STALE --------------------------------------------------------

def test_missing_signature_header_is_401(refused, bill):
    refused(good_body(bill), status=401, code="E_SIGNATURE", signature=None)


@pytest.mark.parametrize("header", [
    "", "garbage", "t=abc,v1=" + "0" * 64, "v1=" + "0" * 64, "t=1700000000",
    "t=1700000000,v1=nothex", "t=1,t=2,v1=" + "0" * 64,
])
def test_malformed_signature_header_is_401(refused, bill, header):
    refused(good_body(bill), status=401, code="E_SIGNATURE", signature=header)


def test_signature_with_an_unknown_key_is_401(refused, bill):
    body = good_body(bill)
    refused(body, status=401, code="E_SIGNATURE", signature=signed(body, key="not-our-key"))


def test_signature_over_another_body_is_401(refused, bill):
    body = good_body(bill)
    refused(body, status=401, code="E_SIGNATURE",
            signature=signed(body.replace(b"150.00", b"1.00")))


def test_signature_with_another_timestamp_than_signed_is_401(refused, bill):
    body = good_body(bill)
    t = now_unix()
    digest = signature_compute(settings.SADAD_INBOUND_KEYS[0], t, body)
    refused(body, status=401, code="E_SIGNATURE", signature=f"t={t + 1},v1={digest}")


def test_old_rotated_key_is_accepted(client, bill):
    # given SADAD still signs with the key being rotated out (second in SADAD_INBOUND_KEYS)
    body = good_body(bill)
    response = post(client, body, signature=signed(body, key="test-inbound-key-old"))
    assert response.status_code == 200


def test_any_of_several_v1_signatures_may_match(client, bill):
    # given a header carrying a signature with an unknown new key and one with a known key
    body = good_body(bill)
    t = now_unix()
    header = (f"t={t},v1={signature_compute('brand-new-key', t, body)},"
              f"v1={signature_compute('test-inbound-key', t, body)}")
    response = post(client, body, signature=header)
    assert response.status_code == 200


@pytest.mark.parametrize("offset", [-301, 301, -86400, 86400])
def test_timestamp_more_than_300_seconds_away_is_stale(refused, bill, offset):
    body = good_body(bill)
    refused(body, status=401, code="E_STALE", signature=signed(body, t=now_unix() + offset))


@pytest.mark.parametrize("offset", [-290, 290])
def test_timestamp_within_300_seconds_is_fresh(client, bill, offset):
    body = good_body(bill)
    response = post(client, body, signature=signed(body, t=now_unix() + offset))
    assert response.status_code == 200


def test_stale_and_unsigned_is_a_signature_error_not_stale(refused, bill):
    body = good_body(bill)
    refused(body, status=401, code="E_SIGNATURE",
            signature=signed(body, key="not-our-key", t=now_unix() - 1000))


# --- 400 E_SCHEMA ------------------------------------------------------------------------

def test_not_well_formed_is_400(refused):
    refused(b"<SADAD><SignonRq>", status=400, code="E_SCHEMA")


def test_doctype_is_400(refused, bill):
    body = good_body(bill).replace(b"<SADAD>", b'<!DOCTYPE SADAD [<!ENTITY x "y">]><SADAD>', 1)
    refused(body, status=400, code="E_SCHEMA")


def test_entity_expansion_bomb_is_400(refused):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b"<SADAD>&lol2;</SADAD>")
    refused(bomb, status=400, code="E_SCHEMA")


def test_external_entity_is_400(refused):
    body = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<SADAD>&e;</SADAD>")
    refused(body, status=400, code="E_SCHEMA")


def test_non_utf8_encoding_is_400(refused, bill):
    body = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + good_body(bill)
    refused(body, status=400, code="E_SCHEMA")


@pytest.mark.parametrize("amount", ["-5", "1e3", "150.505", " 12 ", "١٥٠", "", "0", "0.00",
                                    "+150", "150.", ".5", "12345678901", "1,000", "NaN",
                                    "Infinity", "0x10", "150.00\n"])
def test_bad_amount_is_400(refused, bill, amount):
    body = good_body(bill).replace(b"<CurAmt>150.00</CurAmt>",
                                   f"<CurAmt>{amount}</CurAmt>".encode())
    rq_uid = refused(body, status=400, code="E_SCHEMA")
    assert uuid.UUID(rq_uid)


@pytest.mark.parametrize(("old", "new"), [
    (b"<MsgCode>PNOTRQ</MsgCode>", b"<MsgCode>RCONRQ</MsgCode>"),
    (b"<MsgCode>PNOTRQ</MsgCode>", b""),
    (b"<PmtIdType>SPTN</PmtIdType>", b"<PmtIdType>OTHER</PmtIdType>"),
    (b"<AccessChannel>INTERNET</AccessChannel>", b"<AccessChannel>WEB</AccessChannel>"),
    (b"<PmtMethod>ACTDEB</PmtMethod>", b"<PmtMethod>CHEQUE</PmtMethod>"),
    (b"<PmtStatusCode>PmtNew</PmtStatusCode>", b"<PmtStatusCode>PmtReversed</PmtStatusCode>"),
    (b"+03:00</PrcDt>", b"</PrcDt>"),
    (b"<BankId>RJHISARI</BankId>", b""),
    (b"<BillingAcct>", b"<BillingAcct>X"),
])
def test_missing_or_malformed_element_is_400(refused, bill, old, new):
    body = good_body(bill)
    assert old in body
    refused(body.replace(old, new, 1), status=400, code="E_SCHEMA")


def test_missing_sptn_is_400(refused, bill):
    body = notification([pmt(sptn="SP1", billing_account=bill.billing_account)])
    body = re.sub(rb"<PmtTransId><PmtId>SP1</PmtId><PmtIdType>SPTN</PmtIdType></PmtTransId>",
                  b"", body)
    refused(body, status=400, code="E_SCHEMA")


def test_rquid_that_is_not_a_uuid_is_400(refused, bill):
    refused(good_body(bill, rq_uid="not-a-uuid"), status=400, code="E_SCHEMA")


def test_no_pmtrec_is_400(refused):
    refused(notification([]), status=400, code="E_SCHEMA")


def test_more_than_100_pmtrec_is_400(refused, bill):
    records = [pmt(sptn=f"SP{i}", billing_account=bill.billing_account) for i in range(101)]
    refused(notification(records), status=400, code="E_SCHEMA")


def test_exactly_100_pmtrec_is_accepted(client, bill):
    records = [pmt(sptn=f"SP{i}", billing_account=bill.billing_account) for i in range(100)]
    response = post(client, notification(records))
    assert response.status_code == 200


# --- 403 E_WRONG_BILLER ---------------------------------------------------------------

def test_wrong_receiver_is_403(refused, bill):
    refused(good_body(bill, receiver="091"), status=403, code="E_WRONG_BILLER")


def test_wrong_biller_id_in_one_record_is_403(refused, bill):
    body = notification([pmt(sptn="SP1", billing_account=bill.billing_account),
                         pmt(sptn="SP2", billing_account=bill.billing_account, biller_id="091")])
    refused(body, status=403, code="E_WRONG_BILLER")


# --- 409 E_RQUID_REUSED ---------------------------------------------------------------

def test_rquid_reused_with_another_body_is_409_and_changes_nothing(client, refused, bill):
    # given a notification answered under some RqUID
    rq_uid = str(uuid.uuid4())
    first = post(client, notification([pmt(sptn="SP1", billing_account=bill.billing_account)],
                                      rq_uid=rq_uid))
    assert first.status_code == 200
    # when another body arrives under that RqUID
    other = notification([pmt(sptn="SP2", billing_account=bill.billing_account)], rq_uid=rq_uid)
    # then it is refused and nothing changes (checked by `refused`)
    assert refused(other, status=409, code="E_RQUID_REUSED") == rq_uid


def test_a_huge_bad_value_is_not_echoed_back_whole(refused, bill):
    # given an amount of 100,000 characters
    body = good_body(bill).replace(b"<CurAmt>150.00</CurAmt>",
                                   b"<CurAmt>" + b"9" * 100_000 + b"</CurAmt>")
    # then the refusal's description stays short
    refused(body, status=400, code="E_SCHEMA")


def test_get_is_not_allowed(client):
    assert client.get("/sadad/payment-notifications").status_code == 405
