"""`python manage.py sadad_simulator`: play SADAD's side of the protocol against the portal.

    pay BILLING_ACCT [--amount A] [--sptn S] [--bank B] [--channel C] [--method M]
                     [--no-deliver] [--any-state] [FAULTS] [--url URL]
    duplicate [FAULTS] [--url URL]           resend the last message, byte for byte
    recon-file --date YYYY-MM-DD OUT.xml     the day's §4 file from the simulated bank's payments

FAULTS: --stale (t five minutes and a second old), --bad-signature (a key the portal does not
know), --wrong-biller (addressed to another biller), --reuse-rquid (the last message's RqUID
with this new body). Without --url the message goes through the Django test client to the
portal's own endpoint in this process; with it, over HTTP to that portal.

The simulated SADAD is an app installed only where demo mode is allowed; elsewhere the command
says so and does nothing.
"""

import dataclasses
import urllib.error
import urllib.request
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from amanah import clock
from amanah.errors import DomainError
from payments.sadad import wire
from payments.sadad.keys import simulator_key
from payments.sadad.signing import HEADER, signature_header

NOTIFY_PATH = "/sadad/payment-notifications"
WRONG_BILLER = "999"
UNKNOWN_KEY = "a-key-the-portal-does-not-know"
STALE_SECONDS = 301


def last_message_path() -> Path:
    return Path(settings.VAR_DIR) / "sadad-simulator" / "last-message.xml"


class Command(BaseCommand):
    help = "A simulated SADAD: pay bills, resend messages, play faults, write recon files."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        pay = sub.add_parser("pay", help="a citizen pays a bill at the simulated bank")
        pay.add_argument("billing_account")
        pay.add_argument("--amount", help="SAR, default: the amount SADAD knows is due")
        pay.add_argument("--sptn")
        pay.add_argument("--bank", default="RJHISARI")
        pay.add_argument("--channel", default="INTERNET", choices=sorted(wire.ACCESS_CHANNELS))
        pay.add_argument("--method", default="ACTDEB", choices=sorted(wire.PAYMENT_METHODS))
        pay.add_argument("--no-deliver", action="store_true",
                         help="take the money but never notify (reconciliation finds it)")
        pay.add_argument("--any-state", action="store_true",
                         help="accept the payment even for a bill SADAD would refuse")
        pay.add_argument("--reuse-rquid", action="store_true")
        duplicate = sub.add_parser("duplicate", help="resend the last message")
        for command in (pay, duplicate):
            command.add_argument("--stale", action="store_true")
            command.add_argument("--bad-signature", action="store_true")
            command.add_argument("--url", help="the portal's base URL, e.g. http://127.0.0.1:8000")
        pay.add_argument("--wrong-biller", action="store_true")
        recon = sub.add_parser("recon-file", help="write the day's reconciliation file")
        recon.add_argument("--date", required=True, help="business date YYYY-MM-DD (Riyadh)")
        recon.add_argument("--fee-per-record", default="0.00")
        recon.add_argument("out", type=Path)

    def handle(self, *args, action: str, **options):
        if not apps.is_installed(settings.SADAD_SIMULATOR_APP):
            raise CommandError(
                "the simulated SADAD is not installed here: it is installed only where demo "
                "mode is allowed (AMANAH_DEMO_MODE=true)")
        try:
            if action == "pay":
                self._pay(**options)
            elif action == "duplicate":
                self._duplicate(**options)
            else:
                self._recon_file(**options)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message_en}") from None

    # --- pay and resend ---------------------------------------------------------------------

    def _pay(self, *, billing_account, amount, sptn, bank, channel, method, no_deliver,
             any_state, reuse_rquid, stale, bad_signature, wrong_biller, url, **_):
        # Imported here: the simulator's models can be imported only where its app is installed.
        from payments.sadad.simulator.bank import simulated_bank_pay, simulated_payment_record
        from payments.sadad.simulator.models import SimulatedSadadPayment

        try:
            value = wire.amount_parse(amount) if amount is not None else None
        except wire.WireError:
            raise CommandError(f"--amount is not a SAR amount: {amount!r}") from None
        payment = simulated_bank_pay(
            billing_account=billing_account, amount=value, bank_id=bank, channel=channel,
            method=method, sptn=sptn, deliver=False,
            allow_any_state=any_state or wrong_biller)
        self.stdout.write(f"simulated bank took {wire.amount_format(payment.amount)} SAR for "
                          f"{billing_account}: SPTN {payment.sptn}")
        if no_deliver:
            self.stdout.write("not notified (the day's reconciliation file will carry it)")
            return
        record = simulated_payment_record(payment)
        receiver = settings.SADAD_BILLER_ID
        if wrong_biller:
            receiver = WRONG_BILLER
            record = dataclasses.replace(record, biller_id=WRONG_BILLER)
        rq_uid = self._last_rq_uid() if reuse_rquid else str(uuid.uuid4())
        body = wire.payment_notification_build(rq_uid=rq_uid, records=[record],
                                               client_dt=clock.now(), receiver=receiver)
        status, answer = self._send(body, stale=stale, bad_signature=bad_signature, url=url)
        results = {}
        if status == 200:
            _, _, pairs = wire.payment_notification_response_parse(answer)
            results = dict(pairs)
        SimulatedSadadPayment.objects.filter(pk=payment.pk).update(
            notified_rq_uid=rq_uid, notified_status=status,
            notified_result=results.get(payment.sptn, ""))

    def _duplicate(self, *, stale, bad_signature, url, **_):
        path = last_message_path()
        if not path.is_file():
            raise CommandError("no message sent yet: run `sadad_simulator pay` first")
        self._send(path.read_bytes(), stale=stale, bad_signature=bad_signature, url=url)

    def _last_rq_uid(self) -> str:
        path = last_message_path()
        if not path.is_file():
            raise CommandError("--reuse-rquid needs an earlier message")
        return wire.rq_uid_peek(wire.xml_parse(path.read_bytes()))

    def _send(self, body: bytes, *, stale: bool, bad_signature: bool,
              url: str | None) -> tuple[int, bytes]:
        path = last_message_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        timestamp = int(clock.now().timestamp()) - (STALE_SECONDS if stale else 0)
        # Its own key, never SADAD's: only a portal in demo mode takes what it signs.
        key = UNKNOWN_KEY if bad_signature else simulator_key()
        headers = {"Content-Type": "application/xml",
                   HEADER: signature_header(key, timestamp, body)}
        if url:
            status, answer = _http_post(url.rstrip("/") + NOTIFY_PATH, body, headers)
        else:
            from django.test import Client

            hosts = [h for h in settings.ALLOWED_HOSTS if h and "*" not in h]
            client = Client(SERVER_NAME=(hosts or ["localhost"])[0].lstrip("."))
            response = client.post(NOTIFY_PATH, data=body, content_type="application/xml",
                                   headers={HEADER: headers[HEADER]})
            status, answer = response.status_code, response.content
        self.stdout.write(f"HTTP {status}")
        self.stdout.write(answer.decode("utf-8", "replace"))
        return status, answer

    # --- the day's reconciliation file --------------------------------------------------------

    def _recon_file(self, *, date, fee_per_record, out: Path, **_):
        from payments.sadad.simulator.files import simulated_recon_file_write

        try:
            day = wire.date_parse(date, name="--date")
            fee = Decimal(fee_per_record)
        except (wire.WireError, InvalidOperation):
            raise CommandError("--date is YYYY-MM-DD and --fee-per-record a decimal") from None
        total, count = simulated_recon_file_write(business_date=day, out=out,
                                                  fee_per_record=fee)
        self.stdout.write(f"wrote {out}: {count} payments, {wire.amount_format(total)} SAR, "
                          f"business date {day.isoformat()}")


def _http_post(url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 - operator's URL
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise CommandError(f"could not reach {url}: {exc}") from None
