"""The simulated SADAD's models, on the tables payments' 0008 handed over (renamed, rows kept);
created here only where they are missing."""

from django.db import migrations, models


def tables_ensure(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for name in ("SimulatedSadadBill", "SimulatedSadadPayment"):
        model = apps.get_model("sadad_simulator", name)
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("payments", "0008_simulated_sadad_moves_to_its_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="SimulatedSadadBill",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                               serialize=False, verbose_name="ID")),
                    ("biller_id", models.CharField(max_length=8)),
                    ("billing_account", models.CharField(max_length=15)),
                    ("version", models.PositiveIntegerField()),
                    ("status", models.CharField(choices=[("open", "Open"), ("paid", "Paid"),
                                                         ("expired", "Expired")],
                                                max_length=8)),
                    ("official_id", models.CharField(max_length=10)),
                    ("official_id_type", models.CharField(max_length=3)),
                    ("category", models.CharField(max_length=4)),
                    ("service_type", models.CharField(max_length=32)),
                    ("amount_due", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("due_date", models.DateField()),
                    ("expiry_date", models.DateField()),
                    ("reference", models.CharField(blank=True, max_length=64)),
                    ("last_rq_uid", models.CharField(max_length=64)),
                    ("updated_at", models.DateTimeField()),
                ],
                options={
                    "constraints": [models.UniqueConstraint(
                        fields=("biller_id", "billing_account"), name="simulated_bill_unique")],
                },
            ),
            migrations.CreateModel(
                name="SimulatedSadadPayment",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                               serialize=False, verbose_name="ID")),
                    ("sptn", models.CharField(max_length=40, unique=True)),
                    ("bnkptn", models.CharField(blank=True, max_length=40)),
                    ("biller_id", models.CharField(max_length=8)),
                    ("billing_account", models.CharField(max_length=32)),
                    ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("bank_id", models.CharField(max_length=16)),
                    ("channel", models.CharField(choices=[
                        ("ATM", "ATM"), ("INTERNET", "Internet banking"),
                        ("MOBILE", "Mobile banking"), ("IVR", "Phone banking"),
                        ("BTELLER", "Bank branch"), ("POS", "Point of sale")], max_length=8)),
                    ("method", models.CharField(choices=[
                        ("ACTDEB", "Account debit"), ("CCARD", "Credit card"), ("CASH", "Cash")],
                        max_length=8)),
                    ("processed_at", models.DateTimeField()),
                    ("business_date", models.DateField(db_index=True)),
                    ("notified_rq_uid", models.CharField(blank=True, max_length=64)),
                    ("notified_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                    ("notified_result", models.CharField(blank=True, max_length=12)),
                ],
                options={
                    "ordering": ["processed_at", "id"],
                },
            ),
        ]),
        # Leaving the tables in place when unapplied: payments' 0008, unapplied, renames them
        # back to the payments app.
        migrations.RunPython(tables_ensure, migrations.RunPython.noop),
    ]
