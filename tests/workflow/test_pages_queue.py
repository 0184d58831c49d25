"""The department queue: tabs, filters and paging narrow the list; junk in the query string
is ignored rather than an error."""

from amanah.enums import StaffRole
from workflow.enums import SlaStatus
from workflow.models import Case
from workflow.services import case_claim

from .factories import case_new


def _numbers(response) -> list[str]:
    assert response.status_code == 200
    return [c.number for c in response.context["page"].object_list]


def test_tabs_and_filters_narrow_the_queue(client, world):
    # given three letters and a complaint in customer service: one claimed by the clerk,
    # one overdue
    clerk = world.staff("customer_service", StaffRole.CLERK)
    letters = [case_new(world, subject=f"خطاب {n}") for n in range(3)]
    complaint = case_new(world, "complaint", subject="بلاغ")
    case_claim(case_id=letters[0].pk, actor=clerk)
    Case.objects.filter(pk=letters[1].pk).update(sla_status=SlaStatus.OVERDUE)
    client.force_login(clerk)
    queue = f"/ar/transactions/queue/{world.department('customer_service').pk}/"
    every = {c.number for c in [*letters, complaint]}
    # then each tab and filter shows exactly its cases
    assert set(_numbers(client.get(queue))) == every
    assert _numbers(client.get(queue + "?scope=mine")) == [letters[0].number]
    assert set(_numbers(client.get(queue + "?scope=unassigned"))) == every - {letters[0].number}
    assert _numbers(client.get(queue + "?sla_status=overdue")) == [letters[1].number]
    assert _numbers(client.get(queue + "?kind=complaint")) == [complaint.number]
    assert _numbers(client.get(queue + f"?assignee={clerk.pk}")) == [letters[0].number]
    assert set(_numbers(client.get(queue + "?state=in_review&kind=general_correspondence"))) \
        == {c.number for c in letters}
    # and the current tab is marked
    tabs = client.get(queue + "?scope=mine").context["tabs"]
    assert [t["scope"] for t in tabs if t["current"]] == ["mine"]


def test_nonsense_in_the_query_string_shows_the_whole_queue(client, world):
    case = case_new(world)
    client.force_login(world.staff("customer_service", StaffRole.CLERK))
    queue = f"/en/transactions/queue/{case.department_id}/"
    response = client.get(queue + "?scope=everything&sla_status=late&assignee=x&page=-4"
                                  "&kind=nothing-like-this&state=%E2%80%AE")
    assert response.status_code == 200
    assert response.context["scope"] == "all"
    # a NUL is no nonsense a person types: refused at the door (issue 8, amanah.input_guard)
    assert client.get(queue + "?state=%00").status_code == 400


def test_pages_of_25(client, world):
    for n in range(27):
        case_new(world, subject=f"خطاب {n}")
    client.force_login(world.staff("customer_service", StaffRole.CLERK))
    queue = f"/ar/transactions/queue/{world.department('customer_service').pk}/"
    first, second = client.get(queue), client.get(queue + "?page=2")
    assert (len(_numbers(first)), len(_numbers(second))) == (25, 2)
    assert set(_numbers(first)).isdisjoint(_numbers(second))
    assert 'href="?page=2"' in first.content.decode()


def test_a_queue_longer_than_the_count_cap_says_more_than_and_pages_through_the_cap(
        client, world, monkeypatch):
    # given a count cap of 4 and 6 open cases in customer service
    monkeypatch.setattr("amanah.pagination.COUNT_CAP", 4)
    for n in range(6):
        case_new(world, subject=f"خطاب {n}")
    client.force_login(world.staff("customer_service", StaffRole.CLERK))
    queue = f"/en/transactions/queue/{world.department('customer_service').pk}/"
    # when the clerk opens the queue
    response = client.get(queue)
    # then it says there are more than 4, and shows the first 4 only
    assert "More than 4 transactions, soonest deadline first" in response.content.decode()
    assert response.context["page"].paginator.is_count_capped is True
    assert len(_numbers(response)) == 4
    assert response.context["page"].has_next() is False
