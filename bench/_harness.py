"""What every benchmark shares, so that none of them can flatter the portal.

- **Interleaved rounds.** `interleaved()` runs the portal's side and its floor one after the other,
  round after round (A B A B …, at least three rounds), so a burst of noise on this shared machine
  falls on both sides instead of on one. Each round gives one ratio; the report prints the
  min/median/max of the ratios, never a single best run.
- **The machine's state is printed.** The load average before and after, so a reader can tell a
  quiet run from a noisy one.
- **Nothing shared is touched.** Scratch databases and queue names carry a random suffix made once
  per run, and are dropped at the end, even on error: two runs on one server cannot meet.
- **Production-like settings.** DEBUG is off in-process (no query log growing in memory), and the
  subprocess settings the benchmarks start (gunicorn, Celery) come from `production_env()`.

Floors must do the same work as the portal (the same rows, the same durability, the same
parallelism); that part is each benchmark's own responsibility and is said in its docstring.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One suffix per process: every scratch database and queue of this run carries it.
RUN_SUFFIX = secrets.token_hex(4)


def django_setup(settings_module: str = "amanah.settings.dev", *,
                 celery_eager: bool = False) -> None:
    """Django on PostgreSQL with DEBUG off, whatever the settings module says."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true" if celery_eager else "false"
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("benchmarks need DATABASE_URL pointing at PostgreSQL")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    # Belt and braces: a settings module that ignores DJANGO_DEBUG still must not log queries.
    settings.DEBUG = False


def scratch_name(label: str) -> str:
    return f"bench_{label}_{RUN_SUFFIX}"


@contextlib.contextmanager
def scratch_database(label: str) -> Iterator[str]:
    """Create and migrate `bench_<label>_<suffix>` on the server of DATABASE_URL, point Django's
    default connection at it, and drop it when the block ends (also on error or Ctrl-C)."""
    from django.db import connection

    original = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = scratch_name(label)
    # autoclobber is safe only because the name is this run's own.
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield name
    finally:
        connection.close()
        connection.creation.destroy_test_db(original, verbosity=0)


def queue_name(label: str) -> str:
    """A Celery queue of this run's own; purge only this one, never the default queue."""
    return f"bench.{label}.{RUN_SUFFIX}"


def database_url(name: str) -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def psycopg2_connect(name: str):
    import psycopg2
    from django.db import connection

    s = connection.settings_dict
    return psycopg2.connect(dbname=name, user=s["USER"] or "postgres",
                            password=s.get("PASSWORD") or None, host=s["HOST"] or "127.0.0.1",
                            port=s["PORT"] or 5432)


def production_env(database: str, **extra: str) -> dict[str, str]:
    """Environment for a subprocess running the portal with production settings (DEBUG off)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "amanah.settings.production",
           "DATABASE_URL": database_url(database), "DATABASE_CONN_MAX_AGE": "60",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SECURE_SSL_REDIRECT": "false",
           "SADAD_INBOUND_KEYS": "bench-inbound-" + secrets.token_hex(16),
           "SADAD_OUTBOUND_KEY": secrets.token_hex(32),
           # Production refuses to start without an identity provider; benchmarks never call it.
           "NAFATH_BASE_URL": "https://nafath.invalid", "NAFATH_APP_ID": "bench",
           "NAFATH_APP_KEY": secrets.token_hex(16),
           "CELERY_TASK_ALWAYS_EAGER": "false", "LOG_LEVEL": "WARNING"}
    env.update(extra)
    return env


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


@dataclass
class Comparison:
    """Ratios of the portal to its floor, one per round. `higher_is_better` says which way the
    ratio reads: throughput ratios (portal/floor, target ≥ x) or time ratios (portal/floor,
    target ≤ x)."""

    name: str
    unit: str
    higher_is_better: bool
    target: float
    portal: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    load_before: str = ""
    load_after: str = ""

    @property
    def ratios(self) -> list[float]:
        return [p / f for p, f in zip(self.portal, self.floor, strict=True)]

    @property
    def met(self) -> bool:
        median = statistics.median(self.ratios)
        return median >= self.target if self.higher_is_better else median <= self.target

    def report(self) -> str:
        def spread(values: list[float]) -> str:
            return (f"min {min(values):.4g}  median {statistics.median(values):.4g}  "
                    f"max {max(values):.4g}")

        way = "≥" if self.higher_is_better else "≤"
        lines = [
            f"{self.name}  ({len(self.ratios)} interleaved rounds; load before {self.load_before},"
            f" after {self.load_after})",
            f"  portal {self.unit}: {spread(self.portal)}",
            f"  floor  {self.unit}: {spread(self.floor)}",
            f"  ratio portal/floor: {spread(self.ratios)}   target {way} {self.target}: "
            + ("met" if self.met else "NOT met"),
        ]
        return "\n".join(lines)


def interleaved(*, name: str, unit: str, higher_is_better: bool, target: float, rounds: int,
                portal: Callable[[int], float], floor: Callable[[int], float]) -> Comparison:
    """Run portal, floor, portal, floor … `rounds` times each and compare them round by round.

    Each callable takes the round number (so it can use fresh data for that round) and returns one
    measurement in `unit` (a rate or a time; only what happens inside it is timed, so set-up such
    as building request bodies belongs outside the timed part of the callable).
    """
    if rounds < 3:
        raise SystemExit("at least three interleaved rounds: one round cannot show noise")
    comparison = Comparison(name=name, unit=unit, higher_is_better=higher_is_better,
                            target=target, load_before=load_average())
    for round_number in range(rounds):
        comparison.portal.append(portal(round_number))
        comparison.floor.append(floor(round_number))
        print(f"  round {round_number + 1}/{rounds}: portal {comparison.portal[-1]:.4g} "
              f"floor {comparison.floor[-1]:.4g} {unit}  (load {load_average()})", flush=True)
    comparison.load_after = load_average()
    print(comparison.report(), flush=True)
    return comparison


def percentiles(samples: list[float],
                points: tuple[float, ...] = (50, 95, 99)) -> dict[float, float]:
    """Nearest-rank percentiles of `samples` (which need not be sorted)."""
    ordered = sorted(samples)
    if not ordered:
        return {p: float("nan") for p in points}
    result = {}
    for p in points:
        rank = max(1, int(-(-p * len(ordered) // 100)))  # ceil(p/100 * n), at least 1
        result[p] = ordered[min(rank, len(ordered)) - 1]
    return result


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def workflow_world_create():
    """What a workflow benchmark starts from: an Amanah and one branch, each with the usual six
    departments, the general-correspondence procedure published and its e-service live in the
    branch. Returns (amanah, branch, eservice)."""
    from amanah.enums import MunicipalityKind, OwningApp, RolloutState
    from amanah.models import Department, EService, EServiceRollout, Municipality
    from workflow.demo_definitions import GENERAL_CORRESPONDENCE
    from workflow.services import definition_import

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
    return amanah, branch, eservice
