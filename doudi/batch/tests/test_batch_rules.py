"""The batch gives exactly what assess gives: every YAML rule case, and a synthetic county
read from the registry, on DuckDB and on Spark."""

import json
from collections import defaultdict
from decimal import Decimal

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from doudi.batch.engines import open_engine
from doudi.batch.evaluate import evaluate_tables, evaluate_to_parquet, results, tables_from_json
from doudi.batch.rules import compile_plan, needed_fields
from doudi.core.services import regions_load
from doudi.registry.extracts import registry_households, tables_from_registry
from doudi.registry.services import registry_import
from doudi.rules import RulesError, assess
from doudi.rules.tests.casefile import build, load_cases
from doudi.synth import county_regions, generate, write_regions_csv, write_registry_csv

MONTH = "2025-01"


def _case_groups():
    groups = defaultdict(list)
    for i, (_stem, policy, case, defaults) in enumerate(load_cases()):
        data, _names = build(case, defaults)
        household = data["households"][0]
        household["id"] = f"C{i:03d}"
        groups[(str(policy), str(case["month"]))].append(household)
    return groups


def _batch(engine, data, policy, month):
    tables, _day = tables_from_json(data, policy, month)
    out = evaluate_tables(engine, tables)
    return results(out["households"], out["decisions"], [h["id"] for h in data["households"]])


def _same(engine, data, policy, month):
    want = assess(data, policy, month)["results"]
    got = _batch(engine, data, policy, month)
    assert len(got) == len(want)
    for w, g in zip(want, got):
        assert g == w, f"household {w['household']}: batch {g} != assess {w}"
    _same_dibao_only(engine, data, policy, month, want)
    return want


def _only(results, code):
    return [
        {
            **r,
            "benefits": [b for b in r["benefits"] if b["category"] == code],
            "not_eligible": [n for n in r["not_eligible"] if n["category"] == code],
        }
        for r in results
    ]


def _same_dibao_only(engine, data, policy, month, want):
    """The pruned dibao-only plan decides dibao exactly as the full batch and assess do."""
    tables, _day = tables_from_json(data, policy, month)
    full = evaluate_tables(engine, tables)["decisions"]
    out = evaluate_tables(engine, tables, categories=["dibao"])
    assert set(out["decisions"].column("category").to_pylist()) <= {"dibao"}
    key = [("household_id", "ascending")]
    dibao = full.filter(pc.equal(full.column("category"), "dibao")).sort_by(key)
    assert out["decisions"].sort_by(key).to_pylist() == dibao.to_pylist()  # values: Spark nullability differs
    got = results(out["households"], out["decisions"], [w["household"] for w in want])
    assert got == _only(want, "dibao")


def test_every_rule_case_batch_equals_assess():
    with open_engine("duckdb") as engine:
        for (policy, month), households in _case_groups().items():
            # Through JSON text as the CLI reads it: numbers become Decimal, never float.
            data = json.loads(json.dumps({"households": households}, default=str), parse_float=Decimal)
            _same(engine, data, policy, month)


@pytest.fixture
def county(db, tmp_path):
    """About 300 synthetic households of 沁水县 imported into the registry."""
    regions = county_regions(3)
    write_regions_csv(tmp_path / "区划.csv", regions)
    regions_load(path=tmp_path / "区划.csv")
    write_registry_csv(tmp_path / "reg", generate(3, regions, 800))
    registry_import(paths=[tmp_path / "reg"])
    import datetime as dt

    households = [h for page in registry_households("140521", dt.date(2025, 1, 1), chunk=97) for h in page]
    assert len(households) > 250
    return {"households": households}


def _coverage(results):
    return {b["category"] for r in results for b in r["benefits"]} | {n["category"] for r in results for n in r["not_eligible"]}


def test_synthetic_county_batch_equals_assess_on_duckdb(county, tmp_path):
    with open_engine("duckdb") as engine:
        want = _same(engine, county, "14", MONTH)
        # The registry path (chunked SQL) feeds the batch the same tables as the JSON path.
        tables, _day, _policy = tables_from_registry("140521", MONTH, chunk=50)
        out = evaluate_tables(engine, tables)
        assert results(out["households"], out["decisions"], [h["household"] for h in want]) == want
        # Written by the engine straight to Parquet: the same rows.
        evaluate_to_parquet(engine, tables, tmp_path / "decisions.parquet")
        key = [("household_id", "ascending"), ("category_order", "ascending"), ("member_index", "ascending")]
        written = pq.read_table(tmp_path / "decisions.parquet")
        assert written.sort_by(key).to_pylist() == out["decisions"].sort_by(key).to_pylist()
    assert {"dibao", "tekun", "dibao_edge", "elderly_age", "disability_care"} <= _coverage(want)


@pytest.mark.spark
def test_synthetic_county_batch_equals_assess_on_spark(county, spark):
    engine = open_engine("spark", spark_session=spark)
    try:
        _same(engine, county, "14", MONTH)
    finally:
        engine.close()


def test_pruned_plan_computes_only_what_the_category_needs():
    full, dibao = compile_plan(), compile_plan(categories=["dibao"])
    assert len(dibao.steps) < len(full.steps)
    assert "dibao_single" not in " ".join(sql for _n, sql in dibao.steps)  # the second member stage is gone
    assert "elderly_age_amount" not in needed_fields(["dibao"]) and "tekun_eligible" in needed_fields(["dibao"])
    with pytest.raises(RulesError, match="未知保障类别"):
        compile_plan(categories=["dibao", "moon"])


def test_bad_month_and_outside_region_are_chinese_errors(county):
    with pytest.raises(RulesError, match="YYYY-MM"):
        tables_from_registry("140521", "2025-13")
    with pytest.raises(RulesError, match="不在政策区划"):
        tables_from_json(county, "50", MONTH)
