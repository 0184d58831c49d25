"""Case events move onto the shared event base (amanah.events): `created_at` → `at`,
`comment` → `reason`, `data` → `payload`, and the status categories left and entered are kept
as `from_status`/`to_status`. Their links are re-made in the shared canonical form, keyed by
the case number, and the database's append-only guard becomes the shared one.

Re-hashing is done once here, before any chain is relied on in production: the old and new
forms cover the same columns, and every chain is checked first so a chain that was already
broken is reported instead of being silently made whole."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from amanah.events import REWRITE_SETTING, append_only_trigger_install, link_hash

# The columns a case event's link covers, as of this migration (workflow.models.CaseEvent's
# HASHED_FIELDS, by attname).
HASHED = ("seq", "kind", "actor_id", "at", "from_status", "to_status", "reason", "payload",
          "action", "actor_kind", "actor_role", "department_id", "from_state_id", "to_state_id",
          "from_department_id", "to_department_id")


def _old_hash(row, case_id: int) -> str:
    import datetime as dt
    import hashlib
    import json

    content = json.dumps({
        "case": case_id, "seq": row.seq, "kind": row.kind, "action": row.action,
        "actor": row.actor_id, "actor_kind": row.actor_kind, "actor_role": row.actor_role,
        "department": row.department_id, "from_state": row.from_state_id,
        "to_state": row.to_state_id, "from_department": row.from_department_id,
        "to_department": row.to_department_id, "comment": row.reason, "data": row.payload,
        "created_at": row.at.astimezone(dt.UTC).isoformat(),
    }, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((row.prev_hash + content).encode("utf-8")).hexdigest()


def rechain(apps, schema_editor):
    Case = apps.get_model("workflow", "Case")
    CaseEvent = apps.get_model("workflow", "CaseEvent")
    State = apps.get_model("workflow", "State")
    categories = dict(State.objects.values_list("pk", "category"))
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS workflow_caseevent_append_only "
                           "ON workflow_caseevent")
            cursor.execute("DROP FUNCTION IF EXISTS workflow_caseevent_append_only()")
            cursor.execute(f"SET LOCAL {REWRITE_SETTING} = 'on'")
    for case in Case.objects.order_by("pk").iterator(chunk_size=500):
        previous = ""
        for row in CaseEvent.objects.filter(case_id=case.pk).order_by("seq"):
            if _old_hash(row, case.pk) != row.hash or row.prev_hash != previous:
                raise RuntimeError(f"case {case.number}: event {row.seq} does not match its "
                                   f"hash; run audit_verify on the old release first")
            previous = row.hash
        head = ""
        for row in CaseEvent.objects.filter(case_id=case.pk).order_by("seq"):
            row.from_status = categories.get(row.from_state_id, "")
            row.to_status = categories.get(row.to_state_id, "")
            new_hash = link_hash(head, case.number, {name: getattr(row, name) for name in HASHED})
            CaseEvent.objects.filter(pk=row.pk).update(
                from_status=row.from_status, to_status=row.to_status, prev_hash=head,
                hash=new_hash)
            head = new_hash
        Case.objects.filter(pk=case.pk).update(last_event_hash=head)
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL {REWRITE_SETTING} = 'off'")


def guard_on(apps, schema_editor):
    append_only_trigger_install(schema_editor, "workflow_caseevent")


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0007_workflowdefinition_eservice_link"),
        ("amanah", "0003_accountevent_event_base"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("caseevent", "created_at", "at"),
        migrations.RenameField("caseevent", "comment", "reason"),
        migrations.RenameField("caseevent", "data", "payload"),
        migrations.AlterField(
            model_name="caseevent", name="at", field=models.DateTimeField(verbose_name="at")),
        migrations.AlterField(
            model_name="caseevent", name="reason",
            field=models.TextField(blank=True, verbose_name="reason")),
        migrations.AlterField(
            model_name="caseevent", name="payload",
            field=models.JSONField(blank=True, default=dict, verbose_name="details")),
        migrations.AlterField(
            model_name="caseevent", name="actor",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL,
                                    verbose_name="actor")),
        migrations.AddField(
            model_name="caseevent", name="from_status",
            field=models.CharField(blank=True, max_length=32, verbose_name="from")),
        migrations.AddField(
            model_name="caseevent", name="to_status",
            field=models.CharField(blank=True, max_length=32, verbose_name="to")),
        migrations.AlterField(
            model_name="caseevent", name="kind",
            field=models.CharField(choices=[
                ("submitted", "Submitted"), ("routed", "Routed"), ("transition", "Action taken"),
                ("claimed", "Claimed"), ("assigned", "Assigned"),
                ("transferred", "Transferred"), ("commented", "Comment"),
                ("attachment_added", "Document added"), ("sla_at_risk", "Deadline at risk"),
                ("sla_overdue", "Deadline passed"),
                ("sla_restarted", "Deadline clock restarted"), ("escalated", "Escalated")],
                max_length=20)),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.RunPython(guard_on, migrations.RunPython.noop),
    ]
