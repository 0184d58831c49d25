"""A small known world for the scorecards: general correspondence filed in Khobar (the pilot)
and Dammam (live) in November 2026, closed at known working hours, and bills paid, unpaid and
cancelled. Every figure the tests expect is worked out by hand in the docstrings."""

import datetime as dt
import uuid
from decimal import Decimal

from amanah.dates import RIYADH
from amanah.enums import RolloutState, StaffRole
from amanah.models import EServiceRollout
from payments.services import bill_cancel, outbox_flush, payment_record
from tests.payments.factories import bill_make
from workflow.enums import CaseChannel
from workflow.services import case_route, case_submit, case_transition

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def at(month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=RIYADH)


def _filed(world, clock, when, *, municipality, channel=CaseChannel.ONLINE):
    clock.set(when)
    if channel == CaseChannel.COUNTER:
        clerk = world.staff("customer_service", StaffRole.CLERK, municipality)
        case = case_submit(kind="general_correspondence", municipality=municipality,
                           subject="طلب", submitted_by=clerk, applicant_person=world.applicant,
                           channel=CaseChannel.COUNTER)
    else:
        case = case_submit(kind="general_correspondence", municipality=municipality,
                           subject="طلب", submitted_by=world.applicant.user,
                           applicant_person=world.applicant)
    case_route(case_id=case.pk)
    return case


def _act(world, clock, case, when, action, role=StaffRole.REVIEWER, municipality=None):
    clock.set(when)
    actor = (world.applicant.user if role == "applicant"
             else world.staff("customer_service", role, municipality))
    case_transition(case_id=case.pk, action=action, actor=actor, comment="تم")


def cases_build(world, clock):
    """Khobar (pilot), filed in November: A online, B at the counter, C online (open),
    D online (withdrawn) → 4 cases, 75% online, 25% returned (B).
    Closed in November (withdrawn left out): G (filed Thu 29 Oct 14:00, answered Sun 1 Nov
    09:00: 1 + 1 = 2 h), A (Sun 1 Nov 09:00 → 13:00: 4 h), B (Sun 1 Nov 10:00 → Thu 12 Nov
    10:00: 5 + 4×7 + 4×7 + 2 = 63 h, past its 35 h) → median 4 h, p90 4 + 0.8 × 59 = 51.2 h,
    2 of 3 within the SLA.
    Dammam (live): E online (Sun 1 Nov 08:00 → 15:00: 7 h), F at the counter (Sun 1 Nov 08:00
    → Mon 2 Nov 12:00 rejected: 7 + 4 = 11 h) → 2 cases, 50% online, none returned, median
    9 h, p90 7 + 0.9 × 4 = 10.6 h, both within the SLA."""
    khobar, dammam = world.branch, world.other_branch
    g = _filed(world, clock, at(10, 29, 14), municipality=khobar)
    _act(world, clock, g, at(11, 1, 9), "answer", municipality=khobar)
    a = _filed(world, clock, at(11, 1, 9), municipality=khobar)
    _act(world, clock, a, at(11, 1, 13), "answer", municipality=khobar)
    b = _filed(world, clock, at(11, 1, 10), municipality=khobar, channel=CaseChannel.COUNTER)
    _act(world, clock, b, at(11, 2, 9), "return_to_applicant", role=StaffRole.CLERK,
         municipality=khobar)
    _act(world, clock, b, at(11, 3, 9), "resubmit", role="applicant")
    _act(world, clock, b, at(11, 12, 10), "answer", municipality=khobar)
    _filed(world, clock, at(11, 2, 9), municipality=khobar)
    d = _filed(world, clock, at(11, 2, 10), municipality=khobar)
    _act(world, clock, d, at(11, 2, 11), "withdraw", role="applicant")
    e = _filed(world, clock, at(11, 1, 8), municipality=dammam)
    _act(world, clock, e, at(11, 1, 15), "answer", municipality=dammam)
    f = _filed(world, clock, at(11, 1, 8), municipality=dammam, channel=CaseChannel.COUNTER)
    _act(world, clock, f, at(11, 2, 12), "reject", municipality=dammam)


def _pay(bill, when):
    payment_record(sptn=f"SP{uuid.uuid4().int % 10**16:016d}", amount=bill.amount,
                   billing_account=bill.billing_account, bank_id="RJHISARI", channel="INTERNET",
                   method="ACTDEB", processed_at=when)


def bills_build(world, clock, eservice):
    """Khobar: 100.00 paid, 40.00 unpaid, 70.00 cancelled → 1 paid of 2 counted (50%),
    100.00 SAR collected. Dammam: 250.00 and 50.00 paid → 100%, 300.00 SAR."""
    clock.set(at(11, 4, 10))
    khobar, dammam = world.branch, world.other_branch
    paid = bill_make(amount="100.00", municipality=khobar, eservice=eservice)
    bill_make(amount="40.00", municipality=khobar, eservice=eservice)
    cancelled = bill_make(amount="70.00", municipality=khobar, eservice=eservice)
    bill_cancel(bill_id=cancelled.pk, reason="خطأ")
    outbox_flush()
    _pay(paid, at(11, 5, 10))
    for amount in ("250.00", "50.00"):
        _pay(bill_make(amount=amount, municipality=dammam, eservice=eservice), at(11, 6, 10))
    return Decimal("100.00"), Decimal("300.00")


def pilot_in_khobar(world, eservice):
    EServiceRollout.objects.filter(eservice=eservice, municipality=world.branch).update(
        state=RolloutState.PILOT)
