"""Department rows with the registry person they are about.

The datasets app owns the matching (doudi/datasets/linkage.py: exact normalised ID,
repaired typos, 15-digit numbers, name + birth date + region). When it is installed its
matches are used; otherwise rows match on the normalised ID number alone, so the
comparison still runs (and misses only rows with a broken ID number).
"""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from doudi.datasets.selectors import dataset_rows


def linked_rows(kind: str, *, as_of: dt.date, region_code: str, persons: pa.Table) -> tuple[pa.Table, list[int]]:
    """(rows of the kind's newest snapshots with `row_id` and `person_id`, import ids used)."""
    rows = dataset_rows(kind, as_of=as_of, region_code=region_code)
    imports = sorted(set(rows.column("import_id").to_pylist())) if rows.num_rows else []
    rows = rows.append_column("row_id", pa.array(range(rows.num_rows), pa.int64()))
    matched = _matched_numbers(kind, rows, as_of=as_of, region_code=region_code)
    keys = persons.select(["id_number", "person_id"]).rename_columns(["matched_id", "person_id"])
    rows = rows.append_column("matched_id", matched).join(keys, "matched_id", join_type="left outer")
    return rows.sort_by("row_id"), imports


def _matched_numbers(kind: str, rows: pa.Table, *, as_of: dt.date, region_code: str) -> pa.Array:
    """The registry ID number each row is about (null when unmatched)."""
    try:
        from doudi.datasets import linkage
    except ImportError:
        linkage = None
    if linkage is not None and hasattr(linkage, "matched_id_numbers"):
        return linkage.matched_id_numbers(kind, rows, region_code=region_code)
    return pc.cast(rows.column("id_number"), pa.string())
