"""`INSERT … ON CONFLICT DO NOTHING RETURNING id` for one model instance.

Idempotency keys (SPTN, RqUID) are decided by the database's unique index in one statement:
no savepoint, no IntegrityError to catch. PostgreSQL and SQLite (3.35+) both speak it.
"""

from django.db import connection, models


def insert_unless_conflict(instance: models.Model, *, conflict_fields: list[str]) -> bool:
    """Insert `instance`; True if inserted (its pk is set), False if the key already existed.

    When a concurrent transaction holds an uncommitted row with the same key, PostgreSQL
    waits for it: after its commit this returns False, after its rollback this inserts.
    """
    meta = instance._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    conflict = ", ".join(quote(meta.get_field(name).column) for name in conflict_fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608 - identifiers from model metadata, values bound
           f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(meta.pk.column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return True
