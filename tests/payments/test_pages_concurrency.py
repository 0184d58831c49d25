"""On real PostgreSQL, with threads: a double-clicked demo pay button pays once, and two
concurrent receipt ensures leave one file."""

import threading
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from payments.enums import BillStatus
from payments.models import Payment, Receipt
from payments.receipts import receipt_pdf_ensure
from payments.sadad.simulator.models import SimulatedSadadPayment

from .pages_helpers import world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sent_tasks():
    """Tasks queued after commit are recorded, not run: Celery's eager mode keeps
    process-global state that threads running tasks at the same moment leave corrupted."""
    from amanah.dispatch import TaskSend

    sent = []
    with mock.patch.object(TaskSend, "__call__", lambda self: sent.append(self.task_name)):
        yield sent


def _together(target, n: int = 2) -> list:
    """Run `target` in n threads released at the same moment; their results, in any order."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as exc:  # reported to the test below, in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_a_double_clicked_pay_button_pays_once(world, sent_tasks):
    # given an unpaid bill, and its payer's browser sending the pay action twice at once
    bill = world.bill(amount="150.00")
    sent_tasks.clear()
    url = reverse("sadad_simulator:bill_pay", args=[bill.billing_account])
    user = world.citizen.user

    def press():
        client = Client()
        client.force_login(user)
        return client.post(url).status_code

    # when both requests race
    statuses = _together(press)
    # then both are answered with a redirect, and exactly one payment and receipt exist
    assert statuses == [302, 302]
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
    assert SimulatedSadadPayment.objects.count() == 1
    assert Payment.objects.count() == 1
    assert Receipt.objects.count() == 1
    # and one receipt PDF was queued
    assert sent_tasks == ["payments.receipt_ensure"]


def test_two_concurrent_ensures_write_one_file(world, settings):
    # given a paid bill whose receipt PDF does not exist yet
    bill, receipt = world.paid_bill(amount="150.00")
    assert not Receipt.objects.get(pk=receipt.pk).pdf
    # when two workers ensure it at the same moment
    names = _together(lambda: receipt_pdf_ensure(receipt_id=receipt.pk).pdf.name)
    # then both see the same single file
    assert names[0] == names[1]
    files = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert [str(p.relative_to(settings.MEDIA_ROOT)) for p in files] == [names[0]]
