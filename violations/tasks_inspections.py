"""Celery tasks of the inspections part: ids in, services called, idempotent, swept; and the
part's seams (sample handler, periodic plans), registered from the app's ready()."""


def register() -> None:
    """Called once from ViolationsConfig.ready()."""
