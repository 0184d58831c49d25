"""A procedure names the e-service it serves, so that the e-service's rollout decides where a
case may be started (the existing definitions are linked in the next migration)."""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
