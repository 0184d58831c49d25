"""Bill, payment and reconciliation events move onto the shared event base (amanah.events);
bill and payment events become hash chains (auditors check money first), an upload's attempts
get their own events, and every event table gets the shared append-only guard.

Existing bill and payment events are linked here, in the order they were written."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from amanah.events import REWRITE_SETTING, append_only_trigger_install, link_hash

# The columns each link covers, as of this migration (HASHED_FIELDS of the models, by attname).
BILL_HASHED = ("seq", "kind", "actor_id", "at", "from_status", "to_status", "reason", "payload",
               "version")
PAYMENT_HASHED = ("seq", "kind", "actor_id", "at", "from_status", "to_status", "reason",
                  "payload")
EVENT_TABLES = ("payments_billevent", "payments_paymentevent", "payments_reconevent",
                "payments_outboxevent")


def _link_all(head_model, event_model, parent: str, key: str, hashed) -> None:
    for head in head_model.objects.order_by("pk").iterator(chunk_size=500):
        previous, seq = "", 0
        for row in event_model.objects.filter(**{parent: head.pk}).order_by("at", "pk"):
            seq += 1
            row.seq = seq
            new_hash = link_hash(previous, getattr(head, key),
                                 {name: getattr(row, name) for name in hashed})
            event_model.objects.filter(pk=row.pk).update(seq=seq, prev_hash=previous,
                                                         hash=new_hash)
            previous = new_hash
        head_model.objects.filter(pk=head.pk).update(last_event_seq=seq,
                                                     last_event_hash=previous)


def link_existing(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for table in ("payments_billevent", "payments_paymentevent"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS payments_append_only()")
            cursor.execute(f"SET LOCAL {REWRITE_SETTING} = 'on'")
    _link_all(apps.get_model("payments", "Bill"), apps.get_model("payments", "BillEvent"),
              "bill_id", "billing_account", BILL_HASHED)
    _link_all(apps.get_model("payments", "Payment"), apps.get_model("payments", "PaymentEvent"),
              "payment_id", "sptn", PAYMENT_HASHED)
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL {REWRITE_SETTING} = 'off'")


def guards_on(apps, schema_editor):
    for table in EVENT_TABLES:
        append_only_trigger_install(schema_editor, table)


def _actor():
    return models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                             related_name="+", to=settings.AUTH_USER_MODEL,
                             verbose_name="actor")


def _base_fields(model_name: str, *, rename_data: bool = True) -> list:
    operations = [migrations.RenameField(model_name, "data", "payload")] if rename_data else []
    return operations + [
        migrations.AlterField(model_name=model_name, name="payload",
                              field=models.JSONField(blank=True, default=dict,
                                                     verbose_name="details")),
        migrations.AlterField(model_name=model_name, name="at",
                              field=models.DateTimeField(verbose_name="at")),
        migrations.AlterField(model_name=model_name, name="actor", field=_actor()),
        migrations.AlterField(model_name=model_name, name="from_status",
                              field=models.CharField(blank=True, max_length=32,
                                                     verbose_name="from")),
        migrations.AlterField(model_name=model_name, name="to_status",
                              field=models.CharField(blank=True, max_length=32,
                                                     verbose_name="to")),
        migrations.AddField(model_name=model_name, name="reason",
                            field=models.TextField(blank=True, verbose_name="reason")),
    ]


def _chain_fields(model_name: str) -> list:
    return [
        migrations.AddField(model_name=model_name, name="seq",
                            field=models.PositiveIntegerField(default=0), preserve_default=False),
        migrations.AddField(model_name=model_name, name="prev_hash",
                            field=models.CharField(blank=True, max_length=64)),
        migrations.AddField(model_name=model_name, name="hash",
                            field=models.CharField(default="", max_length=64),
                            preserve_default=False),
    ]


def _head_fields(model_name: str) -> list:
    return [
        migrations.AddField(model_name=model_name, name="last_event_seq",
                            field=models.PositiveIntegerField(default=0)),
        migrations.AddField(model_name=model_name, name="last_event_hash",
                            field=models.CharField(blank=True, max_length=64)),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_events_append_only_trigger"),
        ("amanah", "0003_accountevent_event_base"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *_head_fields("bill"),
        *_head_fields("payment"),
        *_base_fields("billevent"),
        *_chain_fields("billevent"),
        *_base_fields("paymentevent"),
        *_chain_fields("paymentevent"),
        *_base_fields("reconevent"),
        migrations.AlterField(
            model_name="paymentevent", name="kind",
            field=models.CharField(choices=[
                ("recorded", "Recorded"), ("refunded", "Refunded"),
                ("duplicate_seen", "Duplicate seen"),
                ("matched", "Matched to a bill that appeared later"),
                ("allocated", "Allocated to a bill"), ("refund_requested", "Refund requested"),
                ("refund_approved", "Refund approved"), ("refund_rejected", "Refund rejected"),
                ("written_off", "Written off"), ("reviewed", "Reviewed")], max_length=24)),
        migrations.AlterModelOptions(
            name="billevent",
            options={"ordering": ["bill", "seq"], "verbose_name": "Bill event",
                     "verbose_name_plural": "Bill events"}),
        migrations.AlterModelOptions(
            name="paymentevent",
            options={"ordering": ["payment", "seq"], "verbose_name": "Payment event",
                     "verbose_name_plural": "Payment events"}),
        migrations.AddField(
            model_name="sadadoutbox", name="claimed_until",
            field=models.DateTimeField(blank=True, null=True)),
        migrations.CreateModel(
            name="OutboxEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("at", models.DateTimeField(verbose_name="at")),
                ("from_status", models.CharField(blank=True, max_length=32,
                                                 verbose_name="from")),
                ("to_status", models.CharField(blank=True, max_length=32, verbose_name="to")),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                ("payload", models.JSONField(blank=True, default=dict, verbose_name="details")),
                ("kind", models.CharField(choices=[
                    ("attempt", "Sending"), ("failed", "No usable answer; will retry"),
                    ("accepted", "Accepted by SADAD"), ("rejected", "Rejected by SADAD")],
                    max_length=16)),
                ("actor", _actor()),
                ("outbox", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                             related_name="events",
                                             to="payments.sadadoutbox")),
            ],
            options={"verbose_name": "SADAD upload event",
                     "verbose_name_plural": "SADAD upload events", "ordering": ["at", "id"],
                     "abstract": False},
        ),
        migrations.RunPython(link_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="billevent",
            constraint=models.UniqueConstraint(fields=("bill", "seq"),
                                               name="bill_event_seq_unique")),
        migrations.AddConstraint(
            model_name="paymentevent",
            constraint=models.UniqueConstraint(fields=("payment", "seq"),
                                               name="payment_event_seq_unique")),
        migrations.RunPython(guards_on, migrations.RunPython.noop),
    ]
