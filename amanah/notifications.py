"""Sending SMS. The backend is chosen by the SMS_BACKEND setting (a dotted class path).

A real gateway (e.g. a Saudi SMS aggregator) is added by writing one class with `send()`;
nothing else in the portal changes.
"""

import logging
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("amanah.sms")


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, e.g. +966551234567
    body: str


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> None: ...


class LogSmsBackend:
    """The default: writes the message to the log, for development and the training portal."""

    def send(self, message: SmsMessage) -> None:
        logger.info("SMS to %s: %s", message.to, message.body)


class LocmemSmsBackend:
    """Keeps messages in `LocmemSmsBackend.outbox`, so tests can read the code that was sent."""

    outbox: list[SmsMessage] = []

    def send(self, message: SmsMessage) -> None:
        LocmemSmsBackend.outbox.append(message)


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def sms_send(*, to: str, body: str) -> None:
    sms_backend().send(SmsMessage(to=to, body=body))
