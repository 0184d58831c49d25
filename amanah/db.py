"""Writes Django's ORM makes in more round trips than they need.

`insert_unless_conflict`: `INSERT … ON CONFLICT DO NOTHING RETURNING id` for one model instance.
Idempotency keys (SPTN, RqUID) are decided by the database's unique index in one statement:
no savepoint, no IntegrityError to catch. PostgreSQL and SQLite (3.35+) both speak it.

`insert_and_update`: an event row and the update of its parent (a case and its new chain head)
in one statement.
"""

from collections.abc import Iterable

from django.db import DatabaseError, connection, models


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


# The statement of `insert_and_update` by (inserted model, updated model, updated columns).
_INSERT_AND_UPDATE_SQL: dict[tuple, str] = {}


def insert_and_update(inserted: models.Model, updated: models.Model, *,
                      update_fields: Iterable[str]) -> None:
    """Insert `inserted` and write `update_fields` of the (saved) `updated`, as `save()` and
    `save(update_fields=…)` would, in one statement and one round trip: on PostgreSQL an INSERT
    in a WITH clause of the UPDATE (both or neither, as any single statement). Elsewhere, the
    two statements. Raises DatabaseError, like `save(update_fields=…)`, when `updated`'s row is
    gone — the caller's transaction then rolls the insert back."""
    names = sorted(update_fields)
    if connection.vendor != "postgresql":
        inserted.save()
        updated.save(update_fields=names)
        return
    insert_meta, update_meta = inserted._meta, updated._meta
    insert_fields = [f for f in insert_meta.concrete_fields if not f.primary_key]
    update_fields_ = [update_meta.get_field(name) for name in names]
    values = [f.get_db_prep_save(f.pre_save(inserted, True), connection) for f in insert_fields]
    values += [f.get_db_prep_save(f.pre_save(updated, False), connection)
               for f in update_fields_]
    values.append(update_meta.pk.get_db_prep_value(updated.pk, connection))
    key = (insert_meta.label, update_meta.label, tuple(names))
    sql = _INSERT_AND_UPDATE_SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in insert_fields)
        placeholders = ", ".join(["%s"] * len(insert_fields))
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in update_fields_)
        sql = _INSERT_AND_UPDATE_SQL[key] = (
            f'WITH "inserted" AS (INSERT INTO {quote(insert_meta.db_table)} ({columns}) '  # noqa: S608 - identifiers from model metadata, values bound
            f"VALUES ({placeholders}) RETURNING {quote(insert_meta.pk.column)}) "
            f"UPDATE {quote(update_meta.db_table)} SET {assignments} "
            f"WHERE {quote(update_meta.pk.column)} = %s "
            f'RETURNING (SELECT {quote(insert_meta.pk.column)} FROM "inserted")')
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        raise DatabaseError(f"{update_meta.label} {updated.pk}: the update did not affect any "
                            "rows")
    inserted.pk = row[0]
    inserted._state.adding = False
    inserted._state.db = connection.alias
