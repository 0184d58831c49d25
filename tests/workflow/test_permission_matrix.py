"""For every transition of the demo procedures: exactly the actors the definition names may
take it; everyone else is refused, and a refusal changes nothing and queues nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser

from amanah.enums import StaffRole
from amanah.errors import DomainError
from workflow.demo_definitions import COMPLAINT, GENERAL_CORRESPONDENCE
from workflow.models import Case, CaseEvent
from workflow.services import case_transition

from .factories import case_in_state

TRANSITIONS = [(d["code"], t["from"], t["action"], tuple(t["allowed_roles"]))
               for d in (GENERAL_CORRESPONDENCE, COMPLAINT) for t in d["transitions"]]
ACTORS = ["allowed", "other_department", "wrong_role", "applicant", "other_citizen",
          "anonymous", "system"]


def _actor(world, case, who: str, allowed_roles: tuple):
    staff_roles = [r for r in allowed_roles if r in StaffRole.values]
    if who == "allowed":
        if staff_roles:
            return world.staff(case.department.code, staff_roles[0])
        return world.applicant.user if "applicant" in allowed_roles else None
    if who == "other_department":
        role = staff_roles[0] if staff_roles else StaffRole.HEAD
        other = "legal" if case.department.code != "legal" else "finance"
        return world.staff(other, role)
    if who == "wrong_role":
        # Cashier is never named in these procedures: the right department, the wrong role.
        return world.staff(case.department.code, StaffRole.CASHIER)
    if who == "applicant":
        return world.applicant.user
    if who == "other_citizen":
        return world.other_citizen.user
    if who == "anonymous":
        return AnonymousUser()
    return None  # the system


def _may(who: str, allowed_roles: tuple) -> bool:
    if who == "allowed":
        return True
    if who == "applicant":
        return "applicant" in allowed_roles
    if who == "system":
        return "system" in allowed_roles
    return False


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize(("kind", "source", "action", "allowed_roles"), TRANSITIONS,
                         ids=[f"{k}:{s}:{a}" for k, s, a, _ in TRANSITIONS])
def test_transition_permission(world, django_capture_on_commit_callbacks, kind, source, action,
                               allowed_roles, who):
    # given a case in the transition's source state
    case = case_in_state(world, kind, source)
    assert case.state.code == source
    actor = _actor(world, case, who, allowed_roles)
    events_before = list(CaseEvent.objects.filter(case=case).values_list("seq", "hash"))
    # when that actor takes the action
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            case_transition(case_id=case.pk, action=action, actor=actor, comment="ملاحظة")
            error = None
        except DomainError as exc:
            error = exc
    after = Case.objects.get(pk=case.pk)
    if _may(who, allowed_roles):
        # then the case moves and records who did it
        assert error is None
        assert after.state.code != source or after.row_version == case.row_version + 1
        event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
        assert event.action == action
        assert event.seq == len(events_before) + 1
    else:
        # then it is refused and nothing changed, nothing was queued
        assert error is not None
        assert error.code == "workflow.not_allowed"
        assert error.status == 403
        assert error.message_ar and error.message_en
        assert after.state_id == case.state_id
        assert after.row_version == case.row_version
        assert after.department_id == case.department_id
        assert after.assignee_id == case.assignee_id
        assert list(CaseEvent.objects.filter(case=case).values_list("seq", "hash")) \
            == events_before
        assert callbacks == []
