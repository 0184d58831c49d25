"""Procedure analytics page: admins only; median and p90 per step and department, returned
share, overdue counts, and a chart drawn on the server (inline SVG, no script)."""

import datetime as dt

from amanah.enums import StaffRole
from workflow.enums import SlaStatus
from workflow.models import Case
from workflow.services import case_transition

from .factories import case_new
from .pages_helpers import user_for


def test_admin_sees_the_figures_and_an_inline_chart(client, world, clock):
    # given three cases: one answered after 10 hours in review, one returned to the applicant,
    # one still open and overdue
    clock.set(dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC))
    answered = case_new(world)
    clock.advance(hours=10)
    case_transition(case_id=answered.pk, action="answer", comment="تم",
                    actor=world.staff("customer_service", StaffRole.REVIEWER))
    returned = case_new(world)
    case_transition(case_id=returned.pk, action="return_to_applicant", comment="ناقص",
                    actor=world.staff("customer_service", StaffRole.CLERK))
    late = case_new(world)
    Case.objects.filter(pk=late.pk).update(sla_status=SlaStatus.OVERDUE)
    clock.advance(hours=2)
    client.force_login(user_for(world, "admin"))
    # when the admin opens the analytics of general correspondence
    definition = world.versions["general_correspondence"].definition
    response = client.get(f"/ar/transactions/analytics/?definition={definition.pk}")
    # then the figures are there
    assert response.status_code == 200
    report = response.context["report"]
    assert (report["cases_total"], report["cases_open"], report["returned_to_applicant"],
            report["overdue_open"]) == (3, 2, 1, 1)
    assert response.context["returned_percent"] == 33.3
    in_review = next(r for r in report["states"] if r["code"] == "in_review")
    assert in_review["visits"] == 3
    # and the chart is inline SVG with one bar pair per step, and the page loads no script
    html = response.content.decode()
    assert html.count('class="wf-bar-median"') == len(report["states"]) + len(
        report["departments"])
    assert "<svg" in html and "<script" not in html


def test_a_branch_filter_narrows_the_cases(client, world):
    case_new(world)
    case_new(world, municipality=world.other_branch)
    client.force_login(user_for(world, "admin"))
    definition = world.versions["general_correspondence"].definition
    response = client.get(f"/en/transactions/analytics/?definition={definition.pk}"
                          f"&municipality={world.other_branch.pk}")
    assert response.context["report"]["cases_total"] == 1
    assert response.context["municipality"] == world.other_branch


def test_staff_without_the_admin_role_are_refused(client, world):
    client.force_login(world.staff("customer_service", StaffRole.HEAD))
    assert client.get("/ar/transactions/analytics/").status_code == 403
