"""Bill uploads (§2) through the outbox, against a tiny SADAD served on loopback."""

import datetime as dt
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from payments.enums import BillStatus, OutboxKind, OutboxStatus
from payments.models import Bill, SadadOutbox
from payments.sadad import wire
from payments.sadad.signing import signature_verify
from payments.services import bill_update_amount, outbox_flush, outbox_send
from payments.services.outbox import outbox_backoff

from .factories import bill_make

pytestmark = pytest.mark.django_db


class FakeSadad:
    """Answers POST /bills with the scripted replies in order; remembers every request."""

    def __init__(self):
        self.replies: list = []  # int HTTP status, or a per-bill status code "0"/"1"/"2"
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                upload = wire.bill_upload_parse(body)
                fake.requests.append({"path": self.path, "body": body, "upload": upload,
                                      "content_type": self.headers["Content-Type"],
                                      "signature": self.headers["X-Sadad-Signature"]})
                reply = fake.replies.pop(0) if fake.replies else "0"
                if isinstance(reply, int):
                    self.send_response(reply)
                    self.end_headers()
                    return
                answer = wire.bill_upload_response_build(rq_uid=upload.rq_uid, statuses=[
                    wire.UploadStatus(billing_account=r.billing_account, version=r.version,
                                      status_code=reply,
                                      short_desc="bad official id" if reply == "2" else "")
                    for r in upload.records])
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sadad(settings):
    fake = FakeSadad()
    settings.PAYMENTS_GATEWAY = "sadad"
    settings.SADAD_BASE_URL = fake.url
    yield fake
    fake.close()


def test_upload_is_posted_signed_to_sadad_and_acceptance_makes_the_bill_payable(sadad):
    # given an issued bill
    bill = bill_make(amount="150.00", registered=False)
    upload = SadadOutbox.objects.get(bill=bill)
    # when its upload is sent and SADAD answers 0
    row = outbox_send(outbox_id=upload.pk)
    # then one signed BUPLRQ went to /bills with the bill as §2 describes it
    assert row.status == OutboxStatus.ACCEPTED
    request, = sadad.requests
    assert request["path"] == "/bills"
    assert request["content_type"] == "application/xml"
    assert signature_verify(request["signature"], request["body"], keys=["test-outbound-key"],
                            now=int(time.time()))
    sent = request["upload"]
    assert (sent.rq_uid, sent.sender, sent.receiver) == (str(upload.rq_uid), "090", "SADAD")
    record, = sent.records
    assert (record.status_code, record.billing_account, record.biller_id, str(record.amount_due),
            record.version, record.category, record.service_type, record.official_id_type) == (
        "BillNew", bill.billing_account, "090", "150.00", 1, "FEE", "misc_fee", "NAT")
    bill.refresh_from_db()
    assert bill.status == BillStatus.UNPAID


def test_already_known_at_this_version_counts_as_accepted(sadad):
    sadad.replies = ["1"]
    bill = bill_make(amount="150.00", registered=False)
    row = outbox_send(outbox_id=SadadOutbox.objects.get(bill=bill).pk)
    assert (row.status, row.sadad_status_code) == (OutboxStatus.ACCEPTED, "1")
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.UNPAID


def test_rejected_upload_leaves_the_bill_unpayable_and_records_why(sadad, caplog):
    sadad.replies = ["2"]
    bill = bill_make(amount="150.00", registered=False)
    row = outbox_send(outbox_id=SadadOutbox.objects.get(bill=bill).pk)
    assert (row.status, row.last_error) == (OutboxStatus.REJECTED, "bad official id")
    bill.refresh_from_db()
    assert (bill.status, bill.sadad_rejection) == (BillStatus.PENDING_REGISTRATION,
                                                   "bad official id")
    assert not bill.is_payable
    assert any(r.name == "payments.alerts" for r in caplog.records)


@pytest.mark.parametrize("failure", [500, 503, 404, 302])
def test_other_http_status_is_retried_later_with_the_same_rquid_and_back_off(sadad, clock,
                                                                             failure):
    # given SADAD failing once, then accepting
    clock.set(dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC))
    sadad.replies = [failure, "0"]
    bill = bill_make(amount="150.00", registered=False)
    upload = SadadOutbox.objects.get(bill=bill)
    # when the upload is sent
    row = outbox_send(outbox_id=upload.pk)
    # then it stays pending, to be retried after 60 s
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.next_attempt_at == clock.now() + dt.timedelta(seconds=60)
    assert f"HTTP {failure}" in row.last_error
    # and it is not sent again before then
    clock.advance(seconds=59)
    assert outbox_send(outbox_id=upload.pk) is None
    assert outbox_flush() == {"accepted": 0, "rejected": 0, "failed": 0, "skipped": 0}
    assert len(sadad.requests) == 1
    # when the time comes, the same message goes again with the same RqUID and is accepted
    clock.advance(seconds=1)
    row = outbox_send(outbox_id=upload.pk)
    assert (row.status, row.attempts) == (OutboxStatus.ACCEPTED, 2)
    assert [r["upload"].rq_uid for r in sadad.requests] == [str(upload.rq_uid)] * 2
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.UNPAID


def test_transport_error_is_retried(settings, clock):
    # given no SADAD listening at all
    settings.PAYMENTS_GATEWAY = "sadad"
    settings.SADAD_BASE_URL = "http://127.0.0.1:9"
    clock.set(dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC))
    bill = bill_make(amount="150.00", registered=False)
    row = outbox_send(outbox_id=SadadOutbox.objects.get(bill=bill).pk)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.last_error.startswith("transport error")
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.PENDING_REGISTRATION


def test_back_off_doubles_up_to_an_hour():
    assert [outbox_backoff(n).total_seconds() for n in range(1, 9)] == [
        60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_uploads_of_one_bill_keep_their_order(sadad, clock):
    # given a bill whose BillNew failed and which was then updated
    clock.set(dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC))
    sadad.replies = [503]
    bill = bill_make(amount="150.00", registered=False)
    first = SadadOutbox.objects.get(bill=bill)
    outbox_send(outbox_id=first.pk)
    bill_update_amount(bill_id=bill.pk, amount="175.00")
    second = SadadOutbox.objects.get(bill=bill, kind=OutboxKind.BILL_UPDATED)
    # when the BillUpdated is due but its BillNew is still waiting to retry
    assert outbox_send(outbox_id=second.pk) is None
    assert len(sadad.requests) == 1
    # then, once the BillNew may go, both go in order
    clock.advance(seconds=60)
    assert outbox_flush() == {"accepted": 2, "rejected": 0, "failed": 0, "skipped": 0}
    assert [r["upload"].records[0].status_code for r in sadad.requests] == [
        "BillNew", "BillNew", "BillUpdated"]


def test_flush_command_sends_every_pending_upload(sadad, capsys):
    bills = [bill_make(amount="10.00", registered=False) for _ in range(3)]
    call_command("sadad_outbox_flush")
    assert capsys.readouterr().out.strip() == "accepted=3 rejected=0 failed=0 skipped=0"
    assert {Bill.objects.get(pk=b.pk).status for b in bills} == {BillStatus.UNPAID}


def test_sending_an_accepted_upload_again_does_nothing(sadad):
    bill = bill_make(amount="10.00", registered=False)
    upload = SadadOutbox.objects.get(bill=bill)
    outbox_send(outbox_id=upload.pk)
    assert outbox_send(outbox_id=upload.pk) is None
    assert len(sadad.requests) == 1


def test_sweeper_and_expiry_job_are_on_the_beat_schedule():
    from amanah.celery import app

    assert app.conf.beat_schedule["payments-outbox-sweep"]["task"] == "payments.outbox_sweep"
    assert app.conf.beat_schedule["payments-outbox-sweep"]["schedule"] == 60.0
    assert app.conf.beat_schedule["payments-bill-expire-due"]["task"] == \
        "payments.bill_expire_due"


def test_sweeper_task_sends_what_the_after_commit_task_missed(sadad):
    from payments.tasks import outbox_sweep

    bill = bill_make(amount="10.00", registered=False)
    assert outbox_sweep.apply().get() == {"accepted": 1, "rejected": 0, "failed": 0,
                                          "skipped": 0}
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.UNPAID


def test_receipt_sweep_makes_pdfs_whose_task_never_ran(clock, settings, tmp_path):
    from payments.models import Receipt
    from payments.sadad.simulator.bank import simulated_bank_pay
    from payments.tasks import receipt_sweep

    # given a paid bill whose receipt task was lost (tasks after commit do not run here)
    settings.MEDIA_ROOT = tmp_path
    clock.set(dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC))
    bill = bill_make(amount="10.00")
    simulated_bank_pay(billing_account=bill.billing_account)
    assert not Receipt.objects.get().pdf
    # when the sweeper runs within five minutes, it leaves it to the task; after, it makes it
    assert receipt_sweep.apply().get() == 0
    clock.advance(minutes=6)
    assert receipt_sweep.apply().get() == 1
    assert Receipt.objects.get().pdf
    assert receipt_sweep.apply().get() == 0
