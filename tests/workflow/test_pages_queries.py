"""The queue page and the case pages run a fixed number of SQL queries, whatever the number of
cases in the database (and of comments on the case)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah import clock
from amanah.enums import StaffRole
from tests.factories import CitizenFactory
from workflow.enums import SlaStatus
from workflow.models import Case
from workflow.services import case_claim, case_comment_add

from .factories import case_new

SLA_CYCLE = [SlaStatus.ON_TRACK, SlaStatus.AT_RISK, SlaStatus.OVERDUE]


def _cases_bulk(world, template: Case, count: int, *, start: int, assignees, applicants):
    """`count` cases like `template` (same step and department), in one INSERT per 500."""
    now = clock.now()
    Case.objects.bulk_create([
        Case(number=f"BULK-{start + i:06d}", municipality=template.municipality,
             definition_id=template.definition_id, version_id=template.version_id,
             subject=f"معاملة {start + i}", applicant_person=applicants[i % len(applicants)],
             state_id=template.state_id, category=template.category,
             department_id=template.department_id,
             assignee=assignees[i % len(assignees)], submitted_at=now,
             state_entered_at=now, state_due_at=now + dt.timedelta(hours=i % 97),
             due_at=now + dt.timedelta(days=7), sla_status=SLA_CYCLE[i % 3], routed_at=now)
        for i in range(count)], batch_size=500)


def _queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_queue_and_case_pages_run_the_same_queries_for_10_and_1000_cases(client, world):
    # given a department with 10 open cases of different people, some assigned, some overdue
    case = case_new(world)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    head = world.staff("customer_service", StaffRole.HEAD)
    applicants = [world.applicant, world.other_citizen, CitizenFactory(), CitizenFactory()]
    _cases_bulk(world, case, 9, start=1, assignees=[None, clerk], applicants=applicants)
    client.force_login(head)
    urls = [f"/ar/transactions/queue/{case.department_id}/",
            f"/ar/transactions/queue/{case.department_id}/?scope=unassigned&sla_status=overdue",
            f"/en/transactions/queue/{case.department_id}/?page=2",
            f"/ar/transactions/cases/{case.pk}/"]
    small = [_queries(client, url)[0] for url in urls]
    # when the department holds 1,000
    _cases_bulk(world, case, 990, start=10, assignees=[None, clerk, reviewer, head],
                applicants=applicants)
    large = [_queries(client, url) for url in urls]
    # then every page ran exactly as many queries as before
    assert [count for count, _response in large] == small
    # and the first queue page lists a full page of 25 of the 1,000, soonest deadline first
    first = large[0][1]
    assert first.context["page"].paginator.count == 1000
    due = [c.state_due_at for c in first.context["page"].object_list]
    assert len(due) == 25
    assert due == sorted(due)


def test_case_page_runs_the_same_queries_for_1_and_20_comments(client, world):
    # given a claimed case with one comment, seen by its department head and by its applicant
    case = case_new(world)
    head = world.staff("customer_service", StaffRole.HEAD)
    case_claim(case_id=case.pk, actor=head)
    case_comment_add(case_id=case.pk, actor=world.applicant.user, body="تعليق 0")
    staff_before = _queries(client_login(client, head), f"/ar/transactions/cases/{case.pk}/")[0]
    mine_before = _queries(client_login(client, world.applicant.user),
                           f"/ar/transactions/mine/{case.pk}/")[0]
    # when 19 more comments (staff and applicant) are added
    for n in range(1, 20):
        case_comment_add(case_id=case.pk, actor=head if n % 2 else world.applicant.user,
                         body=f"تعليق {n}")
    # then both views of the case run the same number of queries
    staff_after, response = _queries(client_login(client, head),
                                     f"/ar/transactions/cases/{case.pk}/")
    assert staff_after == staff_before
    assert len(response.context["timeline"]) == 23  # submitted, routed, claimed, 20 comments
    assert _queries(client_login(client, world.applicant.user),
                    f"/ar/transactions/mine/{case.pk}/")[0] == mine_before


def client_login(client, user):
    client.force_login(user)
    return client
