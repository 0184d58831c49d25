"""An instant licence end to end on PostgreSQL with a real worker: the delegate submits with
the self-declaration, pays both bills at the bank, and the worker alone — no staff, no case —
issues the licence on the payment's chain of tasks and makes its certificate."""

import time

import pytest

from amanah import clock
from amanah.dates import business_date
from payments.models import Bill, Receipt
from payments.sadad.simulator.bank import simulated_bank_pay
from payments.services.outbox import outbox_flush
from permits.enums import ApplicationStatus
from permits.models import Application, ApplicationEvent, Permit, PermitEvent
from permits.services.permits import permit_valid_until
from workflow.models import Case

from .core_helpers import instant_submitted
from .factories import GOOD_LICENCE_ANSWERS, licence_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def world():
    # The worker is another process on the real clock: so is this test.
    return licence_world()


def _wait_for(check, seconds: float = 90.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    return check()


def test_a_paid_instant_licence_is_issued_and_certified_by_the_worker(world, real_worker):
    # given an instant grocery licence for two years, submitted with the declaration
    application = instant_submitted(world, answers={**GOOD_LICENCE_ANSWERS,
                                                    "validity_years": "2"})
    bills = list(Bill.objects.filter(permit_fee__application=application).order_by("pk"))
    assert len(bills) == 2
    # when the delegate pays both at the bank (SADAD tells the portal; the worker does the rest)
    outbox_flush()
    for bill in bills:
        simulated_bank_pay(billing_account=bill.billing_account, amount=bill.amount)
    # then the worker issues the licence and makes its certificate
    permit = _wait_for(lambda: Permit.objects.filter(application=application,
                                                     certificate_version=1).first())
    try:
        assert permit is not None
        application = Application.objects.get(pk=application.pk)
        assert (application.status, application.case_id, Case.objects.count()) == (
            ApplicationStatus.ISSUED, None, 0)
        assert permit.number.startswith("CL-M910-")
        today = business_date(clock.now())
        assert (permit.status, permit.holder_establishment_id, permit.issued_on,
                permit.valid_until) == (
            "valid", world.establishment.pk, today,
            permit_valid_until(start=today, validity_months=24))
        # and nobody from the municipality acted: every actor is the delegate or the system
        actors = set(ApplicationEvent.objects.filter(application=application)
                     .values_list("actor_id", flat=True))
        actors |= set(PermitEvent.objects.filter(permit=permit)
                      .values_list("actor_id", flat=True))
        assert actors <= {None, world.delegate.user.pk}
    finally:
        # The worker is another process: its files are in the real folders; take them away.
        if permit is not None and permit.certificate:
            Permit._meta.get_field("certificate").storage.delete(permit.certificate.name)
        _wait_for(lambda: Receipt.objects.filter(bill__in=bills, pdf="").count() == 0, 10)
        for receipt in Receipt.objects.filter(bill__in=bills).exclude(pdf=""):
            receipt.pdf.delete(save=False)
