"""部门数据比对：匹配 — record linkage at province scale (issue #4).

Data: a synthetic province (`python -m doudi.synth --scale province --datasets`): 1.6M
registry persons and every docs/interfaces.md §5 kind with planted rows plus strangers, 30M rows in
all, parsed by the real import parser into the storage Parquet format (cached).

1. Exact-ID stage vs the floor, in one DuckDB connection on the same tables: doudi's
   `exact_sql` against a hand-written `rows JOIN persons USING (id_number)`; best of
   --repeat runs each, alternating.
2. The whole linkage (`link`): time, methods, precision and recall per kind against
   the planted truth.
3. Fuzzy stage vs Splink (DuckDB backend) on the same rows needing fuzzy matching (no
   exact match; number invalid or widened from 15 digits): doudi's repair + name stages
   against Splink's training + prediction, recall and precision on those rows.

    python -m bench.linkage_bench [--persons 1600000] [--dataset-rows 30000000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from bench.common import OUT, save, timed

UID = 1 << 32  # import_id * UID + row_no: one integer key per dataset row


def synth_folder(persons: int, rows: int, seed: int) -> Path:
    folder = OUT / f"linkage-{persons}-{rows}-{seed}"
    if not (folder / "部门数据" / "manifest.json").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "doudi.synth",
                "--scale",
                "province",
                "--seed",
                str(seed),
                "--persons",
                str(persons),
                "--out",
                str(folder),
                "--datasets",
                "--dataset-rows",
                str(rows),
            ],
            check=True,
        )
    return folder


def load_persons(folder: Path) -> pa.Table:
    import duckdb

    from doudi.datasets.names import clean_name, name_key
    from doudi.datasets.selectors import PERSON_SCHEMA

    table = duckdb.sql(f"""SELECT m."身份证号" AS id_number, m."姓名" AS raw_name, h."行政区划代码" AS region_code,
        m."户编号" AS household_code FROM read_csv('{folder / "成员.csv"}', all_varchar = true) m
        JOIN read_csv('{folder / "家庭.csv"}', all_varchar = true) h ON h."户编号" = m."户编号" ORDER BY 1""").to_arrow_table()
    names = {raw: clean_name(raw) for raw in pc.unique(table.column("raw_name")).to_pylist()}
    cleaned = [names[n] for n in table.column("raw_name").to_pylist()]
    keys = {n: name_key(n) for n in set(cleaned)}
    births = pc.strptime(pc.utf8_slice_codeunits(table.column("id_number"), 6, 14), format="%Y%m%d", unit="s")
    return pa.table(
        [
            table.column("id_number"),
            pa.array(cleaned),
            pa.array([keys[n] for n in cleaned]),
            pc.cast(births, pa.date32()),
            table.column("region_code"),
            table.column("household_code"),
        ],
        schema=PERSON_SCHEMA,
    )


def _parse_one(job: tuple[str, str, str]) -> tuple[str, dict, float]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doudi.settings")
    import django

    django.setup()
    from doudi.datasets.evaluation import parse_file

    kind, source, target = job
    started = time.perf_counter()
    partial = Path(target + ".partial")
    counts = parse_file(kind, Path(source), partial)
    partial.rename(target)  # only whole files are reused by a later run
    return kind, counts, time.perf_counter() - started


def parse_all(folder: Path, jobs: int, result: dict) -> Path:
    """Every kind's file through the import parser (cached: the parse is not what is compared)."""
    from doudi.datasets.kinds import KINDS

    parsed = folder / "parsed"
    parsed.mkdir(exist_ok=True)
    todo = [
        (k, str(folder / "部门数据" / f"{k}.csv"), str(parsed / f"{k}.parquet"))
        for k in KINDS
        if not (parsed / f"{k}.parquet").exists()
    ]
    todo.sort(key=lambda job: -Path(job[1]).stat().st_size)
    if todo:
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for kind, counts, seconds in pool.map(_parse_one, todo):
                print(f"  parsed {kind}: {counts['rows']:,} rows in {seconds:.0f} s", file=sys.stderr, flush=True)
        result["parse_seconds"] = round(time.perf_counter() - started, 1)
    return parsed


def load_rows(engine, parsed: Path) -> int:
    from doudi.datasets.evaluation import KIND_IDS, LINK_COLUMNS

    parts = []
    for kind, number in KIND_IDS.items():
        engine.load(f"parsed_{kind}", parsed / f"{kind}.parquet")
        parts.append(f"SELECT {number} AS import_id, {', '.join(LINK_COLUMNS)} FROM parsed_{kind}")
    engine.create("rows", " UNION ALL ".join(parts))
    return engine.query("SELECT COUNT(*) AS n FROM rows").column("n")[0].as_py()


FLOOR_SQL = "SELECT r.import_id, r.row_no, p.id_number FROM rows r JOIN persons p ON p.id_number = r.id_number"


def exact_vs_floor(engine, result: dict, repeat: int) -> None:
    from doudi.datasets.linkage import exact_sql

    times = {"floor": [], "doudi": []}
    for _ in range(repeat):
        for label, sql in (("floor", FLOOR_SQL), ("doudi", exact_sql("rows", "persons"))):
            started = time.perf_counter()
            engine.create(f"bench_{label}", sql)
            times[label].append(time.perf_counter() - started)
    result["exact_floor_seconds"] = round(min(times["floor"]), 3)
    result["exact_doudi_seconds"] = round(min(times["doudi"]), 3)
    result["exact_ratio"] = round(result["exact_doudi_seconds"] / result["exact_floor_seconds"], 2)
    result["exact_matches"] = engine.query("SELECT COUNT(*) AS n FROM bench_doudi").column("n")[0].as_py()
    assert result["exact_matches"] == engine.query("SELECT COUNT(*) AS n FROM bench_floor").column("n")[0].as_py()


def whole_linkage(engine, folder: Path, result: dict) -> None:
    from doudi.datasets.evaluation import read_truth, score
    from doudi.datasets.linkage import link

    with timed(result, "link_seconds"):
        matches = link(engine, "rows", "persons")
    result["methods"] = {m["values"]: m["counts"] for m in pc.value_counts(matches.column("method")).to_pylist()}
    stored = engine.query("SELECT import_id, row_no FROM rows WHERE import_id IS NOT NULL")
    scores = score(matches, read_truth(folder / "部门数据"), stored)
    result["dirt_recall"] = scores.pop("_dirt")
    result["per_kind"] = scores


def fuzzy_vs_splink(engine, folder: Path, result: dict) -> None:
    from doudi.datasets.evaluation import read_truth
    from doudi.datasets.linkage import FUZZY_ROWS, name_sql, remaining_sql, repair_sql

    engine.create("fz_exact", "SELECT import_id, row_no FROM bench_doudi")
    engine.create("fz_pending", remaining_sql("rows", "fz_exact", FUZZY_ROWS))
    pending = engine.query("SELECT * FROM fz_pending")
    result["fuzzy_rows"] = pending.num_rows
    started = time.perf_counter()
    engine.create("fz_repair", repair_sql("fz_pending", "persons"))
    engine.view("fz_left", remaining_sql("fz_pending", "fz_repair", "r.birth_date IS NOT NULL"))
    engine.create("fz_named", name_sql("fz_left", "persons"))
    doudi = engine.query(
        "SELECT import_id, row_no, id_number FROM fz_repair WHERE id_number IS NOT NULL "
        "UNION ALL SELECT import_id, row_no, id_number FROM fz_named WHERE id_number IS NOT NULL"
    )
    result["fuzzy_doudi_seconds"] = round(time.perf_counter() - started, 3)
    truth = read_truth(folder / "部门数据")
    keys = set(zip(pending.column("import_id").to_pylist(), pending.column("row_no").to_pylist()))
    wanted = {key: number for key, (number, _dirt) in truth.items() if key in keys}
    result["fuzzy_truth_rows"] = len(wanted)
    result["fuzzy_doudi"] = _pr(doudi, wanted)
    started = time.perf_counter()
    splink = splink_match(pending, engine.query("SELECT * FROM persons"))
    result["fuzzy_splink_seconds"] = round(time.perf_counter() - started, 3)
    result["fuzzy_splink"] = _pr(splink, wanted)


def splink_match(pending: pa.Table, persons: pa.Table, threshold: float = 0.9) -> pa.Table:
    """Splink (Fellegi–Sunter, DuckDB backend), set up as a careful user would for these
    columns: blocking on the pinyin name and on the birth date (doudi's two candidate
    joins), comparisons on the 17-digit body, name, pinyin, birth date and county,
    u from random sampling and m by EM; a row takes its best pair at ≥ threshold when
    that pair is the only one at the top."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    def side(table: pa.Table, uid, number) -> pa.Table:
        region = pc.utf8_slice_codeunits(pc.coalesce(table.column("region_code"), number), 0, 6)
        return pa.table(
            {
                "uid": uid,
                "id17": pc.utf8_slice_codeunits(number, 0, 17),
                "name": table.column("name"),
                "name_key": table.column("name_key"),
                "birth_date": pc.cast(table.column("birth_date"), pa.string()),
                "region6": region,
            }
        )

    left_uid = pc.add(
        pc.multiply(pc.cast(pending.column("import_id"), pa.int64()), UID), pc.cast(pending.column("row_no"), pa.int64())
    )
    left = side(pending, left_uid, pending.column("id_clean"))
    right = side(persons, pa.array(range(UID * 1000, UID * 1000 + persons.num_rows), pa.int64()), persons.column("id_number"))
    db = DuckDBAPI()
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        blocking_rules_to_generate_predictions=[block_on("name_key"), block_on("birth_date")],
        comparisons=[
            cl.LevenshteinAtThresholds("id17", [1, 2]),
            cl.JaroWinklerAtThresholds("name", [0.9]),
            cl.ExactMatch("name_key"),
            cl.ExactMatch("birth_date"),
            cl.ExactMatch("region6"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(
        [db.register(left, table_name="dept"), db.register(right, table_name="registry")], settings, log_level="WARNING"
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_key"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    pairs = linker.inference.predict(threshold_match_probability=threshold).as_duckdbpyrelation()
    chosen = pairs.query(
        "pairs",
        """
        SELECT uid_l, MIN(uid_r) AS uid_r FROM (
          SELECT uid_l, uid_r, match_probability, MAX(match_probability) OVER (PARTITION BY uid_l) AS top
          FROM pairs) t
        WHERE match_probability = top GROUP BY uid_l HAVING COUNT(*) = 1""",
    ).to_arrow_table()
    registry = persons.column("id_number")
    index = pc.subtract(chosen.column("uid_r"), UID * 1000)
    return pa.table(
        {
            "import_id": pc.divide(chosen.column("uid_l"), UID),
            "row_no": pc.bit_wise_and(chosen.column("uid_l"), UID - 1),
            "id_number": pc.take(registry, index),
        }
    )


def _pr(matches: pa.Table, wanted: dict) -> dict:
    found = {(m["import_id"], m["row_no"]): m["id_number"] for m in matches.to_pylist()}
    hits = sum(1 for key, number in wanted.items() if found.get(key) == number)
    wrong = sum(1 for key, number in found.items() if wanted.get(key) != number)
    return {
        "matched": len(found),
        "correct": hits,
        "wrong": wrong,
        "recall": round(hits / len(wanted), 4) if wanted else 1.0,
        "precision": round(hits / (hits + wrong), 4) if hits + wrong else 1.0,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_600_000)
    parser.add_argument("--dataset-rows", type=int, default=30_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doudi.settings")
    import django

    django.setup()
    from doudi.batch.engines import open_engine

    result = {
        "persons": args.persons,
        "dataset_rows_requested": args.dataset_rows,
        "seed": args.seed,
        "command": "python -m bench.linkage_bench " + " ".join(argv or sys.argv[1:]),
        "load": os.getloadavg()[0],
    }
    folder = synth_folder(args.persons, args.dataset_rows, args.seed)
    parsed = parse_all(folder, args.jobs, result)
    with open_engine("duckdb", threads=args.threads) as engine:
        with timed(result, "load_seconds"):
            engine.load("persons", load_persons(folder))
            result["rows"] = load_rows(engine, parsed)
        exact_vs_floor(engine, result, args.repeat)
        whole_linkage(engine, folder, result)
        fuzzy_vs_splink(engine, folder, result)
    result["load_after"] = os.getloadavg()[0]
    save(f"linkage_bench-{args.persons}", result)


if __name__ == "__main__":
    main()
