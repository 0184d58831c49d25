"""A procedure names the e-service it serves, so that the e-service's rollout decides where a
case may be started. Existing definitions are linked to the e-service of the same code (the
catalogue's codes are the procedures' codes); those with none stay internal. Each link gets a
history record, so the configuration history shows when and why the field was filled.

A migration of its own: PostgreSQL refuses the previous one's deferred index creation once
rows were written in the same transaction ("pending trigger events")."""

from django.db import migrations
from django.utils import timezone


def link_to_eservice_of_same_code(apps, schema_editor):
    definition_model = apps.get_model("workflow", "WorkflowDefinition")
    historical = apps.get_model("workflow", "HistoricalWorkflowDefinition")
    eservice_model = apps.get_model("amanah", "EService")
    by_code = dict(eservice_model.objects.values_list("code", "pk"))
    fields = [f.attname for f in definition_model._meta.concrete_fields]
    now = timezone.now()
    for definition in definition_model.objects.filter(eservice__isnull=True,
                                                      code__in=list(by_code)):
        definition.eservice_id = by_code[definition.code]
        definition.save(update_fields=["eservice"])
        historical.objects.create(
            **{f: getattr(definition, f) for f in fields}, history_date=now, history_type="~",
            history_change_reason="Linked to the e-service of the same code")


class Migration(migrations.Migration):

    dependencies = [
        ("amanah", "0002_english_labels_account_events"),
        ("workflow", "0006_workflowdefinition_eservice"),
    ]

    operations = [
        migrations.RunPython(link_to_eservice_of_same_code, migrations.RunPython.noop),
    ]
