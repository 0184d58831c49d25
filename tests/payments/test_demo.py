from io import StringIO

import pytest
from django.core.management import call_command

from payments.enums import BillStatus, FeeComponent
from payments.models import Bill, FeeSchedule, SadadOutbox
from payments.sadad.simulator.models import SimulatedSadadBill

pytestmark = pytest.mark.django_db


def _state():
    return (list(Bill.objects.order_by("pk").values_list("pk", "billing_account", "status",
                                                         "amount", "version")),
            FeeSchedule.objects.filter(component=FeeComponent.MAIN).count(),
            SadadOutbox.objects.count())


def test_seed_demo_adds_fee_schedules_and_unpaid_registered_bills_once():
    # when the demo is seeded
    call_command("seed_demo", stdout=StringIO())
    # then every demo service has a main fee schedule per municipality class (the stages of
    # permits are the permits demo's)
    main_fees = FeeSchedule.objects.filter(component=FeeComponent.MAIN)
    assert set(main_fees.values_list("eservice__code", flat=True)) == {
        "misc_fee", "building_permit", "commercial_license", "signage_permit"}
    assert main_fees.count() == 20
    # and at least five unpaid bills, spread over five demo citizens, are known to SADAD (one
    # of them the fee a Khobar clerk issued at the counter)
    unpaid = Bill.objects.filter(status=BillStatus.UNPAID, payable_ref__startswith="DEMO-")
    assert unpaid.count() == 8
    assert unpaid.filter(payable_ref="DEMO-COUNTER-1").count() == 1
    assert unpaid.exclude(payer_person=None).values("payer_person").distinct().count() == 5
    assert SimulatedSadadBill.objects.filter(
        billing_account__in=unpaid.values("billing_account")).count() == 8
    # and seeding again changes nothing
    before = _state()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert _state() == before
    assert "fee schedules: 0 created, 20 kept" in out.getvalue()
    assert "bills: 0 created, 7 kept" in out.getvalue()
