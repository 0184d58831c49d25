"""`INSERT … ON CONFLICT DO NOTHING RETURNING id` for one model instance, or many in one statement.

Idempotency keys (SPTN, RqUID) are decided by the database's unique index in one statement:
no savepoint, no IntegrityError to catch. PostgreSQL and SQLite (3.35+) both speak it.
"""

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


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


def insert_many_unless_conflict(instances: list[models.Model], *, conflict_fields: list[str],
                                key_field: str) -> dict:
    """`insert_unless_conflict` for many instances of one model in one statement.

    Returns {key: instance} for those inserted (their pk set), keyed by `key_field`'s value; an
    instance whose key already existed — or came earlier in the same list — is absent. The
    waiting on a concurrent uncommitted row is the same as for one row."""
    if not instances:
        return {}
    meta = instances[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    key = meta.get_field(key_field)
    # The connection itself, not the proxy: the proxy costs a thread-local lookup per value.
    real = connections[DEFAULT_DB_ALIAS]
    rows = [[f.get_db_prep_save(f.pre_save(instance, True), real) for f in fields]
            for instance in instances]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    conflict = ", ".join(quote(meta.get_field(name).column) for name in conflict_fields)
    row_placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608 - identifiers from model metadata, values bound
           f"{', '.join([row_placeholder] * len(rows))} "
           f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(meta.pk.column)}, "
           f"{quote(key.column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        returned = cursor.fetchall()
    first: dict = {}
    for instance in instances:
        first.setdefault(getattr(instance, key.attname), instance)
    inserted = {}
    for pk, value in returned:
        instance = first[value]
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = connection.alias
        inserted[value] = instance
    return inserted


def insert_many(instances: list[models.Model]) -> None:
    """Plain INSERT of many new instances of one model in one statement, their pks left unset:
    for rows nobody reads back in this transaction (a batch's first events). A fraction of
    bulk_create's cost per row, which compiles every value through the SQL compiler."""
    if not instances:
        return
    meta = instances[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    row_placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 - identifiers from model metadata, values bound
           f"({', '.join(quote(f.column) for f in fields)}) VALUES "
           f"{', '.join([row_placeholder] * len(instances))}")
    real = connections[DEFAULT_DB_ALIAS]  # not the proxy: see insert_many_unless_conflict
    with connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(f.pre_save(instance, True), real)
                             for instance in instances for f in fields])
