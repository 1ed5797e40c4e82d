"""Precision ≥ 0.99 and recall ≥ 0.98 per rule on the datasets helper's planted synthetic
county (doudi/synth/datasets.py): true cases and near misses, a share of them with
typo'd, swapped, 15-digit or full-width ID numbers and variant names."""

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from doudi.core.services import regions_load
from doudi.datasets.kinds import KINDS
from doudi.datasets.services import dataset_import
from doudi.monitoring.rules import RULES
from doudi.monitoring.runner import compute_findings
from doudi.registry.services import registry_import

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 1, 1)
PRECISION, RECALL = 0.99, 0.98


def _truth(path: Path) -> set[tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return {(row["rule"], row["id_number"]) for row in csv.DictReader(handle)}


@pytest.fixture
def synthetic_county(tmp_path):
    out = tmp_path / "synth"
    # Enough households for every rule to be planted many times; strangers fill the files.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "doudi.synth",
            "--scale",
            "county",
            "--seed",
            "11",
            "--persons",
            "6000",
            "--out",
            str(out),
            "--datasets",
            "--dataset-rows",
            "3000",
            "--plant-rate",
            "0.3",
            "--as-of",
            AS_OF.isoformat(),
        ],
        check=True,
        capture_output=True,
    )
    regions_load(path=out / "区划.csv")
    registry_import(paths=[out])
    for kind in KINDS:
        dataset_import(kind=kind, path=out / "部门数据" / f"{kind}.csv", as_of=AS_OF)
    return out / "部门数据"


def test_precision_and_recall_per_rule(synthetic_county):
    truth = _truth(synthetic_county / "ground_truth.csv")
    near = _truth(synthetic_county / "near_misses.csv")
    findings, _ = compute_findings(as_of=AS_OF)
    found = {(f.rule, f.id_number) for f in findings}
    report = []
    for rule in RULES:
        expected = {t for t in truth if t[0] == rule}
        got = {f for f in found if f[0] == rule}
        hits = len(expected & got)
        precision = hits / len(got) if got else 1.0
        recall = hits / len(expected) if expected else 1.0
        report.append((rule, len(expected), len(got), round(precision, 3), round(recall, 3)))
        assert expected, f"没有为规则 {rule} 预置案例"
    print("precision/recall per rule:", report)
    failures = [r for r in report if r[3] < PRECISION or r[4] < RECALL]
    assert not failures, f"(rule, planted, found, precision, recall) below target: {failures}; all: {report}"
    assert not (found & near), f"near misses raised: {sorted(found & near)[:10]}"
