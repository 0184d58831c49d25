"""Check every case's event chain; print OK, or the first broken link and exit with status 1."""

from django.core.management.base import BaseCommand

from workflow.services import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chain of all case events (or of one case with --case)."

    def add_arguments(self, parser):
        parser.add_argument("--case", type=int, default=None, help="Only this case id")

    def handle(self, *args, **options):
        result = audit_verify(case_id=options["case"])
        if result.ok:
            self.stdout.write(f"OK: {result.checked} events, every link holds")
            return
        self.stdout.write(
            f"BROKEN: case {result.case_number} (id {result.case_id}), "
            f"event id {result.event_id}: {result.reason} "
            f"({result.checked} earlier events verified)")
        raise SystemExit(1)
