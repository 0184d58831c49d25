"""The re-inspection plan runs as a Celery task on a real worker (real Redis, PostgreSQL)."""

import datetime as dt
import time

import pytest

from amanah import clock
from amanah.celery import app
from amanah.dates import business_date
from tests.conftest import _worker_idle_wait
from tests.violations.factories import submitted_inspection_make, violations_world
from violations.enums import InspectionKind, InspectionStatus, ViolationEventKind
from violations.models import Inspection, Violation
from violations.tasks_inspections import reinspections_plan

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_reinspection_task_plans_on_a_real_worker(real_worker):
    # given a warning whose correction date has passed (the worker keeps the real time)
    world = violations_world()
    _, (warning,) = submitted_inspection_make(world, no=("WARN",))
    yesterday = business_date(clock.now()) - dt.timedelta(days=1)
    Violation.objects.filter(pk=warning.pk).update(correction_due=yesterday)
    # when the worker runs the task, twice
    reinspections_plan.delay()
    reinspections_plan.delay()
    # then one re-inspection was planned, and the warning says so
    assert _wait_for(lambda: warning.events.filter(
        kind=ViolationEventKind.REINSPECTION_PLANNED).exists())
    _worker_idle_wait(app, real_worker)  # and the second run has finished too
    planned = Inspection.objects.get(kind=InspectionKind.REINSPECTION)
    assert (planned.status, planned.follows_notice_id, planned.only_item_codes,
            planned.planned_for) == (InspectionStatus.PLANNED, warning.pk, ["WARN"], yesterday)
    assert warning.events.filter(kind=ViolationEventKind.REINSPECTION_PLANNED).count() == 1


def _wait_for(check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()
