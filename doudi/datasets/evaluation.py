"""Scoring linkage against the planted truth of doudi.synth.datasets, without a database:
the tests (precision/recall per kind) and bench/linkage_bench.py share these.

    persons = persons_table(households)               # registry side, selectors.PERSON_SCHEMA
    rows = rows_table(folder)                         # every <kind>.csv through the real parser
    scores = score(link(engine, "rows", "persons"), read_truth(folder))
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from doudi.datasets import storage
from doudi.datasets.kinds import KINDS
from doudi.datasets.names import clean_name, name_key
from doudi.datasets.selectors import PERSON_SCHEMA

LINK_COLUMNS = ["row_no", "id_number", "id_clean", "id_status", "name", "name_key", "birth_date", "region_code"]
KIND_IDS = {kind: number for number, kind in enumerate(KINDS, start=1)}  # import_id stand-ins


def persons_table(households: Iterable) -> pa.Table:
    """Registry persons of synthetic households, as selectors.registry_persons() gives them."""
    columns: dict[str, list] = {name: [] for name in PERSON_SCHEMA.names}
    for household in households:
        for member in household.members:
            number, name = member["身份证号"], clean_name(member["姓名"])
            columns["id_number"].append(number)
            columns["name"].append(name)
            columns["name_key"].append(name_key(name))
            columns["birth_date"].append(dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])))
            columns["region_code"].append(household.household["行政区划代码"])
            columns["household_code"].append(household.household["户编号"])
    return pa.Table.from_pydict(columns, schema=PERSON_SCHEMA)


def parse_file(kind: str, path: Path, target: Path) -> dict:
    """One department file through the import parser into a storage Parquet file."""
    from doudi.datasets.services import read_rows

    writer = storage.RowWriter(KINDS[kind], target)
    try:
        counts = read_rows(KINDS[kind], path, path.name, writer)
    except BaseException:
        writer.discard()
        raise
    writer.close()
    return counts.summary()


def rows_table(folder: Path, kinds: Iterable[str] = KINDS) -> pa.Table:
    """Rows of every kind's file, with import_id = KIND_IDS[kind]."""
    tables = []
    with tempfile.TemporaryDirectory() as scratch:
        for kind in kinds:
            target = Path(scratch) / f"{kind}.parquet"
            parse_file(kind, Path(folder) / f"{kind}.csv", target)
            table = pq.read_table(target, columns=LINK_COLUMNS)
            tables.append(table.add_column(0, "import_id", pa.array([KIND_IDS[kind]] * table.num_rows, pa.int64())))
    return pa.concat_tables(tables)


def read_truth(folder: Path) -> dict[tuple[int, int], tuple[str, str]]:
    """(import_id, row_no) → (registry id_number, dirt) for every planted row."""
    with (Path(folder) / "linkage_truth.csv").open(encoding="utf-8") as handle:
        return {(KIND_IDS[r["kind"]], int(r["row_no"])): (r["id_number"], r["dirt"]) for r in csv.DictReader(handle)}


def score(matches: pa.Table, truth: dict, stored: pa.Table) -> dict[str, dict]:
    """Precision and recall per kind, and recall per dirt, over the rows actually stored
    (exact duplicate rows are dropped at import, so they are not counted)."""
    kinds = {number: kind for kind, number in KIND_IDS.items()}
    kept = set(zip(stored.column("import_id").to_pylist(), stored.column("row_no").to_pylist()))
    found = {(m["import_id"], m["row_no"]): m["id_number"] for m in matches.to_pylist() if m["id_number"]}
    tp, fp, fn, dirt_hit, dirt_all = Counter(), Counter(), Counter(), Counter(), Counter()
    for key, (number, dirt) in truth.items():
        if key not in kept:
            continue
        hit = found.get(key) == number
        (tp if hit else fn)[kinds[key[0]]] += 1
        for part in (dirt or "clean").split("+"):
            dirt_all[part] += 1
            dirt_hit[part] += hit
    for key, number in found.items():
        if truth.get(key, (None,))[0] != number:
            fp[kinds[key[0]]] += 1
    result = {
        kind: {
            "tp": tp[kind],
            "fp": fp[kind],
            "fn": fn[kind],
            "precision": tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0,
            "recall": tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else 1.0,
        }
        for kind in KINDS
    }
    result["_dirt"] = {d: {"rows": dirt_all[d], "recall": dirt_hit[d] / dirt_all[d]} for d in dirt_all}
    return result
