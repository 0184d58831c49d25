"""A renewal paid at the bank, end to end on PostgreSQL with a real worker: the payment's
on_paid queues the lifecycle task, the worker renews the permit and makes its new certificate."""

import datetime as dt
import time

import pytest

from payments.models import Bill
from payments.sadad.simulator.bank import simulated_bank_pay
from payments.services.outbox import outbox_flush
from permits.models import Permit
from permits.services.lifecycle import permit_renewal_start
from tests.permits.factories import permits_world

from .lifecycle_helpers import day, lifecycle_fees_make, permit_make

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def _wait_for(check, seconds: float = 90.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    return check()


def test_a_paid_renewal_is_settled_and_certified_by_the_worker(real_worker, clock):
    # given a permit issued 1 December 2026 (valid until 30 November 2029) and its renewal,
    # asked for on 15 October 2029
    clock.set(day(2026, 12, 1))
    world = permits_world()
    lifecycle_fees_make(world)
    permit = permit_make(world)
    first = _wait_for(lambda: Permit.objects.filter(pk=permit.pk, certificate_version=1).first())
    made = [first.certificate.name] if first is not None else []
    clock.set(day(2029, 10, 15))
    application = permit_renewal_start(permit_id=permit.pk, user=world.owner.user)
    bill = Bill.objects.get(permit_fee__application=application)
    # when the owner pays it at the bank (SADAD tells the portal; the commit queues the task)
    outbox_flush()
    # (the worker may be registering it at this moment: flush skips a row it holds; a bank can
    # only pay a bill SADAD has accepted)
    assert _wait_for(lambda: Bill.objects.filter(pk=bill.pk,
                                                 registered_at__isnull=False).exists())
    simulated_bank_pay(billing_account=bill.billing_account, amount=bill.amount)
    # then the worker renews the permit and makes its version 2 certificate
    renewed = _wait_for(lambda: Permit.objects.filter(pk=permit.pk, version=2,
                                                      certificate_version=2).first())
    if renewed is not None:
        made.append(renewed.certificate.name)
    try:
        assert first is not None and renewed is not None
        assert (renewed.status, renewed.valid_until) == ("valid", dt.date(2032, 11, 30))
        assert renewed.certificate.name.startswith(f"permits/certificates/{permit.number}-v2-")
    finally:
        storage = Permit._meta.get_field("certificate").storage
        for name in made:
            storage.delete(name)
