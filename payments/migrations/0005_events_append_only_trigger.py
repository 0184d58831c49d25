"""On PostgreSQL the database itself refuses UPDATE and DELETE of bill and payment events, so
the audit trail holds even for code that bypasses the ORM's save()/delete() guards."""

from django.db import migrations

TABLES = ("payments_billevent", "payments_paymentevent")

FUNCTION = """
CREATE OR REPLACE FUNCTION payments_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION payments_append_only()")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS payments_append_only()")


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_bill_event_rescheduled")]
    operations = [migrations.RunPython(forward, backward)]
