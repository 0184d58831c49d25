"""The case trail is append-only and chained; audit_verify finds the first broken link."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from amanah.enums import StaffRole
from amanah.events import REWRITE_SETTING, AppendOnlyError, audit_verify
from workflow.models import CaseEvent
from workflow.services import case_claim

from .factories import case_new


def test_chain_links_every_event_to_the_one_before(world):
    case = case_new(world)
    case_claim(case_id=case.pk, actor=world.staff("customer_service", StaffRole.CLERK))
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == ""
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert all(e.hash == e.compute_hash() for e in events)
    case.refresh_from_db()
    assert (case.last_event_seq, case.last_event_hash) == (3, events[-1].hash)
    out = io.StringIO()
    call_command("audit_verify", "--chain", "case", stdout=out)
    assert out.getvalue() == "case: OK, 3 events, every link holds\n"


def test_the_orm_refuses_to_change_or_delete_an_event(world):
    event = CaseEvent.objects.filter(case=case_new(world)).first()
    event.reason = "edited"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_the_database_refuses_raw_updates(world):
    event = CaseEvent.objects.filter(case=case_new(world)).first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE workflow_caseevent SET reason = 'x' WHERE id = %s", [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).reason == event.reason


def test_audit_verify_reports_an_event_edited_with_raw_sql(world):
    # given two cases, and the second event of the second one edited behind the portal's back
    case_new(world, subject="أولى")
    case = case_new(world, subject="ثانية")
    edited = CaseEvent.objects.get(case=case, seq=2)
    with connection.cursor() as cursor:
        # The trigger allows this only to a session that says so, as an attacker with
        # database superuser rights could; the hash chain is what catches it.
        cursor.execute(f"SET LOCAL {REWRITE_SETTING} = 'on'")
        cursor.execute("UPDATE workflow_caseevent SET reason = 'تعديل' WHERE id = %s",
                       [edited.pk])
        cursor.execute(f"SET LOCAL {REWRITE_SETTING} = 'off'")
    # when the audit runs
    (result,) = audit_verify(chain="case")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("audit_verify", "--chain", "case", stdout=out)
    # then it names that case and event, and fails
    assert (result.ok, result.head_id, result.head_key, result.event_id) == (
        False, case.pk, case.number, edited.pk)
    assert result.reason == "content does not match its hash"
    assert exited.value.code == 1
    assert f"case {case.number} (id {case.pk}), event id {edited.pk}" in out.getvalue()
