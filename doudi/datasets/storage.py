"""Accepted dataset rows on disk: one Parquet file per import.

Path: `settings.DATA_DIR/datasets/<kind>/<import id>.parquet`. The file is written under
a temporary name and renamed when the database transaction that records the import
commits, so a reader never sees a half-written file and a failed import leaves nothing.

Columns (every kind), then the kind's own fields (kinds.py). `import_id` is not stored (the
id exists only once the import row commits); selectors.dataset_rows() adds it on reading.

| column | type | meaning |
|---|---|---|
| row_no | int32 | spreadsheet row (header = 1) |
| id_number | string | normalised 18-digit number, null when it cannot be normalised |
| id_raw | string | the cell as given |
| id_clean | string | trimmed, half-width, upper-case; 15 digits widened to 18 — what typo repair compares |
| id_status | string | valid / normalised (spaces, full-width, x) / legacy15 / invalid |
| name | string | cleaned name (names.clean_name) |
| name_key | string | toneless pinyin of the name (names.name_key) |
| birth_date | date32 | from the ID when valid, else 出生日期, else the ID's date digits when they form a date |
| region_code | string | 所在区划代码 when the file has one |
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from doudi.datasets.kinds import KINDS, Column, Kind

BASE_FIELDS = [
    ("row_no", pa.int32()),
    ("id_number", pa.string()),
    ("id_raw", pa.string()),
    ("id_clean", pa.string()),
    ("id_status", pa.string()),
    ("name", pa.string()),
    ("name_key", pa.string()),
    ("birth_date", pa.date32()),
    ("region_code", pa.string()),
]
MONEY = pa.decimal128(14, 2)
_ARROW = {"string": pa.string(), "date32": pa.date32(), "decimal": MONEY, "int16": pa.int16()}
_TYPES = {
    "text": "string",
    "date": "date32",
    "money": "decimal",
    "int": "int16",
    "month": "string",
    "region": "string",
    "ids": "string",
    "choice": "string",
}


def kind_fields(kind: Kind) -> list[Column]:
    """The kind's typed columns stored after the base ones (region_code is a base column)."""
    return [c for c in kind.columns if c.field != "region_code"]


def field_type(column: Column) -> pa.DataType:
    return _ARROW[_TYPES[column.type]]


def schema(kind: Kind | str) -> pa.Schema:
    kind = KINDS[kind] if isinstance(kind, str) else kind
    fields = BASE_FIELDS + [(c.field, field_type(c)) for c in kind_fields(kind)]
    return pa.schema(fields)


def folder(kind: str) -> Path:
    return Path(settings.DATA_DIR) / "datasets" / kind


def final_path(kind: str, import_id: int) -> Path:
    return folder(kind) / f"{import_id}.parquet"


class RowWriter:
    """Collects rows as column lists and flushes them to a Parquet file in batches, so a
    province file streams through in constant memory."""

    def __init__(self, kind: Kind, path: Path, batch_rows: int = 200_000):
        self.schema = schema(kind)
        self.names = self.schema.names
        self.path = path
        self.batch_rows = batch_rows
        self.columns: dict[str, list] = {n: [] for n in self.names}
        self.count = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self.writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")

    def add(self, values: dict) -> None:
        for name in self.names:
            self.columns[name].append(values.get(name))
        self.count += 1
        if len(self.columns["row_no"]) >= self.batch_rows:
            self.flush()

    def add_table(self, table: pa.Table) -> None:
        """Rows already in this schema, e.g. from the vectorised parser."""
        if table.num_rows:
            self.flush()
            self.writer.write_table(table)
            self.count += table.num_rows

    def flush(self) -> None:
        if self.columns["row_no"]:
            self.writer.write_table(pa.Table.from_pydict(self.columns, schema=self.schema))
            self.columns = {n: [] for n in self.names}

    def close(self) -> None:
        self.flush()
        self.writer.close()

    def reset(self) -> None:
        """Starts the file again, empty (the caller re-reads its source)."""
        self.discard()
        self.columns = {n: [] for n in self.names}
        self.count = 0
        self.writer = pq.ParquetWriter(str(self.path), self.schema, compression="zstd")

    def discard(self) -> None:
        try:
            self.writer.close()
        finally:
            self.path.unlink(missing_ok=True)


def publish(temp: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp, target)
