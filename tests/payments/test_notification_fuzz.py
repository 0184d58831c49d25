"""A bad request never gives a 500: mangled notifications, properly signed, get an answer
from the spec's table and never a crash."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.sadad.inbound import notification_handle

from .factories import UNKNOWN_ACCOUNT, notification, pmt, signed

pytestmark = pytest.mark.django_db

BASE = notification([pmt(sptn="SP-FUZZ", billing_account=UNKNOWN_ACCOUNT)],
                    rq_uid="0b6f0a52-3c1e-4a8e-9d7e-1f2a3b4c5d6e")


@st.composite
def mangled(draw):
    body = bytearray(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        position = draw(st.integers(min_value=0, max_value=len(body)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(st.one_of(
            st.binary(min_size=1, max_size=8),
            st.sampled_from([b"<", b">", b"&", b"&amp;", b"<!DOCTYPE x>", b"\x00", b"\xff",
                             "٣".encode(), b"<PmtRec>", b"</PmtRec>", b"-", b"."])))
        if action == "insert":
            body[position:position] = chunk
        elif action == "delete":
            del body[position:position + len(chunk)]
        else:
            body[position:position + len(chunk)] = chunk
    return bytes(body)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mangled())
def test_mangled_signed_bodies_get_an_answer_from_the_table(body):
    answer = notification_handle(body=body, signature=signed(body))
    assert answer.status in (200, 400, 403, 409)
    if answer.status != 200:
        assert answer.body.startswith(b"<SADAD><BillerSvcRs><RqUID>")
