"""`payment_record_many`: a batch of payments recorded by the same rules as `payment_record`,
in a fixed number of statements for the money nobody's bill claims (reconciliation's
MISSING_IN_PORTAL path), with the same rows, the same first hash-chained event, and the same
answer for an SPTN already known."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import transaction

from amanah import clock
from amanah.events import audit_verify
from payments.enums import PaymentOutcome, PaymentSource, PaymentStatus, SuspenseReason
from payments.models import Payment, PaymentEvent
from payments.records import PaymentRecord
from payments.services import payment_record, payment_record_many, payment_record_many_ids
from tests.payments.factories import bill_make


def _record(n: int, *, account: str | None = None, amount: str = "75.25") -> PaymentRecord:
    at = clock.now()
    return PaymentRecord(sptn=f"SPMANY{n:010d}", bnkptn=f"BK{n}", status_code="PmtNew",
                         effective_at=at, amount=Decimal(amount), processed_at=at,
                         billing_account=account or f"{9000000000 + n}", biller_id="090",
                         bank_id="RJHISARI", channel="INTERNET", method="ACTDEB")


def _many(records):
    with transaction.atomic():
        return payment_record_many(records=records, source=PaymentSource.RECONCILIATION,
                                   source_reference="recon-run-7", needs_review=True)


@pytest.mark.django_db
def test_unknown_bills_become_suspense_payments_each_with_its_first_event():
    # given three records whose billing accounts carry no bill
    records = [_record(n) for n in (1, 2, 3)]
    # when they are recorded as one batch
    results = _many(records)
    # then each is a new suspense payment, in the order given
    assert [(r.payment.sptn, r.outcome, r.created) for r in results] == [
        (rec.sptn, PaymentOutcome.SUSPENSE, True) for rec in records]
    for rec in records:
        payment = Payment.objects.get(sptn=rec.sptn)
        assert (payment.status, payment.suspense_reason, payment.source,
                payment.source_reference, payment.needs_review, payment.bnkptn,
                payment.amount, payment.billing_account, payment.bill_id) == (
            PaymentStatus.SUSPENSE, SuspenseReason.UNKNOWN_BILL, PaymentSource.RECONCILIATION,
            "recon-run-7", True, rec.bnkptn, rec.amount, rec.billing_account, None)
        # and its one RECORDED event is the head of its chain, as payment_record writes it
        (event,) = PaymentEvent.objects.filter(payment=payment)
        assert (event.kind, event.seq, event.prev_hash, event.to_status, event.payload) == (
            "recorded", 1, "", "suspense",
            {"source": "reconciliation", "reference": "recon-run-7",
             "reason": "unknown_bill"})
        assert (payment.last_event_seq, payment.last_event_hash) == (1, event.hash)
    # and every chain holds
    assert all(r.ok for r in audit_verify(chain="payment"))


@pytest.mark.django_db
def test_a_known_sptn_is_a_duplicate_and_writes_nothing():
    # given a payment already recorded
    first = _record(1)
    payment_record(sptn=first.sptn, amount=first.amount, billing_account=first.billing_account,
                   bank_id=first.bank_id, channel=first.channel, method=first.method,
                   processed_at=first.processed_at)
    # when a batch holds it again, with a new one
    results = _many([first, _record(2)])
    # then the known one answers DUPLICATE with the stored payment, the new one is recorded
    assert [(r.payment.sptn, r.outcome, r.created) for r in results] == [
        (first.sptn, PaymentOutcome.DUPLICATE, False),
        (_record(2).sptn, PaymentOutcome.SUSPENSE, True)]
    assert results[0].payment.source == PaymentSource.NOTIFICATION
    assert PaymentEvent.objects.filter(payment__sptn=first.sptn).count() == 1


@pytest.mark.django_db
def test_an_sptn_twice_in_one_batch_is_recorded_once():
    # given a batch holding one SPTN twice
    # when it is recorded
    results = _many([_record(1), _record(1)])
    # then the first is recorded, the second is its duplicate, with one event
    assert [(r.outcome, r.created) for r in results] == [
        (PaymentOutcome.SUSPENSE, True), (PaymentOutcome.DUPLICATE, False)]
    assert results[0].payment.pk == results[1].payment.pk
    assert PaymentEvent.objects.filter(payment__sptn=_record(1).sptn).count() == 1


@pytest.mark.django_db
def test_a_record_for_a_bill_takes_the_bill_path():
    # given an unpaid bill of 150.00
    bill = bill_make(amount="150.00")
    # when a batch holds its payment and one for an unknown account
    results = _many([_record(1, account=bill.billing_account, amount="150.00"), _record(2)])
    # then the bill is paid by the first, the second is in suspense
    assert [(r.outcome, r.created) for r in results] == [
        (PaymentOutcome.ACCEPTED, True), (PaymentOutcome.SUSPENSE, True)]
    bill.refresh_from_db()
    assert bill.status == "paid"
    assert results[0].payment.status == PaymentStatus.APPLIED


@pytest.mark.django_db
def test_unknown_bills_take_the_same_few_statements_however_many(django_assert_num_queries):
    # given batches of 3 and of 40 records for unknown accounts
    # when each is recorded
    # then each takes seven statements: lock bills, take account locks, look again, make sure
    # of the batch's temporary table, COPY the batch into it, one INSERT of the payments with
    # their events, and one read of the payments back for the answers
    with django_assert_num_queries(7):
        payment_record_many(records=[_record(n) for n in range(3)],
                            source=PaymentSource.RECONCILIATION, source_reference="r",
                            needs_review=True)
    with django_assert_num_queries(7):
        payment_record_many(records=[_record(n) for n in range(100, 140)],
                            source=PaymentSource.RECONCILIATION, source_reference="r",
                            needs_review=True)


@pytest.mark.django_db
def test_the_ids_form_takes_six_statements_and_reads_nothing_back(django_assert_num_queries):
    # given a batch of 40 records for unknown accounts
    # when it is recorded by the ids form
    # then it takes six statements: lock bills, take account locks, look again, make sure of
    # the batch's temporary table, COPY the batch into it, and one INSERT of the payments with
    # their events
    with django_assert_num_queries(6):
        ids = payment_record_many_ids(records=[_record(n) for n in range(40)],
                                      source=PaymentSource.RECONCILIATION, source_reference="r",
                                      needs_review=True)
    # and it answers each payment's id in the order given
    assert ids == [Payment.objects.get(sptn=_record(n).sptn).pk for n in range(40)]


@pytest.mark.django_db
def test_the_ids_form_writes_what_payment_record_writes():
    # given one payment recorded by payment_record, and one recorded by the ids form in a
    # batch with a known SPTN and an SPTN twice, at the same moment
    clock.freeze(clock.now())
    try:
        single = _record(1)
        payment_record(sptn=single.sptn, bnkptn=single.bnkptn, amount=single.amount,
                       billing_account=single.billing_account, bank_id=single.bank_id,
                       channel=single.channel, method=single.method,
                       processed_at=single.processed_at, effective_at=single.effective_at,
                       biller_id=single.biller_id, source=PaymentSource.RECONCILIATION,
                       source_reference="recon-run-7", needs_review=True)
        with transaction.atomic():
            ids = payment_record_many_ids(
                records=[_record(2), _record(1), _record(2), _record(3, amount="10.00")],
                source=PaymentSource.RECONCILIATION, source_reference="recon-run-7",
                needs_review=True)
    finally:
        clock.freeze(None)
    # then the known SPTN and the repeated one answer their existing payments
    by_sptn = {p.sptn: p for p in Payment.objects.all()}
    assert ids == [by_sptn[_record(n).sptn].pk for n in (2, 1, 2, 3)]
    # and each new payment's row and first event are those payment_record writes, but for
    # the fields that are the record's own (the hash covers the SPTN, so it differs too)
    own = {"id", "sptn", "bnkptn", "billing_account", "amount", "last_event_hash"}

    def columns(payment):
        event = PaymentEvent.objects.get(payment=payment)
        row = {k: v for k, v in Payment.objects.filter(pk=payment.pk).values()[0].items()
               if k not in own}
        ev = {k: v for k, v in PaymentEvent.objects.filter(pk=event.pk).values()[0].items()
              if k not in ("id", "payment_id", "hash")}
        return row, ev

    reference = columns(by_sptn[single.sptn])
    for n in (2, 3):
        assert columns(by_sptn[_record(n).sptn]) == reference
    assert PaymentEvent.objects.count() == 3
    # and every chain holds (each hash is recomputed from the stored columns)
    assert all(r.ok for r in audit_verify(chain="payment"))


@pytest.mark.django_db
def test_values_that_copy_would_read_as_its_own_syntax_are_kept_as_given():
    # given a record whose BNKPTN holds a tab, a backslash, "\\N" and a newline, and which has
    # no effective date, and a second batch in the same transaction
    odd = replace(_record(1), bnkptn="B\t\\N\n\\x", effective_at=None)
    # when both batches are recorded
    with transaction.atomic():
        first = payment_record_many_ids(records=[odd], source=PaymentSource.RECONCILIATION)
        second = payment_record_many_ids(records=[_record(2)],
                                         source=PaymentSource.RECONCILIATION)
    # then the stored payment holds exactly those values, and each batch only its own rows
    assert Payment.objects.filter(pk=first[0]).values_list("bnkptn", "effective_at").get() == (
        "B\t\\N\n\\x", None)
    assert Payment.objects.get(pk=second[0]).sptn == _record(2).sptn
    assert Payment.objects.count() == 2
    assert all(r.ok for r in audit_verify(chain="payment"))
