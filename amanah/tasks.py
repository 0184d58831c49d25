from celery import shared_task


@shared_task(name="amanah.noop", ignore_result=False)
def noop(value: int = 0) -> int:
    """Does nothing: the queue's own floor in benchmarks and the worker check in tests."""
    return value
