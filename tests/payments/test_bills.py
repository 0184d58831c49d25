"""Bill lifecycle: issue, SADAD acceptance, amount update, cancellation, expiry."""

import datetime as dt
from decimal import Decimal

import pytest

from amanah.errors import DomainError
from amanah.identity import luhn_is_valid
from payments.enums import BillEventKind, BillStatus, OutboxKind, OutboxStatus
from payments.models import Bill, SadadOutbox
from payments.sadad.simulator.models import SimulatedSadadBill
from payments.services import (
    bill_cancel,
    bill_expire_due,
    bill_issue,
    bill_update_amount,
    outbox_flush,
)
from tests.factories import EstablishmentFactory, MunicipalityFactory, PersonFactory

from .factories import at_riyadh, bill_make, misc_fee_service

pytestmark = pytest.mark.django_db


def events(bill) -> list[str]:
    return list(bill.events.order_by("pk").values_list("kind", flat=True))


def test_issued_bill_waits_for_sadad_and_queues_its_bill_new(queued):
    # when a bill is issued
    with queued() as tasks:
        bill = bill_make(amount="150.00", registered=False)
    # then it has a Luhn BillingAcct, awaits SADAD, and its BillNew is queued after commit
    assert bill.status == BillStatus.PENDING_REGISTRATION
    assert not bill.is_payable
    assert bill.billing_account.isdigit() and len(bill.billing_account) == 11
    assert luhn_is_valid(bill.billing_account)
    upload = SadadOutbox.objects.get(bill=bill)
    assert (upload.kind, upload.version, upload.status) == (OutboxKind.BILL_NEW, 1,
                                                            OutboxStatus.PENDING)
    assert tasks == [("payments.outbox_send", {"outbox_id": upload.pk})]
    assert events(bill) == [BillEventKind.ISSUED]


def test_bill_becomes_payable_only_once_sadad_accepted_it():
    # given an issued bill
    bill = bill_make(amount="150.00", registered=False)
    # when its upload is sent and the (simulated) SADAD accepts it
    assert outbox_flush() == {"accepted": 1, "rejected": 0, "failed": 0, "skipped": 0}
    # then it is unpaid and payable, and SADAD knows it at version 1
    bill.refresh_from_db()
    assert bill.status == BillStatus.UNPAID
    assert bill.is_payable
    assert bill.registered_at is not None
    known = SimulatedSadadBill.objects.get(billing_account=bill.billing_account)
    assert (known.version, known.amount_due, known.official_id) == (
        1, Decimal("150.00"), bill.payer_person.national_id)
    assert events(bill) == [BillEventKind.ISSUED, BillEventKind.REGISTERED]


def test_billing_accounts_are_unique_and_never_reused():
    accounts = {bill_make(registered=False).billing_account for _ in range(5)}
    assert len(accounts) == 5
    assert all(luhn_is_valid(a) for a in accounts)


def test_establishment_payer_is_uploaded_with_its_unified_number():
    establishment = EstablishmentFactory()
    bill = bill_issue(payable_kind="misc_fee", payable_ref="E-1",
                      municipality=MunicipalityFactory(), eservice=misc_fee_service(),
                      payer_establishment=establishment, amount="75")
    outbox_flush()
    known = SimulatedSadadBill.objects.get(billing_account=bill.billing_account)
    assert (known.official_id, known.official_id_type) == (establishment.unified_number, "UNN")


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"amount": "0"}, "bill.bad_amount"),
    ({"amount": "-10"}, "bill.bad_amount"),
    ({"amount": "abc"}, "bill.bad_amount"),
    ({"payable_kind": "nothing_like_this"}, "bill.unknown_payable_kind"),
    ({"payer_person": None}, "bill.payer_required"),
    ({"category": "TAX"}, "bill.bad_category"),
    ({"due_date": dt.date(2020, 1, 1)}, "bill.due_in_past"),
    ({"billing_account": "12345"}, "bill.bad_billing_account"),
    ({"billing_account": "1234567890123455"}, "bill.bad_billing_account"),
])
def test_bad_issue_is_refused_and_writes_nothing(kwargs, code, queued):
    values = {"payable_kind": "misc_fee", "payable_ref": "X-1",
              "municipality": MunicipalityFactory(), "eservice": misc_fee_service(),
              "payer_person": PersonFactory(), "amount": "10", **kwargs}
    with queued() as tasks, pytest.raises(DomainError) as refused:
        bill_issue(**values)
    assert refused.value.code == code
    assert (Bill.objects.count(), SadadOutbox.objects.count()) == (0, 0)
    assert tasks == []


def test_billing_account_already_used_is_refused():
    bill = bill_make(registered=False)
    with pytest.raises(DomainError) as refused:
        bill_make(billing_account=bill.billing_account, registered=False)
    assert refused.value.code == "bill.billing_account_taken"
    assert Bill.objects.count() == 1


def test_amount_update_goes_up_a_version_and_uploads_bill_updated():
    # given a registered bill
    bill = bill_make(amount="150.00")
    # when its amount changes
    bill_update_amount(bill_id=bill.pk, amount="200.00", reason="area re-measured")
    outbox_flush()
    # then it is version 2, SADAD has the new amount, and the change is in its history
    bill.refresh_from_db()
    assert (bill.amount, bill.version, bill.status) == (Decimal("200.00"), 2, BillStatus.UNPAID)
    assert list(SadadOutbox.objects.filter(bill=bill).values_list("kind", "version", "status")) \
        == [("BillNew", 1, "accepted"), ("BillUpdated", 2, "accepted")]
    known = SimulatedSadadBill.objects.get(billing_account=bill.billing_account)
    assert (known.version, known.amount_due) == (2, Decimal("200.00"))
    assert events(bill)[-2:] == [BillEventKind.AMOUNT_UPDATED, BillEventKind.REGISTERED]


def test_update_of_a_paid_bill_is_refused_and_changes_nothing(db_snapshot, queued):
    from payments.sadad.simulator.bank import simulated_bank_pay

    bill = bill_make(amount="150.00")
    simulated_bank_pay(billing_account=bill.billing_account)
    before = db_snapshot()
    with queued() as tasks, pytest.raises(DomainError) as refused:
        bill_update_amount(bill_id=bill.pk, amount="10.00")
    assert refused.value.code == "bill.not_open"
    assert db_snapshot() == before
    assert tasks == []


def test_cancellation_is_final_only_once_sadad_accepted_bill_expired():
    # given a registered bill
    bill = bill_make(amount="150.00")
    # when staff cancel it
    bill_cancel(bill_id=bill.pk, reason="issued twice")
    # then it is not payable any more, but not cancelled until SADAD accepts the BillExpired
    bill.refresh_from_db()
    assert bill.status == BillStatus.UNPAID
    assert bill.cancel_requested_at is not None
    assert not bill.is_payable
    outbox_flush()
    bill.refresh_from_db()
    assert bill.status == BillStatus.CANCELLED
    assert SimulatedSadadBill.objects.get(billing_account=bill.billing_account).status == "expired"
    assert events(bill)[-2:] == [BillEventKind.CANCEL_REQUESTED, BillEventKind.CANCELLED]


def test_a_second_cancellation_is_refused(db_snapshot, queued):
    bill = bill_make(amount="150.00")
    bill_cancel(bill_id=bill.pk, reason="issued twice")
    before = db_snapshot()
    with queued() as tasks, pytest.raises(DomainError) as refused:
        bill_cancel(bill_id=bill.pk, reason="again")
    assert refused.value.code == "bill.cancel_pending"
    assert db_snapshot() == before
    assert tasks == []


def test_payment_arriving_before_sadad_accepted_the_cancellation_wins():
    from payments.sadad.simulator.bank import simulated_bank_pay

    # given a bill whose cancellation is not yet accepted by SADAD
    bill = bill_make(amount="150.00")
    bill_cancel(bill_id=bill.pk, reason="issued twice")
    # when the citizen pays it meanwhile, and SADAD then accepts the BillExpired
    simulated_bank_pay(billing_account=bill.billing_account)
    outbox_flush()
    # then the bill stays paid: money already moved
    bill.refresh_from_db()
    assert (bill.status, bill.amount_paid) == (BillStatus.PAID, Decimal("150.00"))


def test_expiry_job_expires_unpaid_bills_past_their_expiry_date_and_uploads_bill_expired(
        clock, queued):
    # given two bills, one past its expiry date, and a paid one past it too
    clock.set(at_riyadh(2026, 1, 10, 9))
    old = bill_make(amount="10.00", due_date=dt.date(2026, 1, 10),
                    expiry_date=dt.date(2026, 1, 31))
    fresh = bill_make(amount="10.00", due_date=dt.date(2026, 1, 20),
                      expiry_date=dt.date(2026, 2, 28))
    paid = bill_make(amount="10.00", due_date=dt.date(2026, 1, 10),
                     expiry_date=dt.date(2026, 1, 31))
    from payments.sadad.simulator.bank import simulated_bank_pay

    simulated_bank_pay(billing_account=paid.billing_account)
    # when the job runs on 1 February (Riyadh) — the expiry day itself still counts
    clock.set(at_riyadh(2026, 1, 31, 23, 59))
    assert bill_expire_due() == 0
    clock.set(at_riyadh(2026, 2, 1, 0, 5))
    with queued() as tasks:
        assert bill_expire_due() == 1
    # then only the old unpaid bill expired, and SADAD is told
    assert Bill.objects.get(pk=old.pk).status == BillStatus.EXPIRED
    assert Bill.objects.get(pk=fresh.pk).status == BillStatus.UNPAID
    assert Bill.objects.get(pk=paid.pk).status == BillStatus.PAID
    upload = SadadOutbox.objects.get(bill=old, kind=OutboxKind.BILL_EXPIRED)
    assert tasks == [("payments.outbox_send", {"outbox_id": upload.pk})]
    # and running it again does nothing more
    assert bill_expire_due() == 0
    outbox_flush()
    assert SimulatedSadadBill.objects.get(billing_account=old.billing_account).status == "expired"


def test_reschedule_moves_the_dates_and_uploads_bill_updated(clock):
    from payments.services import bill_reschedule

    # given a registered bill
    clock.set(at_riyadh(2026, 3, 1, 9))
    bill = bill_make(amount="150.00")
    # when its dates move (an objection suspended it)
    bill_reschedule(bill_id=bill.pk, due_date=dt.date(2026, 5, 1),
                    expiry_date=dt.date(2026, 8, 1), reason="objection accepted for review")
    outbox_flush()
    # then it is version 2 with the new dates, here and at SADAD
    bill.refresh_from_db()
    assert (bill.due_date, bill.expiry_date, bill.version) == (dt.date(2026, 5, 1),
                                                               dt.date(2026, 8, 1), 2)
    known = SimulatedSadadBill.objects.get(billing_account=bill.billing_account)
    assert (known.version, known.due_date, known.expiry_date) == (2, dt.date(2026, 5, 1),
                                                                  dt.date(2026, 8, 1))


def test_reschedule_into_the_past_is_refused(clock, db_snapshot, queued):
    from payments.services import bill_reschedule

    clock.set(at_riyadh(2026, 3, 1, 9))
    bill = bill_make(amount="150.00")
    before = db_snapshot()
    with queued() as tasks, pytest.raises(DomainError) as refused:
        bill_reschedule(bill_id=bill.pk, due_date=dt.date(2026, 2, 1),
                        expiry_date=dt.date(2026, 8, 1))
    assert refused.value.code == "bill.due_in_past"
    assert db_snapshot() == before
    assert tasks == []


def test_sequence_skips_an_account_already_given_by_hand():
    from amanah.identity import luhn_check_digit
    from payments.services import billing_account_allocate

    # given the next sequence number already used by a bill given its account by hand
    upcoming = str(int(billing_account_allocate()[:-1]) + 1)
    taken = bill_make(billing_account=upcoming + luhn_check_digit(upcoming), registered=False)
    # when the next bill is issued, it gets the number after it
    bill = bill_make(registered=False)
    assert bill.billing_account != taken.billing_account
    assert int(bill.billing_account[:-1]) == int(upcoming) + 1


def test_the_database_refuses_to_rewrite_or_delete_events():
    from django.db import DatabaseError, transaction

    from payments.models import AppendOnlyError, BillEvent

    bill = bill_make(amount="10.00", registered=False)
    event = BillEvent.objects.get(bill=bill)
    # the ORM refuses
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    # and so does the database, for code that goes around the ORM's guards
    for statement in (BillEvent.objects.filter(pk=event.pk).update,
                      BillEvent.objects.filter(pk=event.pk).delete):
        with pytest.raises(DatabaseError), transaction.atomic():
            statement(**({"kind": "paid"} if statement.__name__ == "update" else {}))
    assert BillEvent.objects.get(pk=event.pk).kind == BillEventKind.ISSUED
