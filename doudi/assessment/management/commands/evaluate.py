"""`doudi evaluate --month YYYY-MM [--region CODE] [--engine duckdb|spark] [--out FILE]`.

Evaluates every household in the register (or under --region) for the month with the
batch rules, stores the run, its decisions and its differences against benefits held,
and prints the counts as JSON. --out writes the decisions as .csv (one row per
household or person and category reviewed) or .jsonl (one docs/interfaces.md §3 result per line).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
from django.core.management.base import CommandError

from doudi.assessment.services import EvaluationError, evaluation_run, households_path
from doudi.batch.engines import ENGINES
from doudi.batch.evaluate import results
from doudi.core.codes import CATEGORIES
from doudi.core.management.base import DoudiCommand, counties_under
from doudi.rules.policy import county_notices

CSV_HEADERS = (
    "户编号",
    "行政区划",
    "身份证号",
    "保障类别",
    "类别代码",
    "是否符合",
    "月保障金额",
    "不符合原因",
    "供养方式",
    "计入低保人数",
    "渐退第几个月",
    "渐退期月数",
)
OUT_KINDS = (".csv", ".jsonl")


class Command(DoudiCommand):
    help = "按月批量评估登记在册的全部家庭，输出与现享受待遇的差异统计（JSON）"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="评估月份 YYYY-MM")
        parser.add_argument("--region", default="", help="区划代码（默认全部）")
        parser.add_argument("--engine", default="duckdb", help="计算引擎：duckdb（默认）或 spark")
        parser.add_argument("--out", default=None, help="测算结果输出文件（.csv 或 .jsonl）")

    def handle(self, *args, month, region, engine, out, **options):
        if engine not in ENGINES:
            raise CommandError(f"--engine：未知计算引擎 {engine!r}（可用：{', '.join(ENGINES)}）")
        if out and Path(out).suffix.lower() not in OUT_KINDS:
            raise CommandError(f"--out：输出文件 {out} 应以 .csv 或 .jsonl 结尾")
        if out and not Path(out).resolve().parent.is_dir():
            raise CommandError(f"--out：目录 {Path(out).resolve().parent} 不存在")
        for line in county_notices(counties_under(region)):
            self.stderr.write(line)
        try:
            run = evaluation_run(month=month, region_code=region.strip(), engine=engine, user=None)
        except EvaluationError as exc:
            raise CommandError(str(exc)) from None
        if out:
            _write(Path(out), run.decisions_file)
        self.stdout.write(
            json.dumps(
                {"run": run.pk, "month": run.month, "region": run.region_code or "全部", "engine": run.engine, **run.counts},
                ensure_ascii=False,
            )
        )


def _write(path: Path, decisions_file: str) -> None:
    decisions = pq.read_table(decisions_file)
    if path.suffix.lower() == ".jsonl":
        households = pq.read_table(households_path(decisions_file))
        with path.open("w", encoding="utf-8") as handle:
            for result in results(households, decisions):
                handle.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADERS)
        for r in decisions.to_pylist():
            writer.writerow(
                [
                    r["household_id"],
                    r["region"],
                    r["person"] or "",
                    CATEGORIES[r["category"]],
                    r["category"],
                    "是" if r["eligible"] else "否",
                    "" if r["amount"] is None else r["amount"],
                    r["reasons"],
                    r["mode"] or "",
                    *("" if r[k] is None else r[k] for k in ("members", "taper_month", "taper_months")),
                ]
            )
