"""Planted synthetic department data: deterministic, importable, and linked with
precision ≥ 0.99 and recall ≥ 0.98 per kind — dirty rows (typo'd, 15-digit, missing
numbers, variant names) included."""

import csv
import datetime as dt
import hashlib

import pytest

from doudi.batch.engines import open_engine
from doudi.datasets.evaluation import persons_table, read_truth, rows_table, score
from doudi.datasets.kinds import KINDS
from doudi.datasets.linkage import link
from doudi.datasets.names import name_key
from doudi.synth.datasets import VARIANTS, DatasetPlanter, write_datasets
from doudi.synth.generate import generate
from doudi.synth.regions import county_regions

AS_OF = dt.date(2025, 1, 1)
RULES = (
    "deceased",
    "vehicle",
    "business",
    "public_employee",
    "pension_income",
    "prisoner",
    "real_estate",
    "duplicate_benefit",
    "cadre_relative",
    "missed_disability",
    "missed_monitoring",
    "high_medical",
    "missed_unemployed",
)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    planter = DatasetPlanter(folder, seed=5, as_of=AS_OF, plant_rate=0.5)
    households = list(planter.tap(generate(5, county_regions(5), 6000, as_of=AS_OF)))
    planter.close(background_rows=4000)
    return folder, persons_table(households)


def test_linkage_precision_and_recall_per_kind(planted):
    folder, persons = planted
    rows = rows_table(folder)
    with open_engine("duckdb") as engine:
        engine.load("rows", rows)
        engine.load("persons", persons)
        matches = link(engine, "rows", "persons")
    scores = score(matches, read_truth(folder), rows)
    for kind in KINDS:
        assert scores[kind]["precision"] >= 0.99 and scores[kind]["recall"] >= 0.98, (kind, scores[kind])
    dirt = scores["_dirt"]
    for kind_of_dirt in ("typo", "swap", "legacy15", "fullwidth", "spaces", "variant", "missing"):
        assert dirt[kind_of_dirt]["rows"] > 0 and dirt[kind_of_dirt]["recall"] >= 0.98, (kind_of_dirt, dirt)
    assert set(matches.column("method").to_pylist()) >= {"exact_id", "legacy_id", "repaired_id", "name_birth_region"}


def test_every_rule_has_true_cases_and_near_misses(planted):
    folder, _ = planted
    for name in ("ground_truth.csv", "near_misses.csv"):
        with (folder / name).open(encoding="utf-8") as handle:
            rules = {row["rule"] for row in csv.DictReader(handle)}
        assert rules == set(RULES), name


def test_variant_characters_share_the_pinyin_key():
    for standard, variant in VARIANTS.items():
        assert name_key(standard) == name_key(variant), (standard, variant)


def test_same_seed_same_files(tmp_path):
    def digest(folder):
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}

    for name in ("a", "b"):
        write_datasets(
            tmp_path / name,
            generate(2, county_regions(2), 800, as_of=AS_OF),
            seed=2,
            as_of=AS_OF,
            background_rows=500,
            plant_rate=0.3,
        )
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    other = tmp_path / "c"
    write_datasets(other, generate(2, county_regions(2), 800, as_of=AS_OF), seed=3, as_of=AS_OF, background_rows=500)
    assert digest(other)["death.csv"] != digest(tmp_path / "a")["death.csv"]


@pytest.mark.django_db
def test_planted_files_import_without_rejections(planted, regions):
    from doudi.datasets.services import dataset_import

    folder, _ = planted
    for kind in KINDS:
        result = dataset_import(kind=kind, path=folder / f"{kind}.csv", as_of=AS_OF)
        assert result["status"] == "imported" and result["rejected"] == 0 and result["rows"] > 0, (kind, result)
