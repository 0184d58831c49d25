"""A classifying batch covers a bounded range, so it must cost the same whatever the size of
the tables around it: it probes the payments and the staging table by index, never reads one
of them whole (a hash join did, for every batch: a run grew with the square of its size)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from payments.reconciliation import classifying, recording
from payments.reconciliation.staging import _indexes_create, _table_create, stage_table

ROWS = 20_000
RUN = SimpleNamespace(pk=987654)


@pytest.fixture
def day_staged(db):
    table = stage_table(RUN.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO payments_payment (sptn, bnkptn, amount, billing_account, biller_id, "
            "status, suspense_reason, bank_id, channel, method, processed_at, effective_at, "
            "business_date, received_at, source, source_reference, needs_review, "
            "last_event_seq, last_event_hash) "
            "SELECT 'SPX' || g, '', 10, '1000' || g, '090', 'suspense', 'unknown_bill', "
            "'RJHISARI', 'INTERNET', 'ACTDEB', now(), now(), DATE '2026-11-30', now(), "
            "'notification', '', false, 0, '' FROM generate_series(1, %s) AS g", [ROWS])
        _table_create(cursor, table)
        cursor.execute(f"INSERT INTO {table} SELECT g, 'SPX' || g, '', 10, '1000' || g, "
                       "'RJHISARI', 'INTERNET', 'ACTDEB', now(), now() "
                       "FROM generate_series(1, %s) AS g", [ROWS])
        _indexes_create(cursor, table)
        cursor.execute("ANALYZE payments_payment")
        cursor.execute("SELECT MIN(id) FROM payments_payment")
        first_id = cursor.fetchone()[0]
    yield first_id
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _plan(sql: str, params: list) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        classifying._batch_settings(cursor)
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_batch_of_the_file_probes_payments_and_staging_by_index(day_staged):
    # given 20,000 payments of the day and a staged file of 20,000 records
    # when a batch of 2,000 positions is planned as a run plans it
    plan = _plan(classifying._sql(classifying._CLASSIFY_FILE, RUN), [4000, 6000, RUN.pk])
    # then neither table is read whole
    assert "Seq Scan" not in plan, plan


def test_a_batch_of_the_portal_side_probes_staging_by_index(day_staged):
    # given the same day, when a batch of 2,000 payment ids is planned as a run plans it
    last_hour = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)
    plan = _plan(classifying._sql(classifying._CLASSIFY_PORTAL, RUN),
                 [RUN.pk, last_hour, last_hour, dt.date(2026, 11, 30), day_staged + 4000,
                  day_staged + 6000])
    # then neither table is read whole
    assert "Seq Scan" not in plan, plan


@pytest.fixture
def run_missing(db):
    """A run whose file's every fourth record is MISSING_IN_PORTAL (the benchmark's share),
    none of them recorded yet, and no statistics gathered (as when recording starts)."""
    from payments.reconciliation.models import ReconRun
    run = ReconRun.objects.create(file_sha256="f" * 64, file_path="/x.xml", file_size=1,
                                  source="command", received_at=dt.datetime.now(dt.UTC))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO payments_reconitem (run_id, position, sptn, category, amount, "
            "billing_account, bank_id, processed_at, portal_billing_account, review_status, "
            "review_note) SELECT %s, g, 'SPX' || g, "
            "CASE WHEN g %% 4 = 0 THEN 'MISSING_IN_PORTAL' ELSE 'MATCHED' END, 10, '1000' || g, "
            "'RJHISARI', now(), '', CASE WHEN g %% 4 = 0 THEN 'open' ELSE 'none' END, '' "
            "FROM generate_series(1, %s) AS g", [run.pk, ROWS])
    return run


def test_a_recording_batch_reads_only_its_own_items_in_order(run_missing):
    # given a run of 20,000 items, 5,000 of them unrecorded MISSING_IN_PORTAL items
    # when the batch after position 10,000 is planned as a run plans it
    sql, params = recording.missing_batch(run_missing, after=10_000, limit=500
                                          ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # then an index gives the run's missing items from that position on, already in order:
    # not every missing item of the run sorted for each batch (the run grew with the square
    # of its missing records)
    assert "recon_item_exceptions_position" in plan, plan
    assert "Index Cond" in plan and "position" in plan.split("Index Cond")[1], plan
    assert "Sort" not in plan, plan


def test_settling_recorded_items_rewrites_them_in_place(run_missing):
    # given a run of 20,000 items, 5,000 of them MISSING_IN_PORTAL and unrecorded
    ids = list(recording.missing_batch(run_missing, after=0, limit=10_000)
               .values_list("pk", flat=True))
    # when each gets its payment, as a recording batch settles them
    recording._items_settle(ids, list(range(1, len(ids) + 1)))
    # then every update is HOT: the new version on the item's own page, no index touched
    # (the table keeps room on each page; without it each update went to the table's end
    # with an entry in every index, and at 1M records recording grew faster than the file)
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                       "WHERE relname = 'payments_reconitem'")
        assert cursor.fetchone() == (5_000, 5_000)
