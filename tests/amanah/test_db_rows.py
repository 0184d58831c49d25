"""Hand-written single-row statements for hot paths (amanah/db.py): the same row the ORM
would write, in one statement, with the SQL built once per model and field list."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.db import insert_row, locked_row_get, update_row
from payments.models import Bill, BillEvent
from tests.payments.factories import bill_make

pytestmark = pytest.mark.django_db


def test_insert_row_writes_every_column_in_one_statement_and_sets_the_pk():
    # given a bill and an unsaved event of it
    bill = bill_make(amount="150.00")
    event = BillEvent(bill=bill, seq=bill.last_event_seq + 1, kind="paid",
                      from_status="unpaid", to_status="paid", version=1,
                      payload={"sptn": "SP1", "amount": "150.00"},
                      at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), prev_hash="a" * 64,
                      hash="b" * 64)
    # when it is inserted
    with CaptureQueriesContext(connection) as queries:
        insert_row(event)
    # then one INSERT wrote it, the instance knows its pk and is no longer "adding"
    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].startswith('INSERT INTO "payments_billevent"')
    assert event.pk is not None and event._state.adding is False
    stored = BillEvent.objects.get(pk=event.pk)
    assert (stored.bill_id, stored.seq, stored.payload, stored.hash) == (
        bill.pk, bill.last_event_seq + 1, {"sptn": "SP1", "amount": "150.00"}, "b" * 64)


def test_insert_row_refuses_a_row_that_exists():
    bill = bill_make()
    with pytest.raises(ValueError, match="already saved"):
        insert_row(bill)


def test_update_row_writes_only_the_named_columns_and_moves_auto_now():
    # given a bill, and a change to its amount made behind this copy's back
    bill = bill_make(amount="150.00")
    before = Bill.objects.get(pk=bill.pk).updated_at
    Bill.objects.filter(pk=bill.pk).update(amount=Decimal("99.00"))
    # when this copy writes only its amount_paid (and updated_at, which moves by itself)
    bill.amount_paid = Decimal("150.00")
    with CaptureQueriesContext(connection) as queries:
        update_row(bill, fields=["amount_paid", "updated_at"])
    # then one UPDATE wrote those columns and left the others as they were
    assert len(queries.captured_queries) == 1
    stored = Bill.objects.get(pk=bill.pk)
    assert (stored.amount_paid, stored.amount) == (Decimal("150.00"), Decimal("99.00"))
    assert stored.updated_at > before
    assert bill.updated_at == stored.updated_at


def test_locked_row_get_locks_and_returns_the_same_values_as_the_orm():
    # given a bill
    bill = bill_make(amount="150.00")
    # when it is read by its BillingAcct for update, inside a transaction
    from django.db import transaction

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        row = locked_row_get(Bill, field="billing_account", value=bill.billing_account)
    # then one SELECT … FOR UPDATE read it, and every field equals the ORM's copy
    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].rstrip().endswith("FOR UPDATE")
    orm = Bill.objects.get(pk=bill.pk)
    assert all(getattr(row, f.attname) == getattr(orm, f.attname)
               for f in Bill._meta.concrete_fields)
    assert row._state.adding is False
    assert locked_row_get(Bill, field="billing_account", value="00000000000") is None


def test_update_row_refuses_when_the_row_is_gone():
    # given a copy of a bill whose row no longer exists (as save(update_fields=…) refuses)
    bill = bill_make()
    ghost = Bill.objects.get(pk=bill.pk)
    ghost.pk = ghost.id = 10**12
    # when it is written, then the write is refused
    from django.db import DatabaseError

    with pytest.raises(DatabaseError, match="no row was updated"):
        update_row(ghost, fields=["amount_paid"])
