"""`manage.py sadad_simulator`: the simulated SADAD pays, resends, plays faults and writes the
day's reconciliation file, all through the portal's real endpoint and services."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amanah.dates import RIYADH
from payments.enums import BillStatus, PaymentSource, PaymentStatus
from payments.models import InboundMessage, Payment
from payments.sadad.simulator.models import SimulatedSadadPayment

from .factories import bill_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def world(clock, settings, tmp_path):
    clock.set(dt.datetime(2026, 11, 30, 10, 0, tzinfo=RIYADH))
    settings.VAR_DIR = tmp_path


def simulator(*args) -> str:
    out = io.StringIO()
    call_command("sadad_simulator", *args, stdout=out)
    return out.getvalue()


def test_pay_notifies_the_portal_and_the_bill_is_paid():
    # given a bill SADAD accepted
    bill = bill_make(amount="150.00")
    # when the simulated bank pays it
    out = simulator("pay", bill.billing_account, "--sptn", "SP100", "--bank", "NCBKSAJE",
                    "--channel", "ATM")
    # then the portal answered ACCEPTED and the bill is paid by that SPTN
    assert "HTTP 200" in out
    assert "<PmtId>SP100</PmtId><Result>ACCEPTED</Result>" in out
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
    payment = Payment.objects.get(sptn="SP100")
    assert (payment.status, payment.bank_id, payment.channel, payment.bill_id) == (
        PaymentStatus.APPLIED, "NCBKSAJE", "ATM", bill.pk)
    simulated = SimulatedSadadPayment.objects.get(sptn="SP100")
    assert (simulated.notified_status, simulated.notified_result) == (200, "ACCEPTED")


def test_duplicate_resends_the_last_message_and_gets_the_first_answer():
    # given a paid bill
    bill = bill_make()
    first = simulator("pay", bill.billing_account, "--sptn", "SP1")
    # when the last message is sent again
    again = simulator("duplicate")
    # then the stored first answer comes back, and the payment stays single
    assert again == first.split("\n", 1)[1]
    assert Payment.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_duplicate_without_an_earlier_message_is_refused():
    with pytest.raises(CommandError, match="no message sent yet"):
        simulator("duplicate")


@pytest.mark.parametrize("fault, status, code", [
    ("--stale", 401, "E_STALE"),
    ("--bad-signature", 401, "E_SIGNATURE"),
    ("--wrong-biller", 403, "E_WRONG_BILLER"),
])
def test_faults_are_refused_and_nothing_is_recorded(fault, status, code):
    # given a bill
    bill = bill_make()
    # when the simulated SADAD sends a faulty notification for its payment
    out = simulator("pay", bill.billing_account, fault)
    # then the portal refused the message and recorded nothing
    assert f"HTTP {status}" in out
    assert f"<StatusCode>{code}</StatusCode>" in out
    bill.refresh_from_db()
    assert bill.status == BillStatus.UNPAID
    assert Payment.objects.count() == 0
    assert InboundMessage.objects.count() == 0


def test_reused_rquid_with_another_body_is_refused_409():
    # given a paid bill and a second unpaid one
    paid, other = bill_make(), bill_make()
    simulator("pay", paid.billing_account)
    # when the next payment reuses the last message's RqUID
    out = simulator("pay", other.billing_account, "--reuse-rquid")
    # then 409, and the second bill stays unpaid
    assert "HTTP 409" in out
    assert "<StatusCode>E_RQUID_REUSED</StatusCode>" in out
    other.refresh_from_db()
    assert other.status == BillStatus.UNPAID
    assert Payment.objects.count() == 1


def test_recon_file_of_the_day_reconciles_what_the_bank_did(tmp_path):
    # given one payment notified and one the bank never notified
    notified_bill, silent_bill = bill_make(), bill_make()
    simulator("pay", notified_bill.billing_account, "--sptn", "SPN")
    simulator("pay", silent_bill.billing_account, "--sptn", "SPS", "--bank", "NCBKSAJE",
              "--no-deliver")
    # when the day's file is written and reconciled
    out_file = tmp_path / "recon.xml"
    written = simulator("recon-file", "--date", "2026-11-30", "--fee-per-record", "0.75",
                        str(out_file))
    assert "2 payments, 300.00 SAR" in written
    report = io.StringIO()
    call_command("sadad_reconcile", str(out_file), "--json", stdout=report)
    # then the notified one matches and the silent one is recorded from the file
    assert json.loads(report.getvalue()) == {
        "business_date": "2026-11-30", "status": "COMPLETED_WITH_EXCEPTIONS",
        "counts": {"MATCHED": 1, "MISSING_IN_PORTAL": 1, "AMOUNT_MISMATCH": 0,
                   "ACCOUNT_MISMATCH": 0, "DUPLICATE_IN_FILE": 0, "MISSING_IN_FILE": 0,
                   "PENDING_NEXT_FILE": 0},
        "collected": "300.00", "fees": "1.50"}
    assert Payment.objects.get(sptn="SPS").source == PaymentSource.RECONCILIATION
    silent_bill.refresh_from_db()
    assert silent_bill.status == BillStatus.PAID


def test_pay_for_a_bill_sadad_does_not_know_is_refused_by_the_simulated_bank():
    with pytest.raises(CommandError, match="simulator.unknown_bill"):
        simulator("pay", "99999999990")
    assert SimulatedSadadPayment.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_pay_over_http_with_url(live_server):
    # given a bill and the portal served over HTTP
    bill = bill_make()
    # when the simulator posts to it by URL
    out = simulator("pay", bill.billing_account, "--sptn", "SPH", "--url", live_server.url)
    # then the bill is paid
    assert "HTTP 200" in out
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
