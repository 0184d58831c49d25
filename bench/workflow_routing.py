"""Routing throughput: submitted cases routed by a real Celery worker (production settings, DEBUG
off) against no-op tasks through the same worker, interleaved round by round.

    python -m bench workflow_routing                 # 500 cases a round, 3 rounds (make bench)
    python -m bench workflow_routing --cases 10000 --rounds 3      # the full size
    options: --cases N (per round)  --rounds R (>= 3)
             --concurrency C (worker processes; default: the machine's cores)

Needs DATABASE_URL (PostgreSQL) and REDIS_URL. Works in a scratch database and on a Celery
queue, both named with this run's random suffix (`bench/_harness.py`); only that queue is purged.

One worker (prefork, `--concurrency C`, started with `production_env`) serves both sides, so
both have the same processes, prefetch (1), acknowledgement (acks_late) and result storage.
Worker settings are production's, for both sides: one process per core (routing is CPU and
round-trip bound, and more processes than cores only add switching on a loaded machine), and
prefetch multiplier 1 with acks_late (production's choice, so a long task never holds messages
another process could run). A larger prefetch is not measured here: it would cut the
per-message fetch, which is most of a no-op's time, so it would speed up the floor most. It
starts listening on an idle queue of its own; each measurement goes:

1. set-up, not timed: the side's N messages are published to the run's queue while the worker
   does not consume it (for the portal, N fresh submitted cases are created first, in bulk);
2. timed: from asking the worker to consume the queue (`add_consumer`, then a no-op on its idle
   queue that ends the worker's current blocking read, so it starts at once) until the last task
   has finished, polled every 10 ms; then the worker stops consuming it (`cancel_consumer`).

- **Portal**: `workflow.case_route(case_id=…)`, published as `task_on_commit` does. Finished when
  the database shows every case of the round routed (`routed_at` set).
- **Floor**: `amanah.noop(value=…)` with the same task options as routing (result stored,
  acks_late, routing's time limits). Finished when the result backend holds all N results.

Before the rounds, one untimed warm-up of each kind per worker process (imports, connections,
the per-process caches of the published version and the calendar). Rounds alternate portal,
floor, portal, floor …; each gives the ratio portal cases/s ÷ floor tasks/s (target ≥ 0.5). At
the end every case must be routed and the case audit chain must verify, else the exit is 1.
"""

import argparse
import os
import subprocess
import sys
import time
import uuid

from bench._harness import (
    ROOT,
    django_setup,
    interleaved,
    production_env,
    queue_name,
    scratch_database,
    workflow_world_create,
)

POLL_SECONDS = 0.01
TARGET = 0.5


def _world_create():
    """The municipalities, departments and published procedure, and one submitted case whose
    columns and first event every copy reuses."""
    from unittest import mock

    from amanah.models import Person
    from workflow.models import CaseEvent
    from workflow.services import case_submit

    _, branch, _ = workflow_world_create()
    person = Person.objects.create(national_id="1000000008", name_ar="مواطن", name_en="Citizen")
    # The template's own routing task is not sent: it is routed in the warm-up.
    with mock.patch("amanah.dispatch.TaskSend.__call__"):
        template = case_submit(kind="general_correspondence", municipality=branch,
                               subject="طلب", applicant_person=person)
    return template, CaseEvent.objects.get(case=template)


def _cases_create(template, first_event, count: int, batch: str) -> list[int]:
    """`count` fresh submitted, unrouted cases with valid first events (in bulk, not timed)."""
    from amanah import clock
    from workflow.enums import ActorKind, CaseEventKind
    from workflow.models import Case, CaseEvent

    fields = {f.attname: getattr(template, f.attname) for f in Case._meta.concrete_fields
              if f.attname not in ("id", "number", "last_event_hash", "last_event_seq")}
    prefix = template.number.rsplit("-", 1)[0]
    copies = Case.objects.bulk_create(
        [Case(**fields, number=f"{prefix}-{batch}{n:06d}") for n in range(count)],
        batch_size=2000)
    at = clock.now()
    events = []
    for case in copies:
        case.last_event_hash, case.last_event_seq = "", 0
        event = CaseEvent(kind=CaseEventKind.SUBMITTED, actor_kind=ActorKind.APPLICANT,
                          actor_role="applicant", to_state_id=first_event.to_state_id,
                          to_department_id=first_event.to_department_id,
                          to_status=first_event.to_status, at=at)
        event.link(case)
        events.append(event)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    Case.objects.bulk_update(copies, ["last_event_hash", "last_event_seq"], batch_size=2000)
    return [case.pk for case in copies]


class Worker:
    """The one Celery worker of the run; it consumes the run's queue only when told to."""

    def __init__(self, database: str, queue: str, concurrency: int):
        from amanah.celery import app

        self.app, self.queue = app, queue
        self.hostname = f"bench-{uuid.uuid4().hex[:8]}@localhost"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "amanah", "worker", "--pool=prefork",
             f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-Q", f"{queue}.idle",
             "-n", self.hostname],
            cwd=ROOT, env=production_env(database))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("the Celery worker exited at start")
            if app.control.ping(destination=[self.hostname], timeout=0.5):
                return
        self.stop()
        raise SystemExit("the Celery worker did not answer within 60 s")

    def _control(self, command: str) -> None:
        replies = getattr(self.app.control, command)(self.queue, destination=[self.hostname],
                                                     reply=True, timeout=10)
        if not replies:
            raise SystemExit(f"the Celery worker did not answer {command}")

    def _wake(self):
        """A no-op on the idle queue. The worker's blocking read of its queues (BRPOP, up to a
        second) started before the consumer changed; this ends it at once, so the next read
        takes the change into account — else up to a second of idle time per round would be
        timed, which dwarfs the floor's work at small sizes and flatters the portal."""
        from amanah.tasks import noop

        return noop.apply_async(kwargs={"value": 0}, queue=f"{self.queue}.idle",
                                ignore_result=False)

    def run(self, done) -> float:
        """Seconds from "consume the queue" until `done()` says the last task finished."""
        started = time.perf_counter()
        self._control("add_consumer")
        self._wake()
        while not done():
            time.sleep(POLL_SECONDS)
        elapsed = time.perf_counter() - started
        self._control("cancel_consumer")
        # The next side's messages must not be taken by a read still waiting on this queue.
        self._wake().get(timeout=30)
        return elapsed

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _routing_measure(worker: Worker, case_ids: list[int]) -> float:
    from workflow.models import Case
    from workflow.tasks import case_route

    for case_id in case_ids:
        case_route.apply_async(kwargs={"case_id": case_id}, queue=worker.queue)
    low, high, count = min(case_ids), max(case_ids), len(case_ids)
    # A round's cases are one id range (one bulk insert, no other writer): a cheap poll.
    round_cases = (Case.objects.filter(pk__gte=low, pk__lte=high) if high - low + 1 == count
                   else Case.objects.filter(pk__in=case_ids))
    return worker.run(lambda: round_cases.filter(routed_at__isnull=False).count() == count)


def _noop_measure(worker: Worker, count: int) -> float:
    from amanah.tasks import noop
    from workflow.tasks import case_route

    # Routing's time limits (its annotation), so that the worker arms the same timers; the
    # rest (acks_late, prefetch, result stored) is the same for both tasks already.
    annotation = worker.app.conf.task_annotations[case_route.name]
    limits = {"soft_time_limit": annotation["soft_time_limit"],
              "time_limit": annotation["time_limit"]}
    results = [noop.apply_async(kwargs={"value": n}, queue=worker.queue, ignore_result=False,
                                **limits) for n in range(count)]
    backend = worker.app.backend
    keys = [backend.get_key_for_task(r.id) for r in results]

    def done() -> bool:
        found = sum(backend.client.exists(*keys[i:i + 1000]) for i in range(0, len(keys), 1000))
        return found == count

    return worker.run(done)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench workflow_routing")
    parser.add_argument("--cases", type=int, default=500, help="cases (and no-ops) per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    options, _ = parser.parse_known_args(argv)
    django_setup()
    from amanah.events import audit_verify
    from workflow.models import Case

    queue = queue_name("routing")
    with scratch_database("routing") as database:
        print(f"workflow_routing: {options.cases} cases a round, {options.rounds} rounds, "
              f"worker concurrency {options.concurrency}, database {database}, queue {queue}",
              flush=True)
        template, first_event = _world_create()
        batches = {r: _cases_create(template, first_event, options.cases, f"{r:02d}")
                   for r in range(options.rounds)}
        warm = _cases_create(template, first_event, 4 * options.concurrency - 1, "99")
        worker = Worker(database, queue, options.concurrency)
        try:
            from kombu import Connection

            with Connection(worker.app.conf.broker_url) as connection:
                connection.default_channel.queue_purge(queue)  # this run's queue only
            _routing_measure(worker, [template.pk, *warm])
            _noop_measure(worker, 4 * options.concurrency)
            interleaved(
                name="workflow_routing: cases routed/s vs no-op tasks/s", unit="per s",
                higher_is_better=True, target=TARGET, rounds=options.rounds,
                portal=lambda r: options.cases / _routing_measure(worker, batches[r]),
                floor=lambda r: options.cases / _noop_measure(worker, options.cases))
        finally:
            worker.stop()
        expected = options.rounds * options.cases + len(warm) + 1
        routed = Case.objects.filter(routed_at__isnull=False).count()
        (audit,) = audit_verify(chain="case")
        print(f"  check: {routed}/{expected} cases routed; audit chain "
              f"{'OK' if audit.ok else 'BROKEN'} over {audit.checked} events", flush=True)
        return 0 if routed == expected and audit.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
