"""manage.py permits_import FILE.csv [--dry-run] [--user USERNAME]: paper-era permits in, all
or nothing (the columns are described in permits/imports.py)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from permits.imports import permits_import


class Command(BaseCommand):
    help = ("Import paper-era permits from a CSV file; one bad line imports nothing. "
            "See permits/imports.py for the columns.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true",
                            help="check every line and report, import nothing")
        parser.add_argument("--user", help="the staff username recorded on the IMPORTED events")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        report = permits_import(data=path.read_bytes(), actor=actor,
                                dry_run=options["dry_run"])
        for problem in report.problems:
            where = f"line {problem.line}" + (f", {problem.column}" if problem.column else "")
            self.stderr.write(f"{where}: {problem.message_en} / {problem.message_ar}")
        if report.problems:
            raise CommandError(f"{len(report.problems)} problem(s) in {report.checked} "
                               "line(s); nothing was imported")
        if report.dry_run:
            self.stdout.write(f"{report.checked} line(s) checked, all good; nothing imported "
                              "(dry run)")
            return
        for permit in report.imported:
            self.stdout.write(f"{permit.paper_reference} -> {permit.number}")
        self.stdout.write(f"{len(report.imported)} permit(s) imported")
