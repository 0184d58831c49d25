"""On PostgreSQL the database itself refuses UPDATE and DELETE of case events, so the trail
stays append-only even for code that bypasses the ORM's save()/delete() guards."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION workflow_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('workflow.allow_event_rewrite', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    RAISE EXCEPTION 'workflow case events are append-only' USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workflow_caseevent_append_only
    BEFORE UPDATE OR DELETE ON workflow_caseevent
    FOR EACH ROW EXECUTE FUNCTION workflow_caseevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS workflow_caseevent_append_only ON workflow_caseevent;
DROP FUNCTION IF EXISTS workflow_caseevent_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
