"""Pages flat at a million rows: the staff queue, the case page, the finance bill list and the
API's case list, timed in a small world and in a big one that differ only in table sizes.

    python -m bench pages                                   # 1,000 vs 50,000 (make bench)
    python -m bench pages --rows 1000000 --requests 50      # the full run of issue 13
    options: --rows N (big world) --small N (small world, 1,000) --requests R (per side and
             round, 30) --rounds K (interleaved rounds, 3) --comments C (on the case page, 1,000)

Needs DATABASE_URL (PostgreSQL). Works in two scratch databases of its own, `bench_pages_small_*`
and `bench_pages_big_*`, created and migrated from scratch (the same schema and indexes), and
dropped at the end even on error.

What each world holds (the same in both but for N):
- a department (customer service of one branch) with N open cases: one submitted and routed
  through the services, the others copied from it by one `INSERT … SELECT generate_series`,
  with deadlines and submission times spread out, each with copies of its two events
  (submitted, routed); the copies' hash chains are not valid links (the pages never verify
  them; `audit_verify` would say so);
- one more case in that department with C comments (`case_comment_add`, half by the head of
  department, half by the applicant), so 2 + C events;
- N bills of one municipality: one issued by `bill_issue`, the others copied from it by SQL,
  newest first by creation time;
- then ANALYZE, as autovacuum would do after such a load.
Building the big world's rows is timed and printed (indexes are maintained during the load:
the migrations create them, as in production).

What is timed: R GET requests in a row per side and round, through Django's test Client
in-process (every middleware, sessions in the database, templates rendered, DEBUG off,
settings amanah.settings.dev with DEBUG forced off), signed in as the department's head, who
is also the branch's cashier and holds a confirmed second factor (the session carries the
verified device, as django_otp.login leaves it). Between sides the database connection is
switched to the other world and two untimed requests warm it. The p95 of the R requests is
one measurement. `interleaved` runs big, small, big, small …; the ratio is
p95(big) / p95(small), target ≤ 1.5: a page is "flat" when a table a thousand times bigger
costs it at most half as much again.

Pages: the queue's first page (/ar/transactions/queue/<department>/), the case page with C
comments (/ar/transactions/cases/<id>/: its latest 50 timeline entries), the finance bill list
(/ar/payments/finance/bills/) and the API's case list (/api/v1/workflow/cases/). There is no
bill list in the API (only the public inquiry by number), so none is timed.
"""

from __future__ import annotations

import argparse
import time
from unittest import mock

from bench._harness import (
    django_setup,
    interleaved,
    percentiles,
    scratch_database,
    workflow_world_create,
)

DEFAULT_ROWS = 50_000
DEFAULT_SMALL = 1_000
DEFAULT_REQUESTS = 30
DEFAULT_ROUNDS = 3
DEFAULT_COMMENTS = 1_000
TARGET = 1.5
WARM_UP = 2


def _copies_insert(cursor, table: str, columns: list[str], *, template_id: int, rows: int,
                   varied: dict[str, str]) -> None:
    """`rows` copies of row `template_id` of `table`, each column as the template's except the
    id and those in `varied` (SQL over `t`, the template, and `g`, 1..rows)."""
    select = [varied.get(column, f't."{column}"') for column in columns]
    quoted = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(select)} '
                   f'FROM "{table}" t, generate_series(1, %s) g WHERE t.id = %s',
                   [rows, template_id])


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column != "id"]


def _world_build(*, rows: int, comments: int) -> dict:
    """The world described in the module docstring; returns what the requests need."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from amanah.enums import StaffRole
    from amanah.models import Department, Person
    from amanah.services import staff_membership_grant
    from payments.models import Bill
    from payments.services import bill_issue
    from workflow.models import Case, CaseEvent
    from workflow.services import case_comment_add, case_route, case_submit

    _, branch, eservice = workflow_world_create()
    applicant_user = get_user_model().objects.create_user(username="bench.applicant")
    person = Person.objects.create(national_id="1000000008", name_ar="مواطن", name_en="Citizen",
                                   user=applicant_user)
    head = get_user_model().objects.create_user(username="bench.head", first_name="Head")
    department = Department.objects.get(municipality=branch, code="customer_service")
    staff_membership_grant(user=head, department=department, role=StaffRole.HEAD)
    staff_membership_grant(user=head, department=Department.objects.get(
        municipality=branch, code="finance"), role=StaffRole.CASHIER)
    TOTPDevice.objects.create(user=head, name="bench authenticator", confirmed=True)

    # Routing and SADAD uploads are queued after commit; nothing is to run here.
    with mock.patch("amanah.dispatch.TaskSend.__call__"):
        template = case_submit(kind="general_correspondence", municipality=branch,
                               subject="طلب إفادة", applicant_person=person,
                               submitted_by=applicant_user)
        template = case_route(case_id=template.pk)
        busy = case_submit(kind="general_correspondence", municipality=branch,
                           subject="معاملة بتعليقات كثيرة", applicant_person=person,
                           submitted_by=applicant_user)
        busy = case_route(case_id=busy.pk)
        for n in range(comments):
            case_comment_add(case_id=busy.pk, actor=head if n % 2 else applicant_user,
                             body=f"تعليق رقم {n}: نص متوسط الطول يشبه ما يكتبه الموظفون.")
        bill = bill_issue(payable_kind="misc_fee", payable_ref="BENCH-1", municipality=branch,
                          eservice=eservice, payer_person=person, amount="150.00")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        _copies_insert(cursor, Case._meta.db_table, _columns(Case), template_id=template.pk,
                       rows=rows - 1, varied={
                           "number": "t.number || '-' || g",
                           "subject": "t.subject || ' ' || g",
                           "state_due_at": "t.state_due_at + mod(g, 20000) * interval '1 minute'",
                           "submitted_at": "t.submitted_at - g * interval '1 second'"})
        event_columns = _columns(CaseEvent)
        cursor.execute(
            f'INSERT INTO "{CaseEvent._meta.db_table}" '
            f'({", ".join(chr(34) + c + chr(34) for c in event_columns)}) '
            f'SELECT {", ".join("c.id" if col == "case_id" else "e." + chr(34) + col + chr(34) for col in event_columns)} '  # noqa: E501
            f'FROM "{Case._meta.db_table}" c JOIN "{CaseEvent._meta.db_table}" e '
            f"ON e.case_id = %s WHERE c.number LIKE %s",
            [template.pk, template.number.replace("_", r"\_") + "-%"])
        _copies_insert(cursor, Bill._meta.db_table, _columns(Bill), template_id=bill.pk,
                       rows=rows - 1, varied={
                           "billing_account": "(900000000000 + g)::text",
                           "payable_ref": "t.payable_ref || '-' || g",
                           "created_at": "t.created_at - g * interval '1 second'"})
        loaded = time.perf_counter() - started
        for model in (Case, CaseEvent, Bill):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    print(f"  {rows:,} cases (+{2 * (rows - 1):,} events) and {rows:,} bills loaded in "
          f"{loaded:.1f} s, analysed in {time.perf_counter() - started - loaded:.1f} s",
          flush=True)
    return {"head": head, "department": department, "busy": busy}


def _client_signed_in(user):
    """A test Client signed in as `user` with the staff second factor passed, its session in
    the current database."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def _use(database: str) -> None:
    """Point Django's default connection at `database` (closed now, opened on next use)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = database


# What one listed row (or timeline entry) looks like in each answer: counted on the warm-up
# answers, so that a page that quietly shows nothing cannot pass for a fast one.
_ROW_MARKERS = (b'class="wf-number"', b'class="wf-event ', b"<tr><td><span dir=\"ltr\"><a ",
                b'"number":')


def _rows_shown(content: bytes) -> int:
    return max(content.count(marker) for marker in _ROW_MARKERS)


def _p95_ms(client, url: str, requests: int) -> tuple[float, tuple[int, int]]:
    """p95 (ms) of `requests` GETs of `url`, after WARM_UP untimed ones; and the page's
    (size in bytes, rows shown)."""
    shown = (0, 0)
    for _ in range(WARM_UP):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        shown = (len(response.content), _rows_shown(response.content))
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return percentiles(samples, (95,))[95], shown


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pages", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--small", type=int, default=DEFAULT_SMALL)
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS)
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--comments", type=int, default=DEFAULT_COMMENTS)
    args = parser.parse_args(argv)
    django_setup()

    with scratch_database("pages_small") as small, scratch_database("pages_big") as big:
        try:
            _run(args, small, big)
        finally:
            # Back to the big world's own database, so that leaving the blocks drops each.
            _use(big)
    return 0


def _run(args, small: str, big: str) -> None:
    worlds: dict[str, dict] = {}
    for label, name, rows in (("small", small, args.small), ("big", big, args.rows)):
        _use(name)
        print(f"building the {label} world in {name}", flush=True)
        world = _world_build(rows=rows, comments=args.comments)
        world["client"] = _client_signed_in(world["head"])
        world["database"] = name
        worlds[label] = world
    pages = {
        "staff queue, first page": lambda w: f"/ar/transactions/queue/{w['department'].pk}/",
        f"case page, {args.comments:,} comments": lambda w: (
            f"/ar/transactions/cases/{w['busy'].pk}/"),
        "finance bill list, first page": lambda w: "/ar/payments/finance/bills/",
        "API case list, first page": lambda w: "/api/v1/workflow/cases/",
    }
    sizes = {}

    def side(label: str, page: str):
        def measure(_round: int) -> float:
            world = worlds[label]
            _use(world["database"])
            p95, sizes[label, page] = _p95_ms(world["client"], pages[page](world),
                                              args.requests)
            return p95
        return measure

    for page in pages:
        print(f"\n{page}: p95 of {args.requests} requests, {args.rows:,} rows (portal) vs "
              f"{args.small:,} (floor)", flush=True)
        interleaved(name=f"pages: {page}", unit="ms p95", higher_is_better=False,
                    target=TARGET, rounds=args.rounds, portal=side("big", page),
                    floor=side("small", page))
        (big_size, big_rows), (small_size, small_rows) = sizes["big", page], sizes["small", page]
        print(f"  page: {big_size / 1024:.0f} KB, {big_rows} rows at {args.rows:,}; "
              f"{small_size / 1024:.0f} KB, {small_rows} rows at {args.small:,}", flush=True)
