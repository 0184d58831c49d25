"""The notification subsystem's promises: recorded in the caller's transaction, sent once
after the commit, none on rollback, retried on a backend error, swept when the task is lost."""

import time

import pytest
from django.db import transaction

from amanah.enums import NotificationChannel, NotificationStatus
from amanah.models import Notification, NotificationTemplate
from amanah.notifications import LocmemSmsBackend
from amanah.notify import (
    EVENTS,
    Recipient,
    notification_request,
    notification_send,
    notification_sweep,
    template_text_check,
)
from amanah.notify_tasks import notification_send as notification_send_task
from tests.factories import PersonFactory

from .backends import FlakySmsBackend

pytestmark = pytest.mark.django_db

CONTEXT = {"bill_number": "100000000017",
           "amount": {"ar": "150.00 ر.س", "en": "SAR 150.00"},
           "description": {"ar": "رسوم رخصة", "en": "Permit fee"}}


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "amanah.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


def _request(person, key="bill.paid:1"):
    return notification_request(event="bill.paid", key=key,
                                recipients=[Recipient.of_person(person)], context=CONTEXT)


def _rows(person):
    return {n.channel: n for n in Notification.objects.filter(person=person)}


def test_every_event_has_an_sms_and_an_email_text_using_only_its_placeholders():
    # given the texts the migration seeded
    templates = list(NotificationTemplate.objects.all())
    # then each event has both channels, active, and each text passes the placeholder check
    assert {(t.event, t.channel) for t in templates} == {
        (event, channel) for event in EVENTS for channel in NotificationChannel.values}
    for template in templates:
        assert template.is_active
        for field in ("subject_ar", "subject_en", "body_ar", "body_en"):
            template_text_check(event=template.event, text=getattr(template, field), field=field)


def test_nothing_is_sent_before_the_commit_and_one_message_per_channel_after_it(
        sms, mailoutbox, django_capture_on_commit_callbacks):
    person = PersonFactory(language="ar")
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            ids = _request(person)
            # when the transaction is still open nothing has left
            assert sms == [] and mailoutbox == []
            assert {n.status for n in Notification.objects.filter(pk__in=ids)} == {
                NotificationStatus.QUEUED}
    # then exactly one SMS and one email, in Arabic, with the facts
    assert [(m.to, m.body) for m in sms] == [(
        person.mobile, "أمانة: استلمنا سداد الفاتورة 100000000017 بمبلغ 150.00 ر.س. شكراً لكم.")]
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([person.email], "تم سداد الفاتورة 100000000017")]
    rows = _rows(person)
    assert {c: (n.status, n.attempts, n.language) for c, n in rows.items()} == {
        "sms": (NotificationStatus.SENT, 1, "ar"), "email": (NotificationStatus.SENT, 1, "ar")}
    assert all(n.sent_at is not None for n in rows.values())


def test_the_task_run_twice_sends_once(sms, django_capture_on_commit_callbacks):
    person = PersonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _request(person)
    sms_row = _rows(person)["sms"]
    # when the task runs again (a redelivery)
    assert notification_send_task.apply(kwargs={"notification_id": sms_row.pk}).get() == "sent"
    # then nothing more was sent and the row is as it was
    assert len(sms) == 1
    assert Notification.objects.get(pk=sms_row.pk).attempts == 1


def test_the_same_event_requested_twice_is_one_row(sms, django_capture_on_commit_callbacks):
    person = PersonFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _request(person)
        second = _request(person)
    assert len(first) == 2 and second == []
    assert Notification.objects.filter(person=person).count() == 2
    assert len(callbacks) == 2  # one send per row, none for the repeat
    assert len(sms) == 1


def test_a_rollback_leaves_no_row_and_sends_nothing(sms, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    person = PersonFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _request(person)
            raise RuntimeError("the business change failed")
    assert Notification.objects.filter(person=person).count() == 0
    assert callbacks == []
    assert sms == [] and mailoutbox == []


def test_a_person_who_reads_english_gets_english(sms, django_capture_on_commit_callbacks):
    person = PersonFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        _request(person)
    assert [m.body for m in sms] == [
        "Amanah: we received the payment of bill 100000000017, SAR 150.00. Thank you."]
    assert _rows(person)["sms"].language == "en"


def test_a_recipient_without_an_address_is_recorded_as_skipped(
        sms, mailoutbox, django_capture_on_commit_callbacks):
    person = PersonFactory(email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _request(person)
    rows = _rows(person)
    assert (rows["email"].status, rows["email"].address) == (
        NotificationStatus.SKIPPED_NO_ADDRESS, "")
    assert rows["sms"].status == NotificationStatus.SENT
    assert len(callbacks) == 1 and mailoutbox == []


def test_a_staff_user_without_a_person_gets_arabic_by_email_and_no_sms(
        mailoutbox, django_capture_on_commit_callbacks):
    from tests.factories import StaffUserFactory

    user = StaffUserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification_request(event="bill.paid", key="k", recipients=[Recipient.of_user(user)],
                             context=CONTEXT)
    rows = {n.channel: n for n in Notification.objects.filter(user=user)}
    assert (rows["email"].status, rows["email"].language, rows["email"].address) == (
        NotificationStatus.SENT, "ar", user.email)
    assert rows["sms"].status == NotificationStatus.SKIPPED_NO_ADDRESS


def test_a_backend_that_fails_twice_is_retried_and_the_message_sent(
        settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.amanah.notifications.backends.FlakySmsBackend"
    FlakySmsBackend.reset(fail_times=2)
    person = PersonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _request(person)
    row = _rows(person)["sms"]
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 3)
    assert [m.to for m in FlakySmsBackend.sent] == [person.mobile]
    assert row.last_error == ""


def test_a_backend_that_always_fails_gives_up_after_the_attempts_allowed(
        settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.amanah.notifications.backends.FlakySmsBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 4
    FlakySmsBackend.reset(fail_times=100)
    person = PersonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _request(person)
    row = _rows(person)["sms"]
    assert (row.status, row.attempts, row.sent_at) == (NotificationStatus.FAILED, 4, None)
    assert row.last_error == "ConnectionError: gateway unreachable"
    assert FlakySmsBackend.calls == 4 and FlakySmsBackend.sent == []
    # and a late run of the task does not try again
    assert notification_send(notification_id=row.pk) == NotificationStatus.FAILED
    assert FlakySmsBackend.calls == 4


def test_the_sweeper_sends_what_a_lost_task_did_not(sms, clock, queued):
    person = PersonFactory()
    clock.set(clock.now())
    # given a message whose task was lost (queued, never run)
    with queued(notifications=True) as tasks:
        _request(person)
    assert [name for name, _ in tasks] == ["amanah.notification_send"] * 2
    # when the sweeper runs a minute later nothing is taken from a task that may still come
    clock.advance(minutes=1)
    assert notification_sweep() == 0 and sms == []
    # and three minutes later it sends both
    clock.advance(minutes=2)
    assert notification_sweep() == 2
    assert [m.to for m in sms] == [person.mobile]
    assert notification_sweep() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_message_is_sent_by_the_real_worker_after_the_commit(real_worker):
    person = PersonFactory()
    with transaction.atomic():
        ids = _request(person, key="bill.paid:worker")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Notification.objects.filter(
            pk__in=ids, status=NotificationStatus.QUEUED).exists():
        time.sleep(0.2)
    assert sorted(Notification.objects.filter(pk__in=ids).values_list("status", "attempts")) == [
        (NotificationStatus.SENT, 1), (NotificationStatus.SENT, 1)]
