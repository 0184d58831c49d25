from django.db import migrations

# Recording settles each MISSING_IN_PORTAL item (a quarter of a file's records) by setting its
# payment, an unindexed column. With room on the item's page PostgreSQL rewrites the row in
# place (a HOT update: no index entry, far less WAL); with pages packed full (fillfactor 100,
# the default) every update moved the row to the table's end with an entry in each index, and
# at 1M records the run grew faster than the file (recording 25.0 s, 16.8 s with the room).
# Only pages written from now on keep the room; existing items are never settled again.
FILLFACTOR = 75


def room_keep(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE payments_reconitem SET (fillfactor = {FILLFACTOR})")


def room_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE payments_reconitem RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0010_recon_item_exceptions_by_position"),
    ]

    operations = [
        migrations.RunPython(room_keep, room_drop),
    ]
