"""The event trail is append-only and chained; audit_verify finds the first broken link."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from amanah.enums import StaffRole
from workflow.models import CaseEvent
from workflow.services import audit_verify, case_claim

from .factories import case_new


def test_chain_links_every_event_to_the_one_before(world):
    case = case_new(world)
    case_claim(case_id=case.pk, actor=world.staff("customer_service", StaffRole.CLERK))
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == ""
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert all(e.hash == e.compute_hash() for e in events)
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().startswith("OK: 3 events")


def test_the_orm_refuses_to_change_or_delete_an_event(world):
    event = CaseEvent.objects.filter(case=case_new(world)).first()
    event.comment = "edited"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_the_database_refuses_raw_updates(world):
    event = CaseEvent.objects.filter(case=case_new(world)).first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE workflow_caseevent SET comment = 'x' WHERE id = %s", [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).comment == event.comment


def test_audit_verify_reports_an_event_edited_with_raw_sql(world):
    # given two cases, and the second event of the second one edited behind the portal's back
    case_new(world, subject="أولى")
    case = case_new(world, subject="ثانية")
    edited = CaseEvent.objects.get(case=case, seq=2)
    with connection.cursor() as cursor:
        # The trigger allows this only to a session that says so, as an attacker with
        # database superuser rights could; the hash chain is what catches it.
        cursor.execute("SET LOCAL workflow.allow_event_rewrite = 'on'")
        cursor.execute("UPDATE workflow_caseevent SET comment = 'تعديل' WHERE id = %s",
                       [edited.pk])
        cursor.execute("SET LOCAL workflow.allow_event_rewrite = 'off'")
    # when the audit runs
    result = audit_verify()
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("audit_verify", stdout=out)
    # then it names that case and event, and fails
    assert (result.ok, result.case_id, result.event_id) == (False, case.pk, edited.pk)
    assert result.reason == "content does not match its hash"
    assert exited.value.code == 1
    assert f"case {case.number} (id {case.pk}), event id {edited.pk}" in out.getvalue()
