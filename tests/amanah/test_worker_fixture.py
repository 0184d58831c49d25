import pytest

from amanah.tasks import noop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_task_dispatched_to_the_real_worker_comes_back_through_redis(real_worker):
    # given a real worker on Redis
    # when a task is sent to it
    result = noop.delay(41)

    # then the worker ran it and its answer came back
    assert result.get(timeout=20) == 41
