"""The simulated SADAD signs with a key of its own (SADAD_SIMULATOR_KEY), never with a key SADAD
signs with, and the portal accepts that key only in demo mode: a portal that is not a training
one refuses whatever the simulated bank says, so it can never pay a bill for nothing."""

from decimal import Decimal

import pytest

from amanah import clock
from payments.enums import BillStatus
from payments.models import Bill, InboundMessage, Payment, ReconRun
from payments.sadad.signing import SignatureInvalid, signature_verify

from .factories import bill_make, notification, now_unix, pmt, post, signed

pytestmark = pytest.mark.django_db

RECON_URL = "/sadad/reconciliation-files"


def _simulated_pay(bill):
    from payments.sadad.simulator.bank import simulated_bank_pay

    return simulated_bank_pay(billing_account=bill.billing_account)


def test_the_simulated_bank_signs_with_the_simulator_key_and_no_inbound_key(monkeypatch):
    from payments.sadad.simulator import bank

    # given a bill the simulated SADAD knows, in demo mode
    bill = bill_make(amount="150.00")
    sent = []
    handle = bank.notification_handle
    monkeypatch.setattr(bank, "notification_handle",
                        lambda **kwargs: sent.append(kwargs) or handle(**kwargs))
    # when its bank pays the bill
    paid = _simulated_pay(bill)
    # then the notification carried a signature by the simulator's key, by no inbound key
    (message,) = sent
    from django.conf import settings

    now = int(clock.now().timestamp())
    assert signature_verify(message["signature"], message["body"],
                            keys=[settings.SADAD_SIMULATOR_KEY], now=now)
    with pytest.raises(SignatureInvalid):
        signature_verify(message["signature"], message["body"],
                         keys=list(settings.SADAD_INBOUND_KEYS), now=now)
    # and demo mode accepted it
    assert (paid.notified_status, paid.notified_result) == (200, "ACCEPTED")
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PAID


def test_without_demo_mode_the_simulated_bank_pays_nothing(settings, security_log):
    # given a portal that is not in demo mode, whose simulated SADAD still knows a bill
    bill = bill_make(amount="150.00")
    settings.DEMO_MODE = False
    # when the simulated bank pays it anyway
    paid = _simulated_pay(bill)
    # then the portal refuses the notification as unsigned and records nothing
    assert (paid.notified_status, paid.notified_result) == (401, "")
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.UNPAID
    assert Bill.objects.get(pk=bill.pk).amount_paid == Decimal("0.00")
    assert Payment.objects.count() == 0
    assert InboundMessage.objects.count() == 0
    assert [r.getMessage().split(" rq_uid=")[0] for r in security_log()] == [
        "refused SADAD notification: 401 E_SIGNATURE"]


@pytest.mark.parametrize(("demo", "status"), [(True, 200), (False, 401)])
def test_the_notification_endpoint_takes_the_simulator_key_only_in_demo_mode(client, settings,
                                                                            demo, status):
    # given a bill, and a notification for it signed with the simulator's key
    settings.DEMO_MODE = demo
    bill = bill_make(amount="150.00")
    body = notification([pmt(sptn="SP-SIM-1", billing_account=bill.billing_account)])
    signature = signed(body, key=settings.SADAD_SIMULATOR_KEY)
    # when it is posted to the portal
    response = post(client, body, signature=signature)
    # then only a demo portal records it
    assert response.status_code == status
    assert Payment.objects.filter(sptn="SP-SIM-1").count() == (1 if demo else 0)


def test_the_reconciliation_endpoint_refuses_the_simulator_key_outside_demo_mode(client,
                                                                                 settings):
    # given a portal not in demo mode, and a file signed with the simulator's key
    settings.DEMO_MODE = False
    body = b"<SADAD/>"
    # when it is posted
    response = client.post(RECON_URL, data=body, content_type="application/xml",
                           headers={"X-Sadad-Signature": signed(
                               body, key=settings.SADAD_SIMULATOR_KEY, t=now_unix())})
    # then it is refused as unsigned, and nothing is stored
    assert response.status_code == 401
    assert b"<StatusCode>E_SIGNATURE</StatusCode>" in response.content
    assert ReconRun.objects.count() == 0


def test_the_simulator_command_signs_with_the_simulator_key(settings, capsys):
    from django.core.management import call_command

    # given a bill the simulated SADAD knows, and a portal not in demo mode for the message
    bill = bill_make(amount="150.00")
    # when the operator's command pays it with demo mode off at the portal's end
    settings.DEMO_MODE = False
    call_command("sadad_simulator", "pay", bill.billing_account)
    # then the portal refused it: the command never signs with a key SADAD signs with
    assert "HTTP 401" in capsys.readouterr().out
    assert Payment.objects.count() == 0
