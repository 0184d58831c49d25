"""Write a definition version as JSON, to load into another municipality with workflow_import."""

import json

from django.core.management.base import BaseCommand, CommandError

from workflow.enums import VersionStatus
from workflow.models import DefinitionVersion
from workflow.services import definition_export


class Command(BaseCommand):
    help = "Export a workflow definition (its published version unless --number) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("code", help="Transaction kind, e.g. general_correspondence")
        parser.add_argument("--municipality", required=True, help="Municipality code, e.g. EPA")
        parser.add_argument("--number", type=int, default=None, help="Version number")
        parser.add_argument("-o", "--output", default="-", help="File path, or - for stdout")

    def handle(self, *args, **options):
        versions = DefinitionVersion.objects.filter(
            definition__code=options["code"],
            definition__municipality__code=options["municipality"]).select_related(
            "definition__municipality")
        if options["number"] is not None:
            version = versions.filter(number=options["number"]).first()
        else:
            version = versions.filter(status=VersionStatus.PUBLISHED).first()
        if version is None:
            raise CommandError("no such definition version")
        text = json.dumps(definition_export(version=version), ensure_ascii=False, indent=2)
        if options["output"] == "-":
            self.stdout.write(text)
        else:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stderr.write(f"wrote {options['output']}")
