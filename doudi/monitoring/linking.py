"""Department rows with the registry person they are about, inside the comparison's engine.

The matching itself is the datasets app's (doudi/datasets/linkage.py: exact normalised ID,
15-digit numbers, repaired typos and swaps, name + birth date + region; ambiguous rows
stay unmatched). It runs here on the comparison's own engine, against one load of the
registry persons, so a province is read once, not once per dataset kind, and the
matching runs on Spark when the comparison does.
"""
from __future__ import annotations

import datetime as dt

import pyarrow as pa

from doudi.datasets.linkage import RESULT_SCHEMA, link
from doudi.datasets.selectors import dataset_rows, registry_persons

LINK_PERSONS = "link_persons"


def load_link_persons(engine, region_code: str) -> None:
    engine.load(LINK_PERSONS, registry_persons(region_code))


def load_linked(engine, kind: str, columns: str, *, as_of: dt.date, region_code: str) -> tuple[pa.Table, list[int]]:
    """Registers `raw_<kind>`, `match_<kind>` and the rule-facing view `ds_<kind>` (with
    `person_id`, null when unmatched); returns the rows and the import ids read."""
    rows = dataset_rows(kind, as_of=as_of, region_code=region_code)
    imports = sorted(set(rows.column("import_id").to_pylist())) if rows.num_rows else []
    rows = rows.append_column("row_id", pa.array(range(rows.num_rows), pa.int64()))
    engine.load(f"raw_{kind}", rows)
    matches = link(engine, f"raw_{kind}", LINK_PERSONS) if rows.num_rows else RESULT_SCHEMA.empty_table()
    engine.load(f"match_{kind}", matches)
    engine.view(f"ds_{kind}", f"""SELECT person_id, {columns} FROM (
  SELECT r.*, p.person_id FROM raw_{kind} r
  LEFT JOIN match_{kind} m ON m.import_id = r.import_id AND m.row_no = r.row_no
  LEFT JOIN persons p ON p.id_number = m.id_number) x""")
    return rows, imports
