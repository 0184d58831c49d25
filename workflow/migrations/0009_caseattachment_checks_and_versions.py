# Case documents checked by content (amanah.uploads) and kept in versions. Rows stored before
# this keep a blank sha256 and stored_name: their content was never checked.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflow', '0008_caseevent_event_base'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='caseattachment',
            name='replaces',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='replaced_by', to='workflow.caseattachment'),
        ),
        migrations.AddField(
            model_name='caseattachment',
            name='sha256',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='caseattachment',
            name='stored_name',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='caseattachment',
            name='version',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddConstraint(
            model_name='caseattachment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('replaces__isnull', True), ('version', 1)), models.Q(('replaces__isnull', False), ('version__gt', 1)), _connector='OR'), name='caseattachment_version_follows_replaces'),
        ),
    ]
