"""Routing a case costs few round trips: what a published version needs for routing and the
holiday calendar are read once per process (invalidated when they change), and the case row
is written with only the columns that changed."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.dates import RIYADH
from workflow.models import Case, Holiday
from workflow.services import case_route
from workflow.working_time import sla_due_at

from .factories import case_new

pytestmark = pytest.mark.django_db


def _riyadh(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, tzinfo=RIYADH)


def test_routing_one_case_takes_two_statements_in_its_savepoint(world,
                                                               django_assert_num_queries):
    # given one case routed already (the process has read the version, the departments and
    # the calendar)
    case_new(world)
    case = case_new(world, route=False)
    # when the next case is routed
    # then: the savepoint, the row lock, one statement that inserts the event and updates the
    # case, and the savepoint's release — no transition, department or holiday reads
    with django_assert_num_queries(4):
        case_route(case_id=case.pk)
    routed = Case.objects.select_related("state").get(pk=case.pk)
    assert routed.state.code == "in_review"
    assert routed.routed_at is not None
    (event,) = routed.events.filter(kind="routed")
    assert (event.seq, event.hash) == (routed.last_event_seq, routed.last_event_hash)


def test_routing_locks_the_case_row_alone(world):
    # given one case routed already (the process keeps the municipalities and departments)
    case_new(world)
    case = case_new(world, route=False)
    # when the next case is routed
    with CaptureQueriesContext(connection) as captured:
        case_route(case_id=case.pk)
    # then the lock reads the case table only: its municipality comes from the process's copy
    (lock,) = [q["sql"] for q in captured.captured_queries if "FOR NO KEY UPDATE" in q["sql"]]
    assert "JOIN" not in lock
    assert 'FROM "workflow_case" WHERE' in lock
    assert Case.objects.get(pk=case.pk).department == world.department("customer_service")


def test_routing_updates_only_the_columns_that_changed(world):
    # given an unrouted case
    case = case_new(world, route=False)
    # when it is routed
    with CaptureQueriesContext(connection) as captured:
        case_route(case_id=case.pk)
    # then the case UPDATE names the routing columns and leaves the rest alone
    (update,) = [q["sql"] for q in captured.captured_queries
                 if 'UPDATE "workflow_case"' in q["sql"]]
    update = update.split('UPDATE "workflow_case"', 1)[1]
    assert '"subject"' not in update and '"number"' not in update
    assert '"description"' not in update and '"applicant_person_id"' not in update
    for column in ('"state_id"', '"category"', '"routed_at"', '"row_version"',
                   '"last_event_hash"', '"last_event_seq"', '"updated_at"'):
        assert column in update
    routed = Case.objects.get(pk=case.pk)
    assert routed.row_version == case.row_version + 1
    assert routed.updated_at > case.updated_at


def test_a_holiday_added_is_seen_by_the_next_sla_computation(db):
    # given the calendar read once already: two hours from Thursday 14:00 end Sunday 09:00
    assert sla_due_at(_riyadh(3, 14), 2) == _riyadh(6, 9)
    # when Sunday 6 December is entered as a holiday
    Holiday.objects.create(date=dt.date(2026, 12, 6), name_ar="إجازة", name_en="Holiday")
    # then the next computation skips it
    assert sla_due_at(_riyadh(3, 14), 2) == _riyadh(7, 9)


def test_a_holiday_removed_is_seen_by_the_next_sla_computation(db):
    # given a holiday on Sunday 6 December, already read
    holiday = Holiday.objects.create(date=dt.date(2026, 12, 6), name_ar="إجازة",
                                     name_en="Holiday")
    assert sla_due_at(_riyadh(3, 14), 2) == _riyadh(7, 9)
    # when it is deleted
    holiday.delete()
    # then Sunday counts again
    assert sla_due_at(_riyadh(3, 14), 2) == _riyadh(6, 9)


def test_the_calendar_is_read_once_while_it_does_not_change(db, django_assert_num_queries):
    # given the calendar read once
    sla_due_at(_riyadh(3, 14), 2)
    # when due times are worked out again
    # then the database is not asked
    with django_assert_num_queries(0):
        assert sla_due_at(_riyadh(3, 14), 2) == _riyadh(6, 9)
        assert sla_due_at(_riyadh(6, 8), 21) == _riyadh(8, 15)


def test_a_department_deactivated_no_longer_takes_new_cases(world):
    # given the departments read once (a case routed to the branch's customer service)
    assert case_new(world).department == world.department("customer_service")
    # when the branch's customer service is deactivated
    branch_desk = world.department("customer_service")
    branch_desk.is_active = False
    branch_desk.save()
    # then the next case goes to the Amanah's customer service, the fallback
    routed = case_new(world)
    assert routed.department.municipality_id == world.amanah.pk
    assert routed.department.code == "customer_service"


def test_a_holiday_rolled_back_is_not_kept(db):
    from django.db import transaction

    # given a holiday entered and read inside a transaction that is then rolled back
    with pytest.raises(RuntimeError), transaction.atomic():
        Holiday.objects.create(date=dt.date(2026, 12, 6), name_ar="إجازة", name_en="Holiday")
        assert sla_due_at(_riyadh(3, 14), 2) == _riyadh(7, 9)
        raise RuntimeError("rolled back")
    # when the next due time is worked out
    # then the holiday that never was does not count
    assert sla_due_at(_riyadh(3, 14), 2) == _riyadh(6, 9)


def test_routing_asks_for_the_configuration_token_once_per_check_interval(world, settings):
    from unittest import mock

    from amanah import process_cache

    # given one case routed already (the copies of the departments and the calendar are
    # kept), and a clock that stands still, past the last check
    settings.CONFIGURATION_CHECK_SECONDS = 0.1
    now = [process_cache.time.monotonic() + 1000.0]
    cases = [case_new(world, route=False) for _ in range(3)]
    with mock.patch.object(process_cache.time, "monotonic", lambda: now[0]), \
            mock.patch.object(process_cache, "cache", wraps=process_cache.cache) as shared:
        case_route(case_id=case_new(world, route=False).pk)
        asked = shared.get.call_count
        # when two more cases are routed within the interval
        case_route(case_id=cases[0].pk)
        case_route(case_id=cases[1].pk)
        # then the shared cache is not asked again
        assert shared.get.call_count == asked == 1
        # when the interval has passed
        now[0] += 0.2
        case_route(case_id=cases[2].pk)
        # then the next routing asks once
        assert shared.get.call_count == 2
    assert shared.set.call_count == 0


def test_a_writer_returns_only_after_every_process_must_ask_again(db, settings,
                                                                  django_capture_on_commit_callbacks):
    from unittest import mock

    from amanah import process_cache

    # given a check interval of 0.1 s and the calendar read
    settings.CONFIGURATION_CHECK_SECONDS = 0.1
    assert sla_due_at(_riyadh(3, 14), 2) == _riyadh(6, 9)
    token = process_cache.cache.get(process_cache.CONFIGURATION.key)
    # when two holidays are saved in one transaction that commits
    with mock.patch.object(process_cache.time, "sleep") as sleep, \
            django_capture_on_commit_callbacks(execute=True):
        Holiday.objects.create(date=dt.date(2026, 12, 6), name_ar="إجازة", name_en="Holiday")
        Holiday.objects.create(date=dt.date(2026, 12, 7), name_ar="إجازة", name_en="Holiday")
    # then after the commit the token moved, and the writer waited the interval once
    assert process_cache.cache.get(process_cache.CONFIGURATION.key) != token
    sleep.assert_called_once_with(0.1)
    # and its own process sees the change at once
    assert sla_due_at(_riyadh(3, 14), 2) == _riyadh(8, 9)


def test_an_event_is_not_kept_when_its_case_update_finds_no_row(world):
    from django.db import DatabaseError, transaction

    from amanah.db import insert_and_update
    from workflow.models import CaseEvent
    from workflow.services.steps import case_event_append, case_lock

    # given a locked case, its next event linked to a copy whose row does not exist
    case = case_new(world, route=False)
    events_before = CaseEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic():
        ghost = case_lock(case.pk, nowait=False, related=None)
        ghost.pk = ghost.id = 10**9
        event = case_event_append(ghost, kind="routed", at=case.submitted_at, save=False)
        # when the event and the case are written together
        insert_and_update(event, ghost, update_fields={"last_event_hash", "last_event_seq"})
    # then neither is kept
    assert CaseEvent.objects.count() == events_before
    assert Case.objects.get(pk=case.pk).last_event_seq == case.last_event_seq


def test_a_saved_event_is_not_written_again_with_its_case(world):
    from django.db import transaction

    from amanah.events import AppendOnlyError
    from workflow.models import CaseEvent
    from workflow.services.steps import case_lock, case_save

    # given a case and one of its events, already saved
    case = case_new(world)
    event = CaseEvent.objects.filter(case=case).first()
    # when a move hands it to case_save as its new link
    # then it is refused: event rows are append-only
    with pytest.raises(AppendOnlyError), transaction.atomic():
        case_save(case_lock(case.pk, nowait=False), event=event)
