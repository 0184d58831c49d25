"""Routing throughput: N submitted cases routed by a real Celery worker on Redis, against the
same N no-op tasks through the same worker in the same run (the queue's own floor).

    python -m bench workflow_routing [--cases 10000] [--concurrency 2]

Needs DATABASE_URL (PostgreSQL) and REDIS_URL. Works in a scratch database `bench_<name>`
created and dropped on the server of DATABASE_URL, and on a queue of its own, so it never
touches the data or the workers of anyone else.
"""

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amanah.settings.dev")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("workflow_routing needs DATABASE_URL pointing at PostgreSQL")
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("workflow_routing needs REDIS_URL")
    import django

    django.setup()


def _scratch_database_create() -> tuple[str, str]:
    """Create and migrate the scratch database; returns (its name, the original name)."""
    from django.db import connection

    original = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{original}"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True,
                                              serialize=False)
    return name, original


def _database_url(name: str) -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _worker_start(database: str, queue: str, concurrency: int) -> tuple[subprocess.Popen, str]:
    from amanah.celery import app

    hostname = f"bench-{uuid.uuid4().hex[:8]}@localhost"
    # A worker keeps its database connection between tasks, as a deployed one should
    # (override with DATABASE_CONN_MAX_AGE=0 to measure connect-per-task).
    env = {**os.environ, "DATABASE_URL": _database_url(database),
           "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
           "CELERY_TASK_ALWAYS_EAGER": "false", "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "amanah", "worker", "--pool=prefork",
         f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-Q", queue, "-n", hostname],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the Celery worker exited at start")
        if app.control.ping(destination=[hostname], timeout=0.5):
            return process, hostname
    process.kill()
    raise SystemExit("the Celery worker did not answer within 60 s")


def _cases_create(count: int) -> list[int]:
    """`count` submitted, unrouted cases with valid first events, created in bulk."""
    from unittest import mock

    from amanah import clock
    from amanah.enums import MunicipalityKind, OwningApp, RolloutState
    from amanah.models import Department, EService, EServiceRollout, Municipality, Person
    from workflow.demo_definitions import GENERAL_CORRESPONDENCE
    from workflow.enums import ActorKind, CaseEventKind
    from workflow.models import Case, CaseEvent
    from workflow.services import case_submit, definition_import

    amanah = Municipality.objects.create(code="BEPA", name_ar="أمانة", name_en="Amanah",
                                         kind=MunicipalityKind.AMANAH)
    branch = Municipality.objects.create(code="BKHB", name_ar="بلدية", name_en="Branch",
                                         kind=MunicipalityKind.BRANCH, parent=amanah)
    for municipality in (amanah, branch):
        for code in ("customer_service", "licensing", "engineering", "inspection", "legal",
                     "finance"):
            Department.objects.create(municipality=municipality, code=code, name_ar=code,
                                      name_en=code)
    # The procedure serves its e-service, which must be offered where the cases start.
    eservice, _ = EService.objects.get_or_create(
        code=GENERAL_CORRESPONDENCE["eservice"],
        defaults={"name_ar": GENERAL_CORRESPONDENCE["name_ar"],
                  "name_en": GENERAL_CORRESPONDENCE["name_en"], "owning_app": OwningApp.WORKFLOW})
    EServiceRollout.objects.create(eservice=eservice, municipality=branch,
                                   state=RolloutState.LIVE)
    definition_import(data=GENERAL_CORRESPONDENCE, municipality=amanah, publish=True)
    person = Person.objects.create(national_id="1000000008", name_ar="مواطن", name_en="Citizen")
    with mock.patch("amanah.dispatch.TaskSend.__call__"):
        template = case_submit(kind="general_correspondence", municipality=branch,
                               subject="طلب", applicant_person=person)
    fields = {f.attname: getattr(template, f.attname) for f in Case._meta.concrete_fields
              if f.attname not in ("id", "number")}
    prefix = template.number.rsplit("-", 1)[0]
    copies = Case.objects.bulk_create(
        [Case(**{**fields, "number": f"{prefix}-{n:06d}"}) for n in range(2, count + 1)],
        batch_size=2000)
    first = CaseEvent.objects.get(case=template)
    at = clock.now()
    events = []
    for case in copies:
        case.last_event_hash, case.last_event_seq = "", 0
        event = CaseEvent(kind=CaseEventKind.SUBMITTED, actor_kind=ActorKind.APPLICANT,
                          actor_role="applicant", to_state_id=first.to_state_id,
                          to_department_id=first.to_department_id,
                          to_status=first.to_status, at=at)
        event.link(case)
        events.append(event)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    Case.objects.bulk_update(copies, ["last_event_hash", "last_event_seq"], batch_size=2000)
    return [template.pk] + [c.pk for c in copies]


def _timed(send, count: int, queue: str) -> float:
    from celery.result import ResultSet

    started = time.perf_counter()
    results = ResultSet([send(i, queue) for i in range(count)])
    results.join_native(timeout=3600, propagate=True)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench workflow_routing")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    options, _ = parser.parse_known_args(argv)
    _django_setup()
    from django.db import connection

    from amanah.events import audit_verify
    from amanah.tasks import noop
    from workflow.models import Case
    from workflow.tasks import case_route

    database, original = _scratch_database_create()
    queue = f"bench-workflow-{uuid.uuid4().hex[:8]}"
    worker = None
    try:
        print(f"workflow_routing: {options.cases} cases, worker concurrency "
              f"{options.concurrency}, worker DATABASE_CONN_MAX_AGE="
              f"{os.environ.get('DATABASE_CONN_MAX_AGE', '60')}, scratch database {database}")
        started = time.perf_counter()
        case_ids = _cases_create(options.cases)
        print(f"  created {len(case_ids)} submitted cases in "
              f"{time.perf_counter() - started:.1f} s (setup, not measured)")
        worker, _ = _worker_start(database, queue, options.concurrency)
        # Warm both paths once, so neither figure pays for imports or first connections.
        noop.apply_async(args=[0], queue=queue).get(timeout=60)
        baseline = _timed(lambda i, q: noop.apply_async(args=[i], queue=q, ignore_result=False),
                          options.cases, queue)
        routing = _timed(lambda i, q: case_route.apply_async(args=[case_ids[i]], queue=q),
                         options.cases, queue)
        routed = Case.objects.filter(routed_at__isnull=False).count()
        (audit,) = audit_verify(chain="case")
        noop_rate, route_rate = options.cases / baseline, options.cases / routing
        print(f"  no-op tasks : {baseline:8.2f} s  {noop_rate:9.1f} tasks/s  (baseline)")
        print(f"  case routing: {routing:8.2f} s  {route_rate:9.1f} cases/s")
        print(f"  ratio       : routing runs at {route_rate / noop_rate:.3f} of the no-op rate "
              f"({routing / baseline:.2f}x the baseline time)")
        print(f"  check       : {routed}/{options.cases} routed; audit chain "
              f"{'OK' if audit.ok else 'BROKEN'} over {audit.checked} events")
        return 0 if routed == options.cases and audit.ok else 1
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
