"""Writes Django's ORM makes in more round trips, or with more CPU, than they need.

`insert_unless_conflict`: `INSERT … ON CONFLICT DO NOTHING RETURNING id` for one model instance.
Idempotency keys (SPTN, RqUID) are decided by the database's unique index in one statement:
no savepoint, no IntegrityError to catch. PostgreSQL and SQLite (3.35+) both speak it.

`insert_row`, `update_row`, `locked_row_get`: one row in one hand-written statement (hot paths).

`insert_and_update`: an event row and the update of its parent (a case and its new chain head)
in one statement.
"""

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models

# SQL built once per model and column list (identifiers only; values are always bound).
_sql_cache: dict[tuple, tuple[str, list]] = {}


def insert_unless_conflict(instance: models.Model, *, conflict_fields: list[str]) -> bool:
    """Insert `instance`; True if inserted (its pk is set), False if the key already existed.

    When a concurrent transaction holds an uncommitted row with the same key, PostgreSQL
    waits for it: after its commit this returns False, after its rollback this inserts.
    """
    key = ("insert_unless_conflict", type(instance), tuple(conflict_fields))
    if key not in _sql_cache:
        # Built once per model and key: quoting every column anew was ~2% of a notification.
        meta = instance._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        conflict = ", ".join(quote(meta.get_field(name).column) for name in conflict_fields)
        placeholders = ", ".join(["%s"] * len(fields))
        _sql_cache[key] = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608 - identifiers from model metadata, values bound
            f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(meta.pk.column)}", fields)
    sql, fields = _sql_cache[key]
    db = connections[DEFAULT_DB_ALIAS]
    values = [f.get_db_prep_save(f.pre_save(instance, True), db) for f in fields]
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = db.alias
    return True


# --- single rows in one hand-written statement, for hot paths -------------------------------
# Model.save() costs about half a millisecond of CPU per row (signals, field walking, SQL
# compiled anew each time); a payment notification writes six rows. These write the very same
# columns in one statement whose SQL is built once per model and field list. They send no
# signals: use them only for models nothing listens to (no history, no receivers).

def _insert_sql(model: type[models.Model]) -> tuple[str, list]:
    key = ("insert", model)
    if key not in _sql_cache:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"  # noqa: S608 - identifiers from model metadata, values bound
               f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(meta.pk.column)}")
        _sql_cache[key] = (sql, fields)
    return _sql_cache[key]


def insert_row(instance: models.Model) -> None:
    """INSERT a new instance (every concrete column, defaults and auto_now applied); sets pk."""
    if instance.pk is not None or not instance._state.adding:
        raise ValueError(f"{type(instance).__name__} is already saved")
    sql, fields = _insert_sql(type(instance))
    # The wrapper itself, not the `connection` proxy: each field's conversion reads it several
    # times, and every read through the proxy is a thread-local look-up.
    db = connections[DEFAULT_DB_ALIAS]
    values = [f.get_db_prep_save(f.pre_save(instance, True), db) for f in fields]
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = db.alias


def update_row(instance: models.Model, *, fields: list[str]) -> None:
    """UPDATE `fields` of a saved instance by its pk, as save(update_fields=…) would (auto_now
    fields among them move to now); like it, refuses when no row was updated."""
    meta = type(instance)._meta
    key = ("update", type(instance), tuple(fields))
    if key not in _sql_cache:
        quote = connection.ops.quote_name
        chosen = [meta.get_field(name) for name in fields]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in chosen)
        _sql_cache[key] = (f"UPDATE {quote(meta.db_table)} SET {sets} "  # noqa: S608 - identifiers from model metadata, values bound
                           f"WHERE {quote(meta.pk.column)} = %s", chosen)
    sql, chosen = _sql_cache[key]
    db = connections[DEFAULT_DB_ALIAS]
    values = [f.get_db_prep_save(f.pre_save(instance, False), db) for f in chosen]
    with db.cursor() as cursor:
        cursor.execute(sql, [*values, instance.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"{type(instance).__name__} {instance.pk}: no row was updated")


def locked_row_get(model: type[models.Model], *, field: str, value) -> models.Model | None:
    """The row whose unique `field` equals `value`, read with SELECT … FOR UPDATE (the caller
    is in a transaction), as a model instance; None if there is none."""
    key = ("locked", model, field)
    if key not in _sql_cache:
        meta = model._meta
        quote = connection.ops.quote_name
        columns = meta.concrete_fields
        # SQLite (the embedded default of `make run`) has no FOR UPDATE: its writer holds the
        # whole database instead, as the ORM's select_for_update() assumes there.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        _sql_cache[key] = (
            f"SELECT {', '.join(quote(f.column) for f in columns)} FROM {quote(meta.db_table)} "  # noqa: S608 - identifiers from model metadata, values bound
            f"WHERE {quote(meta.get_field(field).column)} = %s LIMIT 1{lock}", columns)
    sql, columns = _sql_cache[key]
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    converted = []
    for f, raw in zip(columns, row, strict=True):
        for converter in f.get_db_converters(db):
            raw = converter(raw, f, db)
        converted.append(raw)
    return model.from_db(db.alias, [f.attname for f in columns], converted)


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
