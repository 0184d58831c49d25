"""BillingAcct payloads come from a PostgreSQL sequence: unique, never reused, no lock needed.

On SQLite (the embedded default) the counter row in BillingAccountCounter plays that part.
"""

from django.db import migrations

FIRST_PAYLOAD = 1000000000  # ten digits; the Luhn check digit makes eleven


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE SEQUENCE IF NOT EXISTS payments_billing_account_seq "
            f"START WITH {FIRST_PAYLOAD} MINVALUE {FIRST_PAYLOAD} MAXVALUE 9999999999 NO CYCLE"
        )
    else:
        counter = apps.get_model("payments", "BillingAccountCounter")
        if not counter.objects.exists():
            counter.objects.create(next_value=FIRST_PAYLOAD)


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS payments_billing_account_seq")


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(create_sequence, drop_sequence)]
