"""Check every hash chain (cases, bills, payments, …): one line per chain, OK or its first
broken link; exit status 1 when any chain is broken."""

from django.core.management.base import BaseCommand, CommandError

from amanah.events import audit_verify, chains


class Command(BaseCommand):
    help = "Verify the hash chains of the audit trail (cases, bills, payments)."

    def add_arguments(self, parser):
        parser.add_argument("--chain", choices=[c.name for c in chains()] or None,
                            help="Only this chain")
        parser.add_argument("--id", type=int, default=None, dest="head_id",
                            help="Only the row with this id (with --chain)")

    def handle(self, *args, chain=None, head_id=None, **options):
        if head_id is not None and chain is None:
            raise CommandError("--id needs --chain")
        broken = False
        for result in audit_verify(chain=chain, head_id=head_id):
            if result.ok:
                self.stdout.write(f"{result.chain}: OK, {result.checked} events, "
                                  f"every link holds")
                continue
            broken = True
            event = f", event id {result.event_id}" if result.event_id else ""
            self.stdout.write(
                f"{result.chain}: BROKEN at {result.chain} {result.head_key} "
                f"(id {result.head_id}){event}: {result.reason} "
                f"({result.checked} earlier events verified)")
        if broken:
            raise SystemExit(1)
