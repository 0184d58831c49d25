"""Reads for the pages: what each viewer sees, and fixed query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.dates import RIYADH
from amanah.enums import StaffRole
from amanah.errors import NotFound
from tests import samples
from workflow.enums import CaseEventKind, StatusCategory
from workflow.selectors import (
    attachment_get_for_user,
    case_get_for_user,
    case_list_for_applicant,
    case_list_for_caller,
    case_queue_for_department,
    case_status_public,
    procedure_analytics,
    user_get_active,
)
from workflow.services import (
    case_attachment_add,
    case_claim,
    case_comment_add,
    case_return_to_applicant,
    case_transition,
)

from .factories import case_new


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_case_page_query_count_does_not_grow_with_the_timeline(world):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            detail = case_get_for_user(case_id=case.pk, user=_fresh(clerk))
            [(e.actor, e.to_state, e.department) for e in detail.events]
        return len(captured)

    short = queries()
    for i in range(20):
        case_comment_add(case_id=case.pk, actor=clerk, body=f"ملاحظة {i}")
    assert queries() == short


def test_applicant_does_not_see_internal_notes_or_documents(world):
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    case_comment_add(case_id=case.pk, actor=clerk, body="داخلي", is_internal=True)
    internal = case_attachment_add(case_id=case.pk, actor=clerk, is_internal=True,
                                   document=samples.upload("memo.pdf", samples.pdf()))
    staff_view = case_get_for_user(case_id=case.pk, user=clerk)
    applicant_view = case_get_for_user(case_id=case.pk, user=world.applicant.user)
    assert len(staff_view.comments) == 1 and len(staff_view.attachments) == 1
    assert applicant_view.comments == [] and applicant_view.attachments == []
    assert CaseEventKind.COMMENTED not in [e.kind for e in applicant_view.events]
    assert attachment_get_for_user(attachment_id=internal.pk, user=clerk) == internal
    with pytest.raises(NotFound):
        attachment_get_for_user(attachment_id=internal.pk, user=world.applicant.user)


def test_attachment_is_hidden_from_other_citizens_and_other_departments(world):
    case = case_new(world)
    document = case_attachment_add(case_id=case.pk, actor=world.applicant.user,
                                   document=samples.upload("id.pdf", samples.pdf()))
    assert attachment_get_for_user(attachment_id=document.pk,
                                   user=world.applicant.user) == document
    for outsider in (world.other_citizen.user, world.staff("legal", StaffRole.HEAD)):
        with pytest.raises(NotFound) as refused:
            attachment_get_for_user(attachment_id=document.pk, user=outsider)
        assert refused.value.code == "workflow.attachment_not_found"


def test_queue_filters_and_order(world, clock):
    clerk = world.staff("customer_service", StaffRole.CLERK)
    clock.set(dt.datetime(2026, 11, 30, 9, 0, tzinfo=RIYADH))
    late = case_new(world, subject="أقدم")
    clock.set(dt.datetime(2026, 11, 30, 11, 0, tzinfo=RIYADH))
    early = case_new(world, kind="complaint", subject="أحدث")
    department = world.department("customer_service")
    page = case_queue_for_department(department=department, user=clerk)
    # triage (7 h) falls due before in-review (21 h) although it came later
    assert [c.pk for c in page] == [early.pk, late.pk]
    assert [c.pk for c in case_queue_for_department(department=department, user=clerk,
                                                    kind="complaint")] == [early.pk]
    assert list(case_queue_for_department(department=department, user=clerk,
                                          scope="mine")) == []
    with pytest.raises(NotFound):
        case_queue_for_department(department=department,
                                  user=world.staff("legal", StaffRole.HEAD))


def test_applicant_list_and_public_status(world):
    case = case_new(world)
    assert list(case_list_for_applicant(user=world.applicant.user)) == [case]
    assert list(case_list_for_applicant(user=world.other_citizen.user)) == []
    status = case_status_public(number=case.number.lower(),
                                national_id=world.applicant.national_id)
    assert status.number == case.number
    with pytest.raises(NotFound) as wrong:
        case_status_public(number=case.number, national_id=world.other_citizen.national_id)
    with pytest.raises(NotFound) as unknown:
        case_status_public(number="KHB-1448-999999", national_id=world.applicant.national_id)
    assert wrong.value.code == unknown.value.code == "workflow.status_not_found"
    assert wrong.value.message_en == unknown.value.message_en


def test_procedure_analytics(world, clock):
    # given three cases: one answered after 2 hours, one returned to the applicant, one open
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    clock.set(dt.datetime(2026, 11, 30, 9, 0, tzinfo=RIYADH))
    answered = case_new(world)
    returned = case_new(world)
    case_new(world)
    clock.set(dt.datetime(2026, 11, 30, 11, 0, tzinfo=RIYADH))
    case_transition(case_id=answered.pk, action="answer", actor=reviewer, comment="تم")
    case_return_to_applicant(case_id=returned.pk, actor=reviewer, comment="ناقص")
    clock.set(dt.datetime(2026, 11, 30, 13, 0, tzinfo=RIYADH))
    # when the analytics are computed
    with CaptureQueriesContext(connection) as captured:
        numbers = procedure_analytics(definition=world.versions["general_correspondence"]
                                      .definition)
    # then time in review is measured per visit, and the returned share is a third
    in_review = next(s for s in numbers["states"] if s["code"] == "in_review")
    assert in_review["visits"] == 3
    assert in_review["median_hours"] == 2.0
    assert in_review["p90_hours"] == 3.6
    assert numbers["cases_total"] == 3
    assert numbers["returned_to_applicant"] == 1
    assert numbers["returned_share"] == round(1 / 3, 4)
    assert numbers["overdue_open"] == 0
    department = next(d for d in numbers["departments"] if d["code"] == "customer_service")
    # customer service held all three throughout: 2 h until the answer, 4 h for the others
    assert (department["visits"], department["median_hours"]) == (3, 4.0)
    assert len(captured) == 5


def test_case_list_for_caller_gives_staff_their_departments_cases_by_scope_and_filter(world):
    # given two cases in customer service, one claimed by the clerk, and a legal head
    clerk = world.staff("customer_service", StaffRole.CLERK)
    general = case_new(world)
    complaint = case_new(world, kind="complaint")
    case_claim(case_id=complaint.pk, actor=clerk)
    legal = world.staff("legal", StaffRole.HEAD)
    # when the clerk lists them by scope and by kind
    listed = {scope: {c.pk for c in case_list_for_caller(user=clerk, scope=scope)}
              for scope in (None, "all", "mine", "unassigned")}
    # then mine is the claimed one, unassigned the other, no scope both
    assert listed == {None: {general.pk, complaint.pk}, "all": {general.pk, complaint.pk},
                      "mine": {complaint.pk}, "unassigned": {general.pk}}
    assert [c.pk for c in case_list_for_caller(user=clerk, kind="complaint")] == [complaint.pk]
    assert list(case_list_for_caller(user=clerk, kind="complaint", scope="unassigned")) == []
    assert list(case_list_for_caller(user=clerk, category=StatusCategory.CLOSED)) == []
    # and staff of another department see none of them
    assert list(case_list_for_caller(user=legal)) == []


def test_case_list_for_caller_gives_an_applicant_their_own_whatever_the_scope(world):
    # given the applicant's case
    case = case_new(world, kind="complaint")
    # when the applicant lists with a staff scope / then it is ignored; the filters are not
    assert [c.pk for c in case_list_for_caller(user=world.applicant.user,
                                               scope="mine")] == [case.pk]
    assert list(case_list_for_caller(user=world.applicant.user,
                                     kind="general_correspondence")) == []
    assert list(case_list_for_caller(user=world.other_citizen.user)) == []


def test_user_get_active_skips_deactivated_accounts(world):
    # given an active clerk and a deactivated one
    clerk = world.staff("customer_service", StaffRole.CLERK)
    gone = world.staff("customer_service", StaffRole.REVIEWER)
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    # then only the active one is found, and an unknown id is none
    assert user_get_active(user_id=clerk.pk) == clerk
    assert user_get_active(user_id=gone.pk) is None
    assert user_get_active(user_id=gone.pk + 1000) is None
