"""Benchmark: the full data comparison (every docs/interfaces.md §6 rule) at province scale.

    .venv/bin/python -m bench.compare_bench                 # build (or reuse) and measure
    .venv/bin/python -m bench.compare_bench --reuse         # measure again on the last database
    .venv/bin/python -m bench.compare_bench --spark         # also on Spark local[2], same warnings

Data: `python -m doudi.synth --scale province --datasets` (1.6M registry persons, department
files of ≥ 30M rows with planted cases and dirty IDs), imported with the real importers into
a fresh PostgreSQL database (dataset rows land as Parquet under DOUDI_DATA_DIR).
Figures: the comparison split into its stages (registry snapshot, dataset rows + linkage,
rules), the same comparison storing its warnings (`comparison_run`), and the baseline
measured in the same run: reading the inputs alone (registry snapshot and every dataset
row, no linkage, no rules) — what any comparison must pay before it decides anything.
Precision/recall per rule against the planted ground truth is reported too.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import OUT, PG_URL, django_on, fresh_postgres, save, timed

AS_OF = dt.date(2025, 1, 1)
DB = "bench_compare"


def _synth(persons: int, rows: int, seed: int) -> Path:
    folder = OUT / f"compare-province-{seed}" if persons == 1_600_000 else OUT / f"compare-{persons}-{seed}"
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
                "--as-of",
                AS_OF.isoformat(),
            ],
            check=True,
        )
    return folder


def _import_kind(job: tuple[str, str]) -> str:
    from django.db import connections

    from doudi.datasets.services import dataset_import

    kind, path = job
    connections.close_all()  # a forked worker opens its own connection
    summary = dataset_import(kind=kind, path=path, as_of=AS_OF)
    connections.close_all()
    return f"{kind}: {summary.get('rows')} rows"


def _build(folder: Path, result: dict, workers: int) -> None:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from django.db import connections

    from doudi.core.services import regions_load
    from doudi.datasets.kinds import KINDS
    from doudi.registry.services import registry_import

    with timed(result, "setup_registry_import_s"):
        regions_load(path=folder / "区划.csv")
        registry_import(paths=[folder])
    # Kinds are independent imports: the biggest first, spread over `workers` processes.
    jobs = sorted(((k, str(folder / "部门数据" / f"{k}.csv")) for k in KINDS), key=lambda j: -Path(j[1]).stat().st_size)
    connections.close_all()
    with timed(result, "setup_dataset_import_s"), ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        for line in pool.map(_import_kind, jobs):
            print(f"  {line}", file=sys.stderr, flush=True)


def _stages():
    marks: list[tuple[float, str]] = []

    def progress(done, total, message):
        marks.append((time.perf_counter(), message))
        print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    return marks, progress


def _split(marks, started: float, ended: float) -> dict:
    """Seconds spent on the registry, on dataset rows + linkage, and on the rules."""
    first_dataset = next((t for t, m in marks if m.startswith("读取并匹配部门数据")), started)
    first_rule = next((t for t, m in marks if m.startswith("规则 ")), ended)
    return {
        "registry_snapshot_s": round(first_dataset - started, 1),
        "datasets_and_linkage_s": round(first_rule - first_dataset, 1),
        "rules_s": round(ended - first_rule, 1),
    }


def _baseline(result: dict) -> None:
    from doudi.datasets.kinds import KINDS
    from doudi.datasets.selectors import dataset_rows
    from doudi.monitoring.inputs import registry_tables

    with timed(result, "baseline_read_inputs_s"):
        persons = registry_tables(AS_OF)["persons"].num_rows
        rows = sum(dataset_rows(kind, as_of=AS_OF).num_rows for kind in KINDS)
    result.update(persons=persons, dataset_rows=rows)


def _quality(folder: Path, findings) -> dict:
    with (folder / "部门数据" / "ground_truth.csv").open(encoding="utf-8") as handle:
        truth = {(r["rule"], r["id_number"]) for r in csv.DictReader(handle)}
    found = {(f.rule, f.id_number) for f in findings}
    out = {}
    for rule in sorted({r for r, _ in truth}):
        expected, got = {t for t in truth if t[0] == rule}, {f for f in found if f[0] == rule}
        hits = len(expected & got)
        out[rule] = {
            "planted": len(expected),
            "found": len(got),
            "precision": round(hits / len(got), 4) if got else 1.0,
            "recall": round(hits / len(expected), 4) if expected else 1.0,
        }
    return out


def _compare(result: dict, folder: Path, spark: bool) -> None:
    from doudi.monitoring.runner import compute_findings
    from doudi.monitoring.services import comparison_run

    marks, progress = _stages()
    started = time.perf_counter()
    findings, _ = compute_findings(as_of=AS_OF, progress=progress)
    ended = time.perf_counter()
    result["compare_duckdb_s"] = round(ended - started, 1)
    result["compare_duckdb_stages"] = _split(marks, started, ended)
    result["warnings"] = len(findings)
    result["quality"] = _quality(folder, findings)
    with timed(result, "compare_and_store_duckdb_s"):
        comparison_run(as_of=AS_OF)
    if spark:
        marks, progress = _stages()
        session = _spark_session()
        with timed(result, "compare_spark_s"):
            sparked, _ = compute_findings(as_of=AS_OF, engine_name="spark", progress=progress, spark_session=session)
        session.stop()

        def key(fs):
            return {
                json.dumps([f.rule, f.id_number, f.level, f.detail, f.fingerprint], sort_keys=True, ensure_ascii=False)
                for f in fs
            }

        result["spark_stages"] = _split(marks, marks[0][0], marks[-1][0]) if marks else {}
        result["spark_identical"] = key(sparked) == key(findings) and len(sparked) == len(findings)
        result["spark_only"] = sorted(key(sparked) - key(findings))[:5]
        result["duckdb_only"] = sorted(key(findings) - key(sparked))[:5]


def _spark_session():
    """local[2] with room to broadcast the linkage's lookup tables (the 1 GiB default
    driver runs out of memory in the repair stage at 200k rows)."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("doudi-compare-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "6g")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "Asia/Shanghai")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_600_000)
    parser.add_argument("--dataset-rows", type=int, default=30_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="measure on the database built last time")
    parser.add_argument("--spark", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="processes importing the department files")
    args = parser.parse_args(argv)
    folder = _synth(args.persons, args.dataset_rows, args.seed)
    os.environ["DOUDI_DATA_DIR"] = str(OUT / f"compare-data-{args.persons}-{args.seed}")
    result: dict = {
        "command": " ".join(["python -m bench.compare_bench", *(argv or sys.argv[1:])]),
        "load_before": os.getloadavg()[0],
    }
    name = f"{DB}_{args.persons}"
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}" if args.reuse else fresh_postgres(name)
    django_on(url)
    if not args.reuse:
        _build(folder, result, args.workers)
    _baseline(result)
    _compare(result, folder, args.spark)
    result["load_after"] = os.getloadavg()[0]
    save("compare" if args.persons == 1_600_000 else f"compare-{args.persons}", result)


if __name__ == "__main__":
    main()
