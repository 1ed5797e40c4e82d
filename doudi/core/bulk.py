"""Fast bulk inserts for imports: COPY on PostgreSQL, executemany on SQLite. Callers
hold the transaction; values are Python objects converted once per column kind."""
from __future__ import annotations

import datetime as dt
import json
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
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_pg_value(v) for v in row])
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
        yield items[start:start + size]
