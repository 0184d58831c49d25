"""An index whose order says where NULLs go, built on SQLite too.

PostgreSQL reads a query's `ORDER BY x ASC NULLS LAST` straight from an index declared the same
way, which is what keeps the staff queue flat at a million cases. SQLite (the embedded default
of `make run`) refuses `NULLS LAST` inside CREATE INDEX; there the same index is built without
the NULLs clause — still an index on the same columns, and SQLite sorts the few rows a laptop
holds. The model and its migrations declare one index for both.
"""

from django.db import models
from django.db.models.expressions import OrderBy


class NullsOrderedIndex(models.Index):
    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "sqlite":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        _, expressions, options = self.deconstruct()
        portable = [OrderBy(e.expression, descending=e.descending)
                    if isinstance(e, OrderBy) else e for e in expressions]
        return models.Index(*portable, **options).create_sql(model, schema_editor, using=using,
                                                            **kwargs)
