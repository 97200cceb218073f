"""Bulk writes near the floor: PostgreSQL's COPY where the database is PostgreSQL,
``bulk_create`` in large batches elsewhere (SQLite for the newcomer and the fast tests).

COPY reads CSV written with every non-number quoted; only the nullable columns turn an empty
field into NULL (``FORCE_NULL``), so no text a user typed (not even a literal backslash-N)
can become NULL. Booleans and JSON are
converted as the ORM would; text reaches this module already cleaned of control characters.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from django.db import connection, models

COPY_CHUNK = 50_000


def _copy_options(fields) -> str:
    nullable = [connection.ops.quote_name(f.column) for f in fields if f.null]
    if not nullable:
        return "WITH (FORMAT csv)"
    return f"WITH (FORMAT csv, FORCE_NULL ({', '.join(nullable)}))"


def _writer(buffer):
    # Quoting every non-number: an unquoted empty field (None) is the only NULL.
    return csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for ``count`` new rows, taken from the table's sequence in one query
    (PostgreSQL only), so children can reference them before the parents are copied."""
    if count == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert(model: type[models.Model], objects: Sequence[models.Model], *, batch_size=2000):
    """Insert ``objects``; on PostgreSQL each gets its primary key from the sequence first and
    the rows are copied in. Returns the objects (with primary keys set)."""
    if not objects:
        return objects
    if not is_postgresql():
        return model.objects.bulk_create(objects, batch_size=batch_size)
    missing = [o for o in objects if o.pk is None]
    for obj, pk in zip(missing, reserve_ids(model, len(missing)), strict=True):
        obj.pk = pk
    fields = [f for f in model._meta.concrete_fields]
    _pre_save(objects, fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    converters = [(f.attname, _converter(f)) for f in fields]
    copied = fields
    with connection.cursor() as cursor:
        for start in range(0, len(objects), COPY_CHUNK):
            buffer = io.StringIO()
            writer = _writer(buffer)
            writer.writerows(
                [
                    None if (value := getattr(obj, name)) is None else convert(value)
                    for name, convert in converters
                ]
                for obj in objects[start : start + COPY_CHUNK]
            )
            buffer.seek(0)
            cursor.cursor.copy_expert(
                f"COPY {table} ({columns}) FROM STDIN {_copy_options(copied)}", buffer
            )
    return objects


def _pre_save(objects, fields) -> None:
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                field.pre_save(obj, add=True)


_PLAIN = (
    models.DecimalField,
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.DateField,
    models.ForeignKey,
    models.GenericIPAddressField,
)  # DateTimeField is a DateField: str() of an aware datetime is what COPY reads


def _converter(field):
    """How one field's Python value becomes COPY text; chosen once per field, not per cell."""
    if isinstance(field, models.BooleanField):
        return lambda value: "t" if value else "f"
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, ensure_ascii=False, cls=field.encoder)
    if isinstance(field, _PLAIN):
        return _same
    return lambda value: field.get_db_prep_save(value, connection)


def _same(value):
    return value


def insert_values(
    model: type[models.Model], names: Sequence[str], rows: Sequence[tuple], *, returning=True
):
    """Insert plain tuples (values in the order of ``names``, attribute names such as
    ``school_id``) without building model instances on PostgreSQL; the other fields take
    their defaults. Returns the new primary keys in row order, or nothing when
    ``returning`` is false (the database then numbers the rows itself, which is faster)."""
    if not rows:
        return []
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_name[name] for name in names]
    defaults = [
        f for f in model._meta.concrete_fields if f.attname not in names and not f.primary_key
    ]
    if not is_postgresql():
        objects = [model(**dict(zip(names, row, strict=True))) for row in rows]
        model.objects.bulk_create(objects, batch_size=2000)
        return [o.pk for o in objects]
    ids = reserve_ids(model, len(rows)) if returning else [None] * len(rows)
    # Defaults are the same for every row: convert them once.
    tail = [None if (v := _default(f)) is None else _converter(f)(v) for f in defaults]
    # Only columns that may hold None, booleans or JSON need work per row.
    special = [
        (position + 1, _converter(field))
        for position, field in enumerate(fields)
        if _converter(field) is not _same
    ]
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    columns = ", ".join(
        [
            *([pk_column] if returning else []),
            *(connection.ops.quote_name(f.column) for f in [*fields, *defaults]),
        ]
    )
    first = 0 if returning else 1  # without ids, each row's leading None is dropped
    copied = [*fields, *defaults]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), COPY_CHUNK):
            buffer = io.StringIO()
            writer = _writer(buffer)
            for pk, row in zip(
                ids[start : start + COPY_CHUNK], rows[start : start + COPY_CHUNK], strict=True
            ):
                values = [pk, *row, *tail]
                for position, convert in special:
                    value = values[position]
                    values[position] = None if value is None else convert(value)
                writer.writerow(values[first:])
            buffer.seek(0)
            cursor.cursor.copy_expert(
                f"COPY {table} ({columns}) FROM STDIN {_copy_options(copied)}", buffer
            )
    return ids if returning else []


def _default(field):
    from django.utils import timezone

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    if field.has_default():
        return field.get_default()
    return None
