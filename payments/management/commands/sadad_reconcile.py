"""`python manage.py sadad_reconcile FILE [--json]`: reconcile one SADAD file now (spec §4).

Exit 0, except 2 for FAILED_VALIDATION and 75 (EX_TEMPFAIL) for IN_PROGRESS: another worker is
processing this file right now; try again once it has finished."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from payments.reconciliation.enums import IN_PROGRESS, ReconRunStatus, ReconSource
from payments.reconciliation.services import recon_report
from payments.sadad.tasks import recon_file_reconcile

EXIT_FAILED_VALIDATION = 2
EXIT_IN_PROGRESS = 75


class Command(BaseCommand):
    help = "Reconcile a SADAD reconciliation file against the portal's payments."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true",
                            help="print only the JSON object of spec §4")

    def handle(self, *args, file: Path, json: bool = False, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        outcome = recon_file_reconcile(path=file.resolve(), source=ReconSource.COMMAND)
        report = recon_report(outcome)
        if json:
            self.stdout.write(_dumps(report))
        else:
            run = outcome.run
            self.stdout.write(f"run {run.pk}: {report['status']} "
                              f"business date {report['business_date']}")
            for category, count in report["counts"].items():
                self.stdout.write(f"  {category:<20} {count}")
            self.stdout.write(f"  collected {report['collected']}  fees {report['fees']}")
        # BaseCommand turns SystemExit into the process's exit status.
        if outcome.status == ReconRunStatus.FAILED_VALIDATION:
            self.stderr.write(f"failed validation: {outcome.run.failure}")
            raise SystemExit(EXIT_FAILED_VALIDATION)
        if outcome.status == IN_PROGRESS:
            self.stderr.write(f"run {outcome.run.pk} is being processed by another worker")
            raise SystemExit(EXIT_IN_PROGRESS)


def _dumps(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False)
