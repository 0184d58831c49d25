"""Account events move onto the shared event base (amanah.events.Event): `detail` becomes
`payload`, and actor / from-to status / reason join; the database refuses to rewrite them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from amanah.events import append_only_trigger_install, append_only_trigger_remove


def trigger_on(apps, schema_editor):
    append_only_trigger_install(schema_editor, "amanah_accountevent")


def trigger_off(apps, schema_editor):
    append_only_trigger_remove(schema_editor, "amanah_accountevent")


class Migration(migrations.Migration):
    dependencies = [
        ("amanah", "0002_english_labels_account_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("accountevent", "detail", "payload"),
        migrations.AlterField(
            model_name="accountevent", name="payload",
            field=models.JSONField(blank=True, default=dict, verbose_name="details")),
        migrations.AlterField(
            model_name="accountevent", name="at",
            field=models.DateTimeField(verbose_name="at")),
        migrations.AddField(
            model_name="accountevent", name="actor",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL,
                                    verbose_name="actor")),
        migrations.AddField(
            model_name="accountevent", name="from_status",
            field=models.CharField(blank=True, max_length=32, verbose_name="from")),
        migrations.AddField(
            model_name="accountevent", name="to_status",
            field=models.CharField(blank=True, max_length=32, verbose_name="to")),
        migrations.AddField(
            model_name="accountevent", name="reason",
            field=models.TextField(blank=True, verbose_name="reason")),
        migrations.AlterField(
            model_name="accountevent", name="person",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="account_events", to="amanah.person",
                                    verbose_name="person")),
        migrations.RunPython(trigger_on, trigger_off),
    ]
