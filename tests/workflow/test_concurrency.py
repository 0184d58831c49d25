"""Concurrency on the real PostgreSQL, with separate connections in threads."""

import copy
import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from amanah.dates import RIYADH
from amanah.enums import StaffRole
from amanah.errors import DomainError
from amanah.events import audit_verify
from workflow import registry
from workflow.demo_definitions import GENERAL_CORRESPONDENCE
from workflow.enums import CaseEventKind, SlaStatus, StatusCategory
from workflow.models import Case, CaseEvent, Escalation
from workflow.services import (
    case_submit,
    case_transition,
    sla_sweep,
)

from .factories import case_new, world_build

pytestmark = pytest.mark.django_db(transaction=True)

_inside_guard = threading.Event()
_release_guard = threading.Event()


@registry.guard_register("test_hold_while_inside")
def _hold(**kwargs) -> bool:
    """Keeps the first actor inside its transaction (holding the case lock) until released."""
    _inside_guard.set()
    assert _release_guard.wait(timeout=20)
    return True


def _in_thread(target, results: dict, key: str):
    def run():
        try:
            results[key] = target()
        except BaseException as exc:
            results[key] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=key)
    thread.start()
    return thread


def test_two_staff_acting_at_once_one_wins_the_other_gets_a_conflict():
    # given a procedure whose "answer" pauses inside the transaction, and a case in review
    data = copy.deepcopy(GENERAL_CORRESPONDENCE)
    for transition in data["transitions"]:
        if transition["action"] == "answer":
            transition["guards"] = ["test_hold_while_inside"]
    world = world_build(definitions=[data])
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    head = world.staff("customer_service", StaffRole.HEAD)
    _inside_guard.clear()
    _release_guard.clear()
    results: dict = {}
    # when the reviewer answers and, while that is in flight, the head rejects
    first = _in_thread(lambda: case_transition(case_id=case.pk, action="answer",
                                               actor=reviewer, comment="الإفادة"),
                       results, "reviewer")
    assert _inside_guard.wait(timeout=20)
    second = _in_thread(lambda: case_transition(case_id=case.pk, action="reject",
                                                actor=head, comment="رفض"), results, "head")
    second.join(timeout=20)
    _release_guard.set()
    first.join(timeout=20)
    # then the reviewer's answer stands and the head got a clear, bilingual conflict
    assert not isinstance(results["reviewer"], BaseException), results["reviewer"]
    refused = results["head"]
    assert isinstance(refused, DomainError)
    assert refused.code == "workflow.case_busy"
    assert refused.status == 409
    assert "موظف آخر" in refused.message_ar
    assert "Someone else" in refused.message_en
    case.refresh_from_db()
    assert case.category == StatusCategory.APPROVED
    assert list(CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION)
                .values_list("action", flat=True)) == ["answer"]
    assert all(result.ok for result in audit_verify())


def test_second_actor_on_a_stale_screen_gets_a_conflict_after_the_first_commits():
    world = world_build(definitions=[GENERAL_CORRESPONDENCE])
    case = case_new(world)
    seen_version = case.row_version
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    head = world.staff("customer_service", StaffRole.HEAD)
    case_transition(case_id=case.pk, action="answer", actor=reviewer, comment="تم",
                    expected_version=seen_version)
    with pytest.raises(DomainError) as refused:
        case_transition(case_id=case.pk, action="reject", actor=head, comment="رفض",
                        expected_version=seen_version)
    assert refused.value.code == "workflow.case_changed"
    assert Case.objects.get(pk=case.pk).category == StatusCategory.APPROVED


class _Rollback(Exception):
    pass


def test_case_numbers_stay_gap_free_under_concurrent_submission():
    # given 8 citizens' sessions submitting 25 cases each at once, every fifth rolled back
    world = world_build(definitions=[GENERAL_CORRESPONDENCE])
    start = threading.Barrier(8)
    results: dict = {}

    def submit_many(worker: int):
        start.wait(timeout=30)
        numbers = []
        for i in range(25):
            try:
                with transaction.atomic():
                    case = case_submit(kind="general_correspondence", municipality=world.branch,
                                       subject=f"طلب {worker}-{i}",
                                       submitted_by=world.applicant.user)
                    if i % 5 == 4:
                        raise _Rollback
                numbers.append(case.number)
            except _Rollback:
                pass
        return numbers

    threads = [_in_thread(lambda w=w: submit_many(w), results, f"t{w}") for w in range(8)]
    for thread in threads:
        thread.join(timeout=120)
    # then the 160 committed cases hold exactly the numbers 1..160, once each
    for value in results.values():
        assert not isinstance(value, BaseException), value
    committed = sorted(n for numbers in results.values() for n in numbers)
    assert len(committed) == 160
    stored = sorted(Case.objects.values_list("number", flat=True))
    assert stored == committed
    prefix = stored[0].rsplit("-", 1)[0]
    assert stored == [f"{prefix}-{n:06d}" for n in range(1, 161)]


def test_escalation_happens_once_with_two_sweeps_at_once(clock):
    # given 30 cases submitted on a Sunday morning and left untouched for two weeks
    clock.set(dt.datetime(2026, 11, 29, 9, 0, tzinfo=RIYADH))
    world = world_build(definitions=[GENERAL_CORRESPONDENCE])
    head = world.staff("customer_service", StaffRole.HEAD)
    cases = [case_new(world, subject=f"طلب {i}") for i in range(30)]
    clock.set(dt.datetime(2026, 12, 13, 9, 0, tzinfo=RIYADH))
    # when two SLA sweeps run at the same moment
    start = threading.Barrier(2)
    results: dict = {}

    def sweep():
        start.wait(timeout=30)
        return sla_sweep(batch_size=7)

    threads = [_in_thread(sweep, results, f"sweep{i}") for i in range(2)]
    for thread in threads:
        thread.join(timeout=120)
    for value in results.values():
        assert not isinstance(value, BaseException), value
    # then every case is overdue and escalated to the head exactly once per lateness
    assert sum(r.overdue for r in results.values()) == 30
    assert Escalation.objects.count() == 60  # the step's deadline and the whole case's
    assert set(Escalation.objects.values_list("escalated_to", flat=True)) == {head.pk}
    for case in cases:
        assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.SLA_OVERDUE).count() == 1
        assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.ESCALATED).count() == 2
    assert set(Case.objects.values_list("sla_status", flat=True)) == {SlaStatus.OVERDUE}
    # and a third sweep later finds nothing left to do
    again = sla_sweep()
    assert (again.overdue, again.at_risk, again.escalated) == (0, 0, 0)
    assert Escalation.objects.count() == 60
    assert all(result.ok for result in audit_verify())
