"""The biller-gateway port: the outbox sends through whatever gateway PAYMENTS_GATEWAY names,
and a name with nothing behind it is a configuration error, not a half-sent upload."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from payments import gateway as port
from payments.enums import BillStatus, OutboxStatus
from payments.models import SadadOutbox
from payments.records import UploadStatus
from payments.sadad.gateway import SadadHttpGateway
from payments.sadad.simulator.gateway import SimulatorGateway
from payments.services import outbox_send

from .factories import bill_make

pytestmark = pytest.mark.django_db


class RecordingGateway:
    """Accepts every bill and remembers what it was given."""

    def __init__(self):
        self.uploads = []

    def upload(self, *, rq_uid, records, client_dt):
        self.uploads.append((rq_uid, list(records)))
        return [UploadStatus(billing_account=r.billing_account, version=r.version,
                             status_code="0") for r in records]


def test_the_outbox_uploads_through_the_gateway_the_setting_names(settings, monkeypatch):
    # given a gateway registered under a name of its own, and that name configured
    recording = RecordingGateway()
    monkeypatch.setitem(port._factories, "recording", lambda: recording)
    settings.PAYMENTS_GATEWAY = "recording"
    bill = bill_make(amount="150.00", registered=False)
    upload = SadadOutbox.objects.get(bill=bill)
    # when the upload is sent
    row = outbox_send(outbox_id=upload.pk)
    # then that gateway got the bill as a plain record, and its answer made the bill payable
    (rq_uid, (record,)), = recording.uploads
    assert (rq_uid, record.billing_account, record.status_code, str(record.amount_due)) == (
        str(upload.rq_uid), bill.billing_account, "BillNew", "150.00")
    assert row.status == OutboxStatus.ACCEPTED
    bill.refresh_from_db()
    assert bill.status == BillStatus.UNPAID


def test_the_registered_gateways_are_the_adapters(settings):
    # given the gateways the composition root registered (tests install the simulator)
    # then each name builds its adapter from the settings
    assert isinstance(port.gateway_get(), SimulatorGateway)
    settings.PAYMENTS_GATEWAY = "sadad"
    settings.SADAD_BASE_URL = "https://sadad.example.sa/biller/"
    sadad = port.gateway_get()
    assert isinstance(sadad, SadadHttpGateway)
    assert (sadad.url, sadad.biller_id) == ("https://sadad.example.sa/biller/bills", "090")


@pytest.mark.parametrize(("name", "base_url", "message"), [
    ("pigeon", "", "PAYMENTS_GATEWAY='pigeon' is not a biller gateway "
                   "(known here: sadad, simulator)"),
    ("sadad", "", "PAYMENTS_GATEWAY=sadad needs SADAD_BASE_URL"),
])
def test_a_gateway_that_cannot_be_built_sends_nothing(settings, name, base_url, message):
    # given an upload waiting, and a gateway setting with nothing usable behind it
    bill = bill_make(amount="150.00", registered=False)
    upload = SadadOutbox.objects.get(bill=bill)
    settings.PAYMENTS_GATEWAY, settings.SADAD_BASE_URL = name, base_url
    # when the upload is sent
    with pytest.raises(ImproperlyConfigured) as refused:
        outbox_send(outbox_id=upload.pk)
    # then the configuration is named, and the upload was not even claimed
    assert str(refused.value) == message
    upload.refresh_from_db()
    assert (upload.status, upload.attempts, upload.claimed_until) == (
        OutboxStatus.PENDING, 0, None)
