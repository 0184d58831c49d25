"""The case timeline, on the staff page and the applicant's: the latest 50 entries, older ones
a link away (?timeline_before=<seq>), and the same queries however long the history."""

import re

from amanah.enums import StaffRole
from workflow.models import CaseEvent
from workflow.services import case_claim, case_comment_add

from .factories import case_new

# Session, user, case, events, attachments, comments, transitions, roles and the like, and the
# apps' links for the case (permits looks for an application behind it); the same whatever the
# length of the history.
STAFF_PAGE_QUERIES = 19
APPLICANT_PAGE_QUERIES = 10


def _claimed_case_with_comments(world, count: int):
    case = case_new(world)
    head = world.staff("customer_service", StaffRole.HEAD)
    case_claim(case_id=case.pk, actor=head)
    for n in range(count):
        case_comment_add(case_id=case.pk, actor=head if n % 2 else world.applicant.user,
                         body=f"تعليق {n}")
    return case, head


def _older_link(response) -> str | None:
    found = re.search(r'href="\?timeline_before=(\d+)#timeline-h"', response.content.decode())
    return found.group(1) if found else None


def test_staff_page_shows_the_latest_50_entries_and_links_to_the_older_ones(client, world):
    # given a case with submitted, routed, claimed and 120 comments: 123 events
    case, head = _claimed_case_with_comments(world, 120)
    client.force_login(head)
    url = f"/en/transactions/cases/{case.pk}/"
    # when its department head opens it
    latest = client.get(url)
    # then the timeline holds the latest 50, oldest first, ending with the newest comment
    comments = [e.comment for e in latest.context["timeline"]]
    assert (len(comments), comments[0], comments[-1]) == (50, "تعليق 70", "تعليق 119")
    # and a link leads to the 50 before them, and from there to the first 23
    assert _older_link(latest) == "74"
    older = client.get(url + "?timeline_before=74")
    assert [e.comment for e in older.context["timeline"]][-1] == "تعليق 69"
    assert len(older.context["timeline"]) == 50
    oldest = client.get(url + f"?timeline_before={_older_link(older)}")
    assert len(oldest.context["timeline"]) == 23
    assert _older_link(oldest) is None
    assert "Latest entries" in oldest.content.decode()


def test_applicant_page_pages_its_own_timeline(client, world):
    # given the same case: the claim is not the applicant's to see
    case, _head = _claimed_case_with_comments(world, 120)
    client.force_login(world.applicant.user)
    url = f"/ar/transactions/mine/{case.pk}/"
    # when the applicant opens their case and its older entries
    latest = client.get(url)
    older = client.get(url + f"?timeline_before={_older_link(latest)}")
    # then each page holds 50 entries of their own timeline, without the claim
    assert len(latest.context["timeline"]) == 50
    assert [e.comment for e in latest.context["timeline"]][-1] == "تعليق 119"
    assert [e.comment for e in older.context["timeline"]][-1] == "تعليق 69"


def test_nonsense_in_timeline_before_shows_the_latest_entries(client, world):
    case, head = _claimed_case_with_comments(world, 3)
    client.force_login(head)
    for junk in ("x", "-1", "0", "99999999999999999999999"):
        response = client.get(f"/en/transactions/cases/{case.pk}/?timeline_before={junk}")
        assert response.status_code == 200
        assert len(response.context["timeline"]) == 6


def test_case_pages_run_exactly_the_same_queries_for_3_and_300_events(
        client, world, django_assert_num_queries):
    # given a claimed case with one comment
    case, head = _claimed_case_with_comments(world, 1)
    staff_url, mine_url = f"/ar/transactions/cases/{case.pk}/", f"/ar/transactions/mine/{case.pk}/"
    client.force_login(head)
    client.get(staff_url)
    with django_assert_num_queries(STAFF_PAGE_QUERIES):
        client.get(staff_url)
    # when 299 more comments are added
    for n in range(299):
        case_comment_add(case_id=case.pk, actor=head, body=f"ملاحظة {n}")
    assert CaseEvent.objects.filter(case=case).count() == 303
    # then the staff page, its older entries and the applicant's page cost exactly as much
    with django_assert_num_queries(STAFF_PAGE_QUERIES):
        client.get(staff_url)
    with django_assert_num_queries(STAFF_PAGE_QUERIES):
        client.get(staff_url + "?timeline_before=200")
    client.force_login(world.applicant.user)
    client.get(mine_url)
    with django_assert_num_queries(APPLICANT_PAGE_QUERIES):
        client.get(mine_url)
    with django_assert_num_queries(APPLICANT_PAGE_QUERIES):
        client.get(mine_url + "?timeline_before=200")

