"""The after-commit tasks on a real Celery worker, on Redis, against the test database."""

import time

import pytest

from payments.enums import BillStatus
from payments.models import Bill, Receipt

from .factories import bill_make, notification, pmt, post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def _wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_worker_uploads_the_bill_after_commit_and_makes_the_receipt_after_payment(real_worker,
                                                                               client):
    # given a bill issued with a real worker behind the queue
    bill = bill_make(amount="150.00", registered=False)
    # then the worker sends its BillNew to the simulated SADAD and the bill becomes payable
    assert _wait_for(lambda: Bill.objects.get(pk=bill.pk).status == BillStatus.UNPAID)
    # when SADAD notifies its payment
    response = post(client, notification([pmt(sptn="SP-W1",
                                              billing_account=bill.billing_account)]))
    assert response.status_code == 200
    # then the worker makes the receipt's PDF once
    assert _wait_for(lambda: bool(Receipt.objects.get(payment__sptn="SP-W1").pdf))
    receipt = Receipt.objects.get(payment__sptn="SP-W1")
    assert receipt.pdf.read(5) == b"%PDF-"
