"""Runs resume from a checkpoint in every stage: the checkpoint column, and the phases renamed
after the stages. A run caught half-way by this migration goes on where the old phases left it:
"new" staged into a table of its session, now gone, so it stages again; "classified" had its
items and had already superseded and settled what it had to, so it goes on recording."""

from django.db import migrations, models


def phases_rename(apps, schema_editor):
    ReconRun = apps.get_model("payments", "ReconRun")
    ReconRun.objects.filter(phase="new").update(phase="staging", checkpoint={})
    ReconRun.objects.filter(phase="classified").update(
        phase="recording", checkpoint={"recorded": 0, "yesterday": None})


def phases_restore(apps, schema_editor):
    ReconRun = apps.get_model("payments", "ReconRun")
    ReconRun.objects.filter(phase__in=("staging", "classifying", "portal")).update(phase="new")
    ReconRun.objects.filter(phase="recording").update(phase="classified")


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0006_event_base_and_chains"),
    ]

    operations = [
        migrations.AddField(
            model_name="reconrun",
            name="checkpoint",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="reconrun",
            name="phase",
            field=models.CharField(
                choices=[("staging", "Reading the file"),
                         ("classifying", "Classifying the file's records"),
                         ("portal", "Looking for portal payments absent from the file"),
                         ("recording", "Recording payments missing in the portal"),
                         ("done", "Done")],
                default="staging", max_length=12),
        ),
        migrations.RunPython(phases_rename, phases_restore),
    ]
