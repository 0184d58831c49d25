"""Celery tasks of the inspections part: ids in, services called, idempotent, swept; and the
part's seams (permits' sample handler, the periodic plans), registered from the app's ready().

The re-inspection plan is its own sweeper (it finds every warning still without one) and the
routine plan is daily; the samples handed over here are swept by permits' sampling sweeper."""

from celery import shared_task
from celery.schedules import crontab

from .planning import reinspections_plan as _reinspections_plan
from .planning import routine_plan_make as _routine_plan_make

REINSPECTIONS_TASK = "violations.reinspections_plan"
ROUTINE_TASK = "violations.routine_plan"


@shared_task(name=REINSPECTIONS_TASK)
def reinspections_plan() -> int:
    return _reinspections_plan()


@shared_task(name=ROUTINE_TASK)
def routine_plan() -> int:
    return _routine_plan_make()


def register() -> None:
    """Called once from ViolationsConfig.ready()."""
    from amanah.celery import periodic_task_register
    from permits.public import sample_inspection_handler_register

    from .planning import sample_inspection_take

    sample_inspection_handler_register(sample_inspection_take)
    # Hourly, not daily: a warning due today is planned within the hour, and a run lost to a
    # restart is made up by the next one.
    periodic_task_register("violations-reinspections-plan", REINSPECTIONS_TASK, 3600.0)
    periodic_task_register("violations-routine-plan", ROUTINE_TASK,
                           crontab(hour=2, minute=30))
