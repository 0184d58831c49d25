"""Backends for the notification tests: one that fails a set number of times first."""

from amanah.notifications import SmsMessage


class FlakySmsBackend:
    """Raises for the first `fail_times` sends (class-wide), then keeps what it is given."""

    fail_times = 0
    calls = 0
    sent: list[SmsMessage] = []

    @classmethod
    def reset(cls, *, fail_times: int) -> None:
        cls.fail_times, cls.calls, cls.sent = fail_times, 0, []

    def send(self, message: SmsMessage) -> None:
        FlakySmsBackend.calls += 1
        if FlakySmsBackend.calls <= FlakySmsBackend.fail_times:
            raise ConnectionError("gateway unreachable")
        FlakySmsBackend.sent.append(message)
