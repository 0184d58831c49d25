"""Inspection and violation events refuse UPDATE and DELETE in the database itself."""

from django.db import migrations

from amanah.events import append_only_trigger_install, append_only_trigger_remove

TABLES = ("violations_inspectionevent", "violations_violationevent")


def install(apps, schema_editor):
    for table in TABLES:
        append_only_trigger_install(schema_editor, table)


def remove(apps, schema_editor):
    for table in TABLES:
        append_only_trigger_remove(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("violations", "0001_core")]

    operations = [migrations.RunPython(install, remove)]
