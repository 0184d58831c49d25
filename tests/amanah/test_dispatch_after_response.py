"""Tasks sent after the response (`task_on_commit(..., after_response=True)`): the commit
hands them to a thread of the process, which sends what has gathered in one message per task
name; the request never waits on the broker. Whatever a lost message would have done, the
task's sweeper still does (tests/seams/test_lost_tasks.py)."""

import time

import pytest
from celery.app.task import Task
from django.db import transaction

import amanah.tasks  # noqa: F401 - registers amanah.noop and amanah.tasks_run_batch
from amanah import dispatch
from amanah.dispatch import TaskSend, task_on_commit


@pytest.fixture
def published(monkeypatch, settings):
    """What reaches the broker, recorded: (task name, kwargs, queue)."""
    from amanah.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    sent = []

    def apply_async(task, kwargs=None, queue=None, **options):
        sent.append((task.name, kwargs, queue))

    # Every task class inherits Celery's apply_async: the one place a message leaves.
    monkeypatch.setattr(Task, "apply_async", apply_async)
    return sent


@pytest.mark.django_db
def test_after_response_tasks_are_queued_on_commit_like_any_other(queued):
    # when a transaction schedules a task to be sent after the response
    with queued() as tasks, transaction.atomic():
        task_on_commit("amanah.noop", after_response=True, value=7)
    # then the commit hands over the same task and arguments (the option is not an argument)
    assert tasks == [("amanah.noop", {"value": 7})]


def test_the_commit_does_not_wait_for_the_broker(published):
    # given the process's sender held up (a slow broker)
    with dispatch.publisher.held():
        # when the commit hook runs
        TaskSend("amanah.noop", {"value": 1}, after_response=True)()
        # then nothing was sent from the committing thread
        assert published == []
    # and the sender sends it once it may
    dispatch.publisher.flush(timeout=10)
    assert published == [("amanah.noop", {"value": 1}, None)]


def test_what_gathered_meanwhile_goes_as_one_message_per_task_name(published, settings):
    # given three tasks of one name and one of another, gathered while the sender was busy
    settings.CELERY_TASK_ROUTES = {**settings.CELERY_TASK_ROUTES,
                                   "amanah.noop": {"queue": "bulk"}}
    with dispatch.publisher.held():
        for value in (1, 2, 3):
            TaskSend("amanah.noop", {"value": value}, after_response=True)()
        TaskSend("amanah.tasks_run_batch", {"task_name": "amanah.noop", "calls": []},
                 after_response=True)()
    dispatch.publisher.flush(timeout=10)
    # then the three went as one batch, to the queue their own task is routed to
    assert published == [
        ("amanah.tasks_run_batch",
         {"task_name": "amanah.noop", "calls": [{"value": 1}, {"value": 2}, {"value": 3}]},
         "bulk"),
        ("amanah.tasks_run_batch", {"task_name": "amanah.noop", "calls": []}, None),
    ]


def test_a_broker_failure_is_logged_and_the_sender_goes_on(published, monkeypatch, caplog):
    calls = []

    def broken(task, kwargs=None, queue=None, **options):
        calls.append(kwargs)
        if len(calls) == 1:
            raise ConnectionError("broker down")
        published.append((task.name, kwargs, queue))

    monkeypatch.setattr(Task, "apply_async", broken)
    # when the first send fails
    TaskSend("amanah.noop", {"value": 1}, after_response=True)()
    dispatch.publisher.flush(timeout=10)
    TaskSend("amanah.noop", {"value": 2}, after_response=True)()
    dispatch.publisher.flush(timeout=10)
    # then it is logged (its sweeper finds the work) and the next one is sent
    assert any("amanah.noop" in r.getMessage() for r in caplog.records
               if r.name == "amanah.dispatch")
    assert published == [("amanah.noop", {"value": 2}, None)]


def test_the_batch_task_runs_each_call_and_survives_a_failing_one(caplog):
    from amanah.tasks import tasks_run_batch

    # when a batch holds a call that fails between two that work
    done = tasks_run_batch(task_name="amanah.noop",
                           calls=[{"value": 1}, {"value": "x", "unexpected": 1}, {"value": 3}])
    # then the other two ran and the failure is logged, not raised
    assert done == 2
    assert any("amanah.noop" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_receipts_sent_in_one_batch_are_all_made_by_the_real_worker(real_worker, client,
                                                                    settings):
    from payments.models import Receipt
    from tests.payments.factories import bill_make, notification, pmt, post

    # given three payments whose receipt tasks gather while the sender is held up
    bills = [bill_make(amount="150.00") for _ in range(3)]
    with dispatch.publisher.held():
        for n, bill in enumerate(bills):
            response = post(client, notification([pmt(sptn=f"SP-B{n}",
                                                      billing_account=bill.billing_account)]))
            assert response.status_code == 200
    # when they are sent as one batch, then the worker makes every receipt's PDF
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Receipt.objects.filter(pdf="").exists():
        time.sleep(0.2)
    assert Receipt.objects.count() == 3
    assert not Receipt.objects.filter(pdf="").exists()
