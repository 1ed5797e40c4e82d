"""Department rows with the registry person they are about, inside the comparison's engine.

The rows are the newest snapshot per kind and import region (doudi.datasets.selectors.
latest_imports), read by the engine straight from their Parquet files (storage.py), so a
province's 30M rows never pass through Python. The matching itself is the datasets app's
(doudi/datasets/linkage.py: exact normalised ID, 15-digit numbers, repaired typos and
swaps, name + birth date + region; ambiguous rows stay unmatched), run on the same engine
against the registry persons read once with the snapshot (inputs.py) — on Spark when the comparison runs on Spark.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from django.conf import settings

from doudi.batch.engines import unique_name
from doudi.datasets import storage
from doudi.datasets.kinds import KINDS
from doudi.datasets.linkage import RESULT_SCHEMA, link
from doudi.datasets.selectors import latest_imports

LINK_PERSONS = "link_persons"


def _load_raw(engine, kind: str, *, as_of: dt.date, region_code: str) -> list:
    records = latest_imports(as_of=as_of, region_code=region_code, kinds=[kind])
    parts = []
    for record in records:
        name = unique_name(f"pq_{kind}")
        engine.load(name, str(settings.DATA_DIR / "datasets" / record.storage))
        parts.append(f"SELECT CAST({int(record.pk)} AS BIGINT) AS import_id, * FROM {name}")
    if parts:
        engine.create(f"raw_{kind}", " UNION ALL ".join(parts))
    else:
        empty = pa.schema([("import_id", pa.int64())] + list(storage.schema(KINDS[kind]))).empty_table()
        engine.load(f"raw_{kind}", empty)
    return records


def load_linked(engine, kind: str, columns: str, *, as_of: dt.date, region_code: str) -> dict:
    """Registers `raw_<kind>`, `match_<kind>` and the rule-facing view `ds_<kind>` (with
    `person_id`, null when unmatched); returns the imports read and their row count."""
    records = _load_raw(engine, kind, as_of=as_of, region_code=region_code)
    matches = link(engine, f"raw_{kind}", LINK_PERSONS) if records else RESULT_SCHEMA.empty_table()
    engine.load(f"match_{kind}", matches)
    engine.view(
        f"ds_{kind}",
        f"""SELECT person_id, {columns} FROM (
  SELECT r.*, p.person_id FROM raw_{kind} r
  LEFT JOIN match_{kind} m ON m.import_id = r.import_id AND m.row_no = r.row_no
  LEFT JOIN persons p ON p.id_number = m.id_number) x""",
    )
    return {"imports": sorted(r.pk for r in records), "rows": sum(r.rows for r in records), "matched": matches.num_rows}
