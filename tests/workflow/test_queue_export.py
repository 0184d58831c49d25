"""A department's queue as a file: every case the page lists with the same filters, in the
queue's order, for the department's members only."""

import csv
import io

from django.http import StreamingHttpResponse

from amanah.enums import StaffRole
from amanah.models import ExportLog
from workflow.enums import SlaStatus
from workflow.models import Case
from workflow.services import case_claim

from .factories import case_new


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def _page_numbers(client, url: str) -> list[str]:
    numbers, page = [], 1
    while True:
        context = client.get(url + ("&" if "?" in url else "?") + f"page={page}").context
        numbers += [case.number for case in context["page"].object_list]
        if not context["page"].has_next():
            return numbers
        page += 1


def test_the_queue_export_holds_every_page_of_the_queue_in_its_order(client, world):
    # given 27 letters in customer service, two of them overdue
    letters = [case_new(world, subject=f"=خطاب {n}") for n in range(27)]
    Case.objects.filter(pk__in=[letters[3].pk, letters[9].pk]).update(
        sla_status=SlaStatus.OVERDUE)
    clerk = world.staff("customer_service", StaffRole.CLERK)
    client.force_login(clerk)
    department = world.department("customer_service")
    queue = f"/ar/transactions/queue/{department.pk}/"
    export = f"/ar/transactions/exports/queue/{department.pk}.csv"
    # when the clerk exports the whole queue, then the overdue ones
    every = _rows(client.get(export))
    overdue = _rows(client.get(export + "?sla_status=overdue&scope=all"))
    # then each file holds what the page lists over all its pages, in the page's order
    assert [row[0] for row in every[1:]] == _page_numbers(client, queue)
    assert len(every) == 28
    assert [row[0] for row in overdue[1:]] == _page_numbers(client, queue + "?sla_status=overdue")
    assert {row[0] for row in overdue[1:]} == {letters[3].number, letters[9].number}
    # in Arabic, with the subject's leading "=" neutralised
    assert every[0][:5] == ["رقم المعاملة", "الموضوع", "النوع", "مقدم الطلب", "الخطوة"]
    assert every[1][1].startswith("'=خطاب ")
    # and the export was recorded with its filters
    log = ExportLog.objects.filter(list_name="queue").latest("pk")
    assert (log.user_id, log.row_count, log.filters["sla_status"], log.filters["department"]) \
        == (clerk.pk, 2, "overdue", department.pk)


def test_the_mine_tab_exports_only_the_clerks_cases_with_english_headers(client, world):
    letters = [case_new(world) for _ in range(3)]
    clerk = world.staff("customer_service", StaffRole.CLERK)
    case_claim(case_id=letters[1].pk, actor=clerk)
    client.force_login(clerk)
    department = world.department("customer_service")
    rows = _rows(client.get(f"/en/transactions/exports/queue/{department.pk}.csv?scope=mine"))
    assert rows[0] == ["Number", "Subject", "Kind", "Applicant", "Step", "Assignee", "Deadline",
                       "Step due", "Step due (Hijri)", "Submitted at"]
    assert [row[0] for row in rows[1:]] == [letters[1].number]
    assert rows[1][5] == (clerk.get_full_name() or clerk.username)


def test_a_clerk_exports_only_their_own_departments_queue(client, world):
    # given a case in customer service and a clerk of licensing
    case_new(world)
    licensing_clerk = world.staff("licensing", StaffRole.CLERK)
    client.force_login(licensing_clerk)
    customer_service = world.department("customer_service")
    # when the licensing clerk asks for customer service's queue
    response = client.get(f"/ar/transactions/exports/queue/{customer_service.pk}.csv")
    # then they are refused, and nothing was recorded as exported
    assert response.status_code == 403
    assert ExportLog.objects.count() == 0
    # while their own department's queue exports (empty)
    own = world.department("licensing")
    assert len(_rows(client.get(f"/ar/transactions/exports/queue/{own.pk}.csv"))) == 1


def test_a_citizen_is_refused_and_nothing_is_recorded(client, world):
    case = case_new(world)
    client.force_login(world.applicant.user)
    response = client.get(f"/ar/transactions/exports/queue/{case.department_id}.xlsx")
    assert response.status_code == 403
    assert ExportLog.objects.count() == 0


def test_the_queue_page_links_to_its_export_with_its_filters(client, world):
    case = case_new(world)
    client.force_login(world.staff("customer_service", StaffRole.CLERK))
    html = client.get(f"/ar/transactions/queue/{case.department_id}/?scope=mine"
                      "&sla_status=overdue").content.decode()
    # the list is empty with these filters, so no link; without them, the links carry them
    assert "exports/queue" not in html
    html = client.get(f"/ar/transactions/queue/{case.department_id}/?scope=all").content.decode()
    assert (f'href="/ar/transactions/exports/queue/{case.department_id}.csv?scope=all"'
            in html)
    assert (f'href="/ar/transactions/exports/queue/{case.department_id}.xlsx?scope=all"'
            in html)
