"""Fast bulk inserts for imports: COPY on PostgreSQL, executemany on SQLite. Callers
hold the transaction; values are Python objects converted once per column kind. Also
`no_jit`, for large set-wise reads."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from decimal import Decimal
from itertools import islice
from typing import Iterable, Sequence

from django.db import connection


def _sqlite_value(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _pg_value(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def insert_rows(model, fields: Sequence[str], rows: Iterable[Sequence], chunk: int = 10000) -> int:
    """Inserts `rows` (tuples in the order of `fields`) into `model`'s table."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            json_columns = [i for i, f in enumerate(fields) if model._meta.get_field(f).get_internal_type() == "JSONField"]
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    if json_columns:
                        row = list(row)
                        for index in json_columns:
                            row[index] = _pg_value(row[index])
                    copy.write_row(row)
                    written += 1
            return written
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        iterator = iter(rows)
        while batch := list(islice(iterator, chunk)):
            cursor.executemany(sql, [[_sqlite_value(v) for v in row] for row in batch])
            written += len(batch)
    return written


def chunked(items: Sequence, size: int = 2000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch_by_keys(model, key: str, keys, fields: Sequence[str]) -> list[dict]:
    """Rows of `model` whose `key` is in `keys`, as dicts. On PostgreSQL one array
    parameter per 50,000 keys; elsewhere the ORM's IN lists."""
    keys = sorted(keys)
    if connection.vendor != "postgresql":
        found = []
        for part in chunked(keys, 2000):
            found.extend(model.objects.filter(**{f"{key}__in": part}).values(*fields))
        return found
    meta = model._meta
    columns = [meta.get_field(f).column for f in fields]
    select = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = (
        f"SELECT {select} FROM {connection.ops.quote_name(meta.db_table)} "
        f"WHERE {connection.ops.quote_name(meta.get_field(key).column)} = ANY(%s)"
    )
    found = []
    with connection.cursor() as cursor:
        for part in chunked(keys, 50000):
            cursor.execute(sql, [list(part)])
            found.extend(dict(zip(fields, row)) for row in cursor.fetchall())
    return found


def reserve_ids(model, count: int) -> list[int]:
    """Primary keys for `count` rows about to be inserted, so that children can point at
    them without reading them back. The caller holds the (write) transaction."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is looked up once: pg_get_serial_sequence() inside the row
            # generator ran per row and took seconds for a province. The ids come back as
            # a range when nobody else drew from the sequence meanwhile (the usual case).
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                "WITH drawn AS (SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)) "
                "SELECT min(id), max(id), CASE WHEN max(id) - min(id) + 1 = count(*) THEN NULL "
                "ELSE array_agg(id ORDER BY id) END FROM drawn",
                [sequence, count],
            )
            first, last, scattered = cursor.fetchone()
            return scattered if scattered is not None else list(range(first, last + 1))
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


BULK_LOAD_ROWS = 100_000


@contextmanager
def foreign_keys_checked_once(models, *, rows: int):
    """For a bulk load of `rows` rows on PostgreSQL: the foreign keys of `models`' tables
    are dropped and added back at the end, which checks every row in one join instead of
    one lookup per inserted row (8 s of a 1M-member import). The caller has already checked
    the references and holds the transaction, so a failure rolls the constraints back in
    place. Adding them back locks the tables briefly; readers wait during a load this large."""
    if connection.vendor != "postgresql" or rows < BULK_LOAD_ROWS:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conname",
            [[m._meta.db_table for m in models]],
        )
        constraints = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")


@contextmanager
def no_jit():
    """PostgreSQL's JIT compiles plans with a high estimated cost (the EXISTS … OR EXISTS …
    person counts of the weekly table and the visit plan) for longer than they run: 3.5 s
    instead of 0.3 s for one figure of a 30,000-person county (docs/benchmarks.md). Off for
    the reads inside (SET LOCAL, in a transaction); nothing to do on SQLite."""
    from django.db import transaction

    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield
