"""Record linkage: which registry person each department row is about. Framework-free SQL
run through doudi.batch.engines, so DuckDB and Spark give the same answer.

    from doudi.batch.engines import open_engine
    from doudi.datasets.linkage import link
    with open_engine("duckdb") as engine:
        engine.load("rows", dataset_rows("death", as_of=day))   # storage.py columns + import_id
        engine.load("persons", registry_persons())               # selectors.PERSON_SCHEMA
        matches = link(engine, "rows", "persons")

`matches` has one line per row that matched or was ambiguous: import_id, row_no,
id_number (the registry person; null when ambiguous), method, candidates. Rows with no
line did not match anyone. Methods, tried in this order:

- `exact_id`   the normalised ID number (spaces, full-width, x fixed) is a registry person's;
- `legacy_id`  the same, for a 15-digit number widened to 18;
- `repaired_id` the number (invalid, or a widened 15-digit one nobody holds) differs from
  exactly one same-name (pinyin-equal) person's number in one digit or one swap of
  adjacent digits. GB 11643's check digit catches every such slip, so a number with a
  valid check digit is never "repaired" into someone else;
- `name_birth_region` no usable number: name (pinyin-equal, or one character off in a
  name of three or more characters with the same surname) + birth date + region fit
  exactly one person. Region: 所在区划代码 when the row has one; and when the broken
  number is long enough to be a number (15+ characters) its first six digits must be
  the person's county (of the number or of the household) — a stranger from elsewhere
  who shares a name and birthday with a registry person is not taken for them;
- `ambiguous`  the repair or the name stage found several candidates: reported, never guessed.

`matched_id_numbers(kind, rows, region_code)` is the shortcut doudi.monitoring uses: an
Arrow array aligned with `rows`, the matched registry ID number or null. Wrap a run over
several kinds in `with registry_snapshot():` so the registry is read once.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import pyarrow as pa
import pyarrow.compute as pc

from doudi.batch.engines import open_engine, unique_name

METHODS = ("exact_id", "legacy_id", "repaired_id", "name_birth_region", "ambiguous")
BODY = 17  # digits compared when repairing: the check digit follows from them
RESULT_SCHEMA = pa.schema(
    [
        ("import_id", pa.int64()),
        ("row_no", pa.int32()),
        ("id_number", pa.string()),
        ("method", pa.string()),
        ("candidates", pa.int64()),
    ]
)


def _differ(k: int) -> str:
    return f"CASE WHEN substr(a, {k}, 1) <> substr(b, {k}, 1) THEN 1 ELSE 0 END"


def _swapped(k: int) -> str:
    return (
        f"(substr(a, {k}, 1) = substr(b, {k + 1}, 1) AND substr(a, {k + 1}, 1) = substr(b, {k}, 1) "
        f"AND substr(a, {k}, 1) <> substr(a, {k + 1}, 1))"
    )


HAMMING = " + ".join(_differ(k) for k in range(1, BODY + 1))
ADJACENT_SWAP = " OR ".join(_swapped(k) for k in range(1, BODY))


def exact_sql(rows: str, persons: str) -> str:
    return f"""
SELECT r.import_id, r.row_no, p.id_number,
       CASE WHEN r.id_status = 'legacy15' THEN 'legacy_id' ELSE 'exact_id' END AS method,
       CAST(1 AS BIGINT) AS candidates
FROM {rows} r JOIN {persons} p ON p.id_number = r.id_number"""


# Rows a later stage may still match: a valid number nobody in the registry holds
# belongs to someone else (a slip would have broken its check digit), so only invalid
# and widened 15-digit numbers go on.
FUZZY_ROWS = "r.id_status IN ('invalid', 'legacy15') AND r.name_key <> ''"


def remaining_sql(rows: str, done: str, condition: str) -> str:
    """Rows of `rows` that `done` has no line for and that meet `condition`."""
    return f"""
SELECT r.* FROM {rows} r
LEFT JOIN {done} d ON d.import_id = r.import_id AND d.row_no = r.row_no
WHERE d.row_no IS NULL AND {condition}"""


def repair_sql(pending: str, persons: str) -> str:
    return f"""
SELECT import_id, row_no, CASE WHEN COUNT(*) = 1 THEN MIN(id_number) END AS id_number,
       CASE WHEN COUNT(*) = 1 THEN 'repaired_id' ELSE 'ambiguous' END AS method, COUNT(*) AS candidates
FROM (
  SELECT import_id, row_no, id_number, ({HAMMING}) AS diff, ({ADJACENT_SWAP}) AS swapped
  FROM (
    SELECT r.import_id, r.row_no, p.id_number, r.id_clean AS a, p.id_number AS b
    FROM {pending} r JOIN {persons} p ON p.name_key = r.name_key
    WHERE length(r.id_clean) = 18
      AND (substr(r.id_clean, 1, 6) = substr(p.id_number, 1, 6) OR substr(r.id_clean, 7, 8) = substr(p.id_number, 7, 8)
           OR substr(r.id_clean, 15, 3) = substr(p.id_number, 15, 3))
      AND levenshtein(substr(r.id_clean, 1, {BODY}), substr(p.id_number, 1, {BODY})) <= 2
  ) pairs
) scored
WHERE diff <= 1 OR (diff = 2 AND swapped)
GROUP BY import_id, row_no"""


def name_sql(pending: str, persons: str) -> str:
    return f"""
SELECT r.import_id, r.row_no, CASE WHEN COUNT(*) = 1 THEN MIN(p.id_number) END AS id_number,
       CASE WHEN COUNT(*) = 1 THEN 'name_birth_region' ELSE 'ambiguous' END AS method, COUNT(*) AS candidates
FROM {pending} r JOIN {persons} p ON p.birth_date = r.birth_date
WHERE (p.name_key = r.name_key
       OR (length(r.name) >= 3 AND length(p.name) = length(r.name) AND substr(p.name, 1, 1) = substr(r.name, 1, 1)
           AND levenshtein(p.name, r.name) = 1))
  AND (r.region_code IS NULL OR r.region_code = '' OR p.region_code LIKE r.region_code || '%')
  AND (length(r.id_clean) < 15 OR substr(r.id_clean, 1, 6) = substr(p.id_number, 1, 6)
       OR substr(r.id_clean, 1, 6) = substr(p.region_code, 1, 6))
GROUP BY r.import_id, r.row_no"""


def link(engine, rows: str, persons: str) -> pa.Table:
    """Runs the stages on tables already loaded into `engine`; returns the matches sorted."""
    names = {stage: unique_name(f"link_{stage}") for stage in ("exact", "pending", "repair", "pending2", "named")}
    engine.create(names["exact"], exact_sql(rows, persons))
    engine.create(names["pending"], remaining_sql(rows, names["exact"], FUZZY_ROWS))
    engine.create(names["repair"], repair_sql(names["pending"], persons))
    engine.view(names["pending2"], remaining_sql(names["pending"], names["repair"], "r.birth_date IS NOT NULL"))
    engine.create(names["named"], name_sql(names["pending2"], persons))
    union = " UNION ALL ".join(
        f"SELECT import_id, row_no, id_number, method, candidates FROM {names[s]}" for s in ("exact", "repair", "named")
    )
    result = engine.query(f"SELECT * FROM ({union}) m ORDER BY import_id, row_no")
    return result.cast(RESULT_SCHEMA)


def matched_id_numbers(
    kind: str, rows: pa.Table, *, region_code: str = "", engine: str = "duckdb", persons: pa.Table | None = None
) -> pa.Array:
    """For each row of `rows` (dataset_rows() output), the matched registry ID number or
    null. Ambiguous rows stay null. `persons` defaults to the registry (read once per
    `registry_snapshot()` block)."""
    if rows.num_rows == 0:
        return pa.array([], pa.string())
    persons = persons if persons is not None else _registry(region_code)
    with open_engine(engine) as running:
        running.load(
            "link_rows",
            rows.select(
                ["import_id", "row_no", "id_number", "id_clean", "id_status", "name", "name_key", "birth_date", "region_code"]
            ),
        )
        running.load("link_persons", persons)
        matches = link(running, "link_rows", "link_persons")
    keyed = pc.add(
        pc.multiply(pc.cast(rows.column("import_id"), pa.int64()), 1 << 32), pc.cast(rows.column("row_no"), pa.int64())
    )
    found = pc.add(pc.multiply(matches.column("import_id"), 1 << 32), pc.cast(matches.column("row_no"), pa.int64()))
    index = pc.index_in(keyed, value_set=found)
    return pc.take(matches.column("id_number"), index)


_SNAPSHOT: ContextVar[dict | None] = ContextVar("registry_snapshot", default=None)


@contextmanager
def registry_snapshot():
    """Within the block, matched_id_numbers reads the registry once per region and reuses
    it (a comparison links every kind against the same registry; a province's is 100+ MB
    and takes seconds to read). Outside it, every call reads the registry afresh."""
    token = _SNAPSHOT.set({})
    try:
        yield
    finally:
        _SNAPSHOT.reset(token)


def _registry(region_code: str) -> pa.Table:
    from doudi.datasets.selectors import registry_persons

    cache = _SNAPSHOT.get()
    if cache is None:
        return registry_persons(region_code)
    if region_code not in cache:
        cache[region_code] = registry_persons(region_code)
    return cache[region_code]
