"""The staff queue and the finance bill list read their first page through an index in the
list's own order: on PostgreSQL, with tables big enough for the planner to care (tens of
thousands of rows, statistics fresh), neither plan scans the cases or bills table whole.

The rows are copied from one real case (one real bill) by a single INSERT … SELECT
generate_series; the plan is the planner's own choice (nothing is switched off)."""

import pytest
from django.db import connection

from amanah.enums import StaffRole
from amanah.services import staff_membership_grant
from payments import selectors as payment_selectors
from payments.models import Bill
from tests.payments.factories import bill_make
from tests.workflow.factories import case_new, world_build
from workflow import selectors as workflow_selectors
from workflow.models import Case

ROWS = 30_000


def _copies_insert(model, template_pk: int, rows: int, *, varied: dict[str, str]) -> None:
    """`rows` copies of one row of `model`'s table, each column as the template's except the
    id and those in `varied` (SQL over `t`, the template, and `g`, 1..rows); then ANALYZE."""
    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
    select = [varied.get(column, f't."{column}"') for column in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
            f'SELECT {", ".join(select)} FROM "{table}" t, generate_series(1, %s) g '
            f"WHERE t.id = %s", [rows, template_pk])
        cursor.execute(f'ANALYZE "{table}"')


def _plan(queryset) -> str:
    return queryset.explain()


def _assert_index_read(plan: str, *, table: str, index: str) -> None:
    """Read through `index` (in its order: no sort of the table's rows), never scanned whole."""
    assert f"Seq Scan on {table}" not in plan, plan
    assert f"using {index} on {table}" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.django_db
def test_queue_page_and_its_count_read_the_open_queue_index():
    # given a department with 30,001 open cases, deadlines spread over three weeks, as many
    # closed ones, and as many open cases of another department
    world = world_build()
    case = case_new(world)
    other = world.department("legal", case.municipality)
    _copies_insert(Case, case.pk, ROWS, varied={
        "number": "t.number || '-' || g",
        "state_due_at": "t.state_due_at + g * interval '1 minute'",
        "submitted_at": "t.submitted_at - g * interval '1 second'"})
    _copies_insert(Case, case.pk, ROWS, varied={
        "number": "t.number || '-closed-' || g", "category": "'closed'"})
    _copies_insert(Case, case.pk, ROWS, varied={
        "number": "t.number || '-other-' || g", "department_id": str(other.pk)})
    head = world.staff(case.department.code, StaffRole.HEAD, case.department.municipality)
    # when the department head opens the queue
    page = workflow_selectors.case_queue_for_department(department=case.department, user=head,
                                                        per_page=25)
    # then the page is read through the open-queue index, and the count stops at 10,001
    assert page.paginator.count == 10_001
    assert page.paginator.is_count_capped is True
    _assert_index_read(_plan(page.object_list), table="workflow_case",
                       index="case_open_queue_idx")
    # (the count needs no order: any index of the department will do, never the whole table)
    count_rows = page.paginator.object_list.order_by().values("pk")[:10_001]
    assert "Seq Scan on workflow_case" not in _plan(count_rows)
    # and with closed cases included, through the department's whole-queue index
    page = workflow_selectors.case_queue_for_department(department=case.department, user=head,
                                                        include_closed=True, per_page=25)
    _assert_index_read(_plan(page.object_list), table="workflow_case",
                       index="case_department_queue_idx")


@pytest.mark.django_db
def test_queue_tabs_mine_and_unassigned_are_read_through_an_index():
    # given a department with 30,000 open cases held by its head, 300 by a clerk, 301
    # unassigned, and 30,000 closed (by the head)
    world = world_build()
    case = case_new(world)
    clerk = world.staff(case.department.code, StaffRole.CLERK, case.department.municipality)
    head = world.staff(case.department.code, StaffRole.HEAD, case.department.municipality)
    for label, assignee, rows in (("head", head, ROWS), ("clerk", clerk, 300),
                                  ("nobody", None, 300)):
        _copies_insert(Case, case.pk, rows, varied={
            "number": f"t.number || '-{label}-' || g",
            "assignee_id": str(assignee.pk) if assignee else "NULL",
            "state_due_at": "t.state_due_at + g * interval '1 minute'"})
    _copies_insert(Case, case.pk, ROWS, varied={
        "number": "t.number || '-closed-' || g", "category": "'closed'",
        "assignee_id": str(head.pk)})
    # when the clerk opens the "assigned to me" and "unassigned" tabs
    for scope in ("mine", "unassigned"):
        page = workflow_selectors.case_queue_for_department(
            department=case.department, user=clerk, scope=scope, per_page=25)
        # then each first page is read through an index, never the whole table: the open
        # queue's in its order, or (few rows match) the assignee's, then those rows sorted
        plan = _plan(page.object_list)
        assert "Seq Scan on workflow_case" not in plan, plan
        assert ("using case_open_queue_idx on workflow_case" in plan
                or "using workflow_case_assignee_id_c1bff559 on workflow_case" in plan), plan


@pytest.mark.django_db
def test_api_case_list_for_one_department_reads_the_department_queue_index():
    # given a department with 30,001 cases and another department with as many
    world = world_build()
    case = case_new(world)
    other = world.department("legal", case.municipality)
    _copies_insert(Case, case.pk, ROWS, varied={
        "number": "t.number || '-' || g",
        "state_due_at": "t.state_due_at + g * interval '1 minute'"})
    _copies_insert(Case, case.pk, ROWS, varied={
        "number": "t.number || '-other-' || g", "department_id": str(other.pk)})
    clerk = world.staff(case.department.code, StaffRole.CLERK, case.department.municipality)
    # when its clerk's case list (the API's) is read, first page
    cases = workflow_selectors.case_list_for_caller(user=clerk)[:50]
    # then it is read through the department's queue index
    _assert_index_read(_plan(cases), table="workflow_case", index="case_department_queue_idx")


@pytest.mark.django_db
def test_bill_list_page_reads_the_municipality_list_index():
    # given 30,001 bills in one municipality and as many in each of three others
    bill = bill_make(registered=False)
    others = [bill_make(registered=False) for _ in range(3)]
    _copies_insert(Bill, bill.pk, ROWS, varied={
        "billing_account": "(900000000000 + g)::text",
        "created_at": "t.created_at - g * interval '1 second'"})
    for n, other in enumerate(others, start=1):
        _copies_insert(Bill, other.pk, ROWS, varied={
            "billing_account": f"({n}00000000000 + g)::text",
            "created_at": "t.created_at - g * interval '1 second'"})
    # when finance staff of that municipality list its bills (and all bills, Amanah-wide)
    one = payment_selectors.bill_list_for_staff(municipality_ids=frozenset({bill.municipality_id}))
    every = payment_selectors.bill_list_for_staff(municipality_ids=None)
    # then each first page is read through its index, newest first
    _assert_index_read(_plan(one[:25]), table="payments_bill", index="bill_municipality_list_idx")
    _assert_index_read(_plan(every[:25]), table="payments_bill", index="bill_list_idx")


@pytest.mark.django_db
def test_an_applicants_own_case_list_is_not_a_scan_of_every_case():
    # given 30,001 cases of other people (copies of one case, given to another applicant)
    world = world_build()
    case = case_new(world)
    _copies_insert(Case, case.pk, ROWS, varied={
        "number": "t.number || '-' || g",
        "applicant_person_id": str(world.other_citizen.pk),
        "submitted_by_id": str(world.other_citizen.user.pk)})
    # when the applicant's own list is read (their tracker and the API's list)
    cases = workflow_selectors.case_list_for_applicant(user=world.applicant.user)
    # then the cases table is read through its indexes, never whole
    plan = _plan(cases[:20])
    assert "Seq Scan on workflow_case" not in plan, plan
    assert [c.pk for c in cases] == [case.pk]


@pytest.mark.django_db
def test_a_citizens_own_bills_and_receipts_are_not_a_scan_of_every_bill():
    # given 30,001 bills of other payers and one of the citizen
    mine = bill_make(registered=False)
    other = bill_make(registered=False)
    _copies_insert(Bill, other.pk, ROWS, varied={
        "billing_account": "(900000000000 + g)::text",
        "created_at": "t.created_at - g * interval '1 second'"})
    # when the citizen's bills and receipts are listed
    bills = payment_selectors.bill_list_for_person(person=mine.payer_person)
    receipts = payment_selectors.receipt_list_for_person(person=mine.payer_person)
    # then the bills table is read through its indexes, never whole
    for plan in (_plan(bills[:25]), _plan(receipts[:25])):
        assert "Seq Scan on payments_bill" not in plan, plan
    assert [b.pk for b in bills] == [mine.pk]


@pytest.mark.django_db
def test_api_case_list_of_staff_in_two_departments_is_not_a_sort_of_all_their_cases():
    # given a head of two departments, each holding 30,001 cases
    world = world_build()
    case = case_new(world)
    other = world.department("legal", case.municipality)
    head = world.staff(case.department.code, StaffRole.HEAD, case.department.municipality)
    staff_membership_grant(user=head, department=other, role=StaffRole.HEAD)
    for label, department in (("here", case.department), ("there", other)):
        _copies_insert(Case, case.pk, ROWS, varied={
            "number": f"t.number || '-{label}-' || g", "department_id": str(department.pk),
            "state_due_at": "t.state_due_at + g * interval '1 minute'"})
    # when the head's case list (the API's) is read, first page
    cases = workflow_selectors.case_list_for_caller(user=head)[:50]
    # then the cases are read in the queue's order through an index, not sorted
    _assert_index_read(_plan(cases), table="workflow_case", index="case_queue_order_idx")


@pytest.mark.django_db
def test_bill_list_search_by_number_or_payer_is_not_a_scan_of_every_bill():
    # given 30,001 bills of one payer in one municipality and one bill of another payer
    bill = bill_make(registered=False)
    wanted = bill_make(registered=False, municipality=bill.municipality)
    _copies_insert(Bill, bill.pk, ROWS, varied={
        "billing_account": "(900000000000 + g)::text",
        "created_at": "t.created_at - g * interval '1 second'"})
    scope = frozenset({bill.municipality_id})
    # when finance staff search by the bill's number, and by its payer's national ID
    for query in (wanted.billing_account, wanted.payer_person.national_id):
        bills = payment_selectors.bill_list_for_staff(municipality_ids=scope, query=query)
        plan = _plan(bills[:25])
        # then the few matching bills are found through indexes (never by walking every
        # bill of the municipality, newest first, testing each), and the one bill is found
        assert "Seq Scan on payments_bill" not in plan, plan
        assert "list_idx on payments_bill" not in plan, plan
        assert [b.pk for b in bills] == [wanted.pk]
