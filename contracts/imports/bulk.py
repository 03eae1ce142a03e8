"""Bulk inserts of plain rows: PostgreSQL's `COPY … FROM STDIN` (psycopg 3), else
Django's `bulk_create` on the model's base manager.

Neither calls a model's `save` or a queryset's own `bulk_create`: a caller writing
contract counts keeps the rollup right itself (`contracts.rollup.rollup_replace`).
Database triggers still run (COPY fires a table's INSERT triggers).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, models

BATCH_SIZE = 5000


def bulk_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    using: str = "default",
) -> int:
    """Insert `rows` (one value per field of `fields`, attnames: "region_id") into the
    table of `model`; returns how many. Give every column without a database default:
    COPY knows nothing of the model's defaults."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        columns = ", ".join(connection.ops.quote_name(_column(model, name)) for name in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        written = 0
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                written += 1
        return written
    objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    model._base_manager.using(using).bulk_create(objects, batch_size=BATCH_SIZE)
    return len(objects)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


def update_in(
    model: type[models.Model],
    pks: Sequence[int],
    values: dict[str, Any],
    *,
    using: str = "default",
) -> int:
    """Set `values` on the rows `pks` of `model`'s table (one statement on PostgreSQL,
    in chunks elsewhere: SQLite bounds a statement's parameters), without the model's
    own queryset `update`."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        if not pks:
            return 0
        quote = connection.ops.quote_name
        sets = ", ".join(f"{quote(_column(model, name))} = %s" for name in values)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(model._meta.db_table)} SET {sets} "
                f"WHERE {quote(model._meta.pk.column)} = ANY(%s)",
                [*values.values(), list(pks)],
            )
            return cursor.rowcount
    manager = model._base_manager.using(using)
    updated = 0
    for start in range(0, len(pks), BATCH_SIZE):
        updated += manager.filter(pk__in=pks[start : start + BATCH_SIZE]).update(**values)
    return updated
