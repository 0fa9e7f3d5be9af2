"""Inserting many new rows at once: PostgreSQL's COPY where the database has it, `bulk_create` elsewhere.

COPY streams the rows without an SQL statement to build and parse per batch, several times faster than a
multi-row INSERT. `insert` draws the ids from the table's sequence first, so the objects come back with their
primary keys, as from `bulk_create`; `copy` takes plain rows (no model instances to build) when no id is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models


def insert(objs: Sequence[models.Model]) -> None:
    """Insert these new objects of one model (no signals, as `bulk_create`); they get their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    conn = connections[DEFAULT_DB_ALIAS]  # the connection itself: the `connection` proxy costs a lookup per use
    if conn.vendor != "postgresql":
        model._default_manager.bulk_create(objs)
        return
    meta = model._meta
    with conn.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
    fields = list(meta.concrete_fields)
    prepare = [_preparer(f, conn) for f in fields]
    rows = ([prep(f.pre_save(obj, True)) for f, prep in zip(fields, prepare, strict=True)] for obj in objs)
    _copy(conn, meta.db_table, [f.column for f in fields], rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = conn.alias


def copy(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert plain rows of values ready for the database (numbers, dates, text) into these columns."""
    if not rows:
        return
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        model._default_manager.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows])
        return
    fields = [model._meta.get_field(c) for c in columns]
    _copy(conn, model._meta.db_table, [f.column for f in fields if isinstance(f, models.Field)], rows)


def _copy(conn: Any, table: str, columns: Sequence[str], rows: Any) -> None:
    quote = conn.ops.quote_name
    with conn.cursor() as cursor, cursor.cursor.copy(
            f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN") as stream:
        for row in rows:
            stream.write_row(row)


def _preparer(field: models.Field, conn: Any) -> Callable[[Any], Any]:
    """How a field's value goes to the database, bound once per batch rather than looked up per value."""
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, conn)
    if isinstance(field, models.CharField | models.TextField):  # choices are str subclasses: their value
        return lambda value: value if value is None else str(value)
    return lambda value: value  # numbers, dates, times, booleans, ids: COPY takes them as they are
