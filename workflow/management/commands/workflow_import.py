"""Load an exported definition into a municipality as a new draft (published with --publish)."""

import json

from django.core.management.base import BaseCommand, CommandError

from amanah.errors import DomainError
from amanah.models import Municipality
from workflow.services import DefinitionInvalid, definition_import


class Command(BaseCommand):
    help = "Import a workflow definition JSON file into a municipality."

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON file written by workflow_export, or - for stdin")
        parser.add_argument("--municipality", required=True, help="Municipality code, e.g. KHB")
        parser.add_argument("--publish", action="store_true")

    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"no municipality {options['municipality']!r}")
        try:
            if options["path"] == "-":
                import sys

                data = json.load(sys.stdin)
            else:
                with open(options["path"], encoding="utf-8") as handle:
                    data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read the file: {exc}") from exc
        try:
            version = definition_import(data=data, municipality=municipality,
                                        publish=options["publish"])
        except DefinitionInvalid as exc:
            problems = "\n".join(f"  {p.code}: {p.message_en}" for p in exc.problems)
            raise CommandError(f"not published, the definition is invalid:\n{problems}") from exc
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message_en}") from exc
        self.stdout.write(f"{version.definition.code} @ {municipality.code}: "
                          f"v{version.number} {version.status}")
