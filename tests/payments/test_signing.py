"""The X-Sadad-Signature header (§1)."""

import pytest

from payments.sadad.signing import (
    SignatureInvalid,
    SignatureStale,
    signature_compute,
    signature_header,
    signature_verify,
)

BODY = b"<SADAD/>"
KEYS = ["new-key", "old-key"]


def test_signature_is_hmac_sha256_of_t_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(b"k", b"1700000000.<SADAD/>", hashlib.sha256).hexdigest()
    assert signature_compute("k", 1700000000, BODY) == expected
    assert signature_header("k", 1700000000, BODY) == f"t=1700000000,v1={expected}"


@pytest.mark.parametrize("key", KEYS)
def test_either_configured_key_verifies(key):
    assert signature_verify(signature_header(key, 1000, BODY), BODY, keys=KEYS, now=1000) == 1000


def test_uppercase_hex_and_spaces_are_tolerated():
    digest = signature_compute("new-key", 1000, BODY).upper()
    assert signature_verify(f"t=1000, v1={digest}", BODY, keys=KEYS, now=1000) == 1000


def test_unknown_schemes_are_ignored_next_to_v1():
    header = signature_header("new-key", 1000, BODY) + ",v2=abc"
    assert signature_verify(header, BODY, keys=KEYS, now=1000) == 1000


@pytest.mark.parametrize(("now", "ok"), [(1300, True), (700, True), (1301, False), (699, False)])
def test_freshness_is_300_seconds_either_way(now, ok):
    header = signature_header("new-key", 1000, BODY)
    if ok:
        assert signature_verify(header, BODY, keys=KEYS, now=now) == 1000
    else:
        with pytest.raises(SignatureStale):
            signature_verify(header, BODY, keys=KEYS, now=now)


@pytest.mark.parametrize("header", [None, "", "t=1000", "v1=" + "a" * 64, "t=x,v1=" + "a" * 64,
                                    "t=1000,v1=" + "a" * 63, "t=1000;v1=" + "a" * 64])
def test_malformed_headers_are_invalid(header):
    with pytest.raises(SignatureInvalid):
        signature_verify(header, BODY, keys=KEYS, now=1000)


def test_empty_configured_key_never_matches():
    header = signature_header("", 1000, BODY)
    with pytest.raises(SignatureInvalid):
        signature_verify(header, BODY, keys=[""], now=1000)


@pytest.mark.parametrize("key", KEYS)
def test_a_body_verified_chunk_by_chunk_is_verified_as_a_whole(key):
    # given a large body signed with either key, fed to the verifier in uneven chunks
    from payments.sadad.signing import SignatureVerifier

    body = b"<SADAD>" + b"x" * 100_003 + b"</SADAD>"
    verifier = SignatureVerifier(signature_header(key, 1000, body), keys=KEYS)
    for start in range(0, len(body), 4096 + 7):
        verifier.update(body[start:start + 4096 + 7])
    # then it answers what signature_verify answers for the whole body
    assert verifier.verify(now=1000) == signature_verify(
        signature_header(key, 1000, body), body, keys=KEYS, now=1000) == 1000


@pytest.mark.parametrize(("header", "now", "refusal"), [
    (signature_header("other-key", 1000, BODY), 1000, SignatureInvalid),
    (signature_header("new-key", 1000, BODY + b" "), 1000, SignatureInvalid),
    (signature_header("new-key", 1000, BODY), 1301, SignatureStale),
    (signature_header("new-key", 1000, BODY), 699, SignatureStale),
])
def test_the_streaming_verifier_refuses_as_signature_verify_does(header, now, refusal):
    from payments.sadad.signing import SignatureVerifier

    verifier = SignatureVerifier(header, keys=KEYS)
    verifier.update(BODY[:3])
    verifier.update(BODY[3:])
    with pytest.raises(refusal):
        verifier.verify(now=now)
    with pytest.raises(refusal):
        signature_verify(header, BODY, keys=KEYS, now=now)


def test_the_streaming_verifier_refuses_a_malformed_header_before_any_body():
    from payments.sadad.signing import SignatureVerifier

    with pytest.raises(SignatureInvalid):
        SignatureVerifier("t=1000", keys=KEYS)
