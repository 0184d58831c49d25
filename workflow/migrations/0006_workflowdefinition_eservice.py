"""A procedure names the e-service it serves, so that the e-service's rollout decides where a
case may be started. Existing definitions are linked to the e-service of the same code (the
catalogue's codes are the procedures' codes); those with none stay internal. Each link gets a
history record, so the configuration history shows when and why the field was filled."""

import django.db.models.deletion
from django.db import migrations, models
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
        ('amanah', '0002_english_labels_account_events'),
        ('workflow', '0005_configuration_history_baseline'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalworkflowdefinition',
            name='eservice',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The e-service this procedure serves; its rollout decides where a case may be started. Empty for internal procedures that only code starts.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='amanah.eservice', verbose_name='E-service'),
        ),
        migrations.AddField(
            model_name='workflowdefinition',
            name='eservice',
            field=models.ForeignKey(blank=True, help_text='The e-service this procedure serves; its rollout decides where a case may be started. Empty for internal procedures that only code starts.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='workflow_definitions', to='amanah.eservice', verbose_name='E-service'),
        ),
        migrations.RunPython(link_to_eservice_of_same_code, migrations.RunPython.noop),
    ]
