"""A first history record ("as it was when history began") for configuration that existed before
history was recorded, so the first change made afterwards shows which fields it changed."""

from django.db import migrations
from django.utils import timezone

MODELS = ("Holiday", "WorkflowDefinition", "DefinitionVersion", "State", "Transition")
BATCH = 1000


def baseline(apps, schema_editor):
    now = timezone.now()
    for name in MODELS:
        model = apps.get_model("workflow", name)
        historical = apps.get_model("workflow", f"Historical{name}")
        fields = [f.attname for f in model._meta.concrete_fields]
        already = set(historical.objects.values_list("id", flat=True).distinct())
        rows = [historical(**{f: getattr(obj, f) for f in fields}, history_date=now,
                           history_type="+",
                           history_change_reason="Recorded when history began")
                for obj in model.objects.order_by("pk").iterator(chunk_size=BATCH)
                if obj.pk not in already]
        historical.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("workflow", "0004_configuration_history"),
    ]

    operations = [
        migrations.RunPython(baseline, migrations.RunPython.noop),
    ]
