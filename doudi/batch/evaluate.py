"""Run the compiled rules on an engine: input tables in, decisions table out.

`evaluate_tables(engine, tables)` loads the household/member/vehicle/params tables, runs
the view chain of rules.py and returns two Arrow tables:

- `households`: household_id, region, per_capita_income;
- `decisions`: one row per (household, person or null, category) for every candidate, in no
  particular order —
  eligible, amount (DECIMAL, after the policy's rounding), reasons (comma-separated codes
  in the definition's order), mode, members, taper_month, taper_months.

`evaluate_to_parquet(engine, tables, path)` writes the decisions table straight to Parquet.
Both take `categories=[codes]` to compute only those categories (and what they depend on).

`results(households, decisions)` shapes them into the docs/interfaces.md §3 `results` list, byte for
byte what `doudi.rules.assess` returns (the equality test compares the two).
"""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa

from doudi.batch.engines import Engine, unique_name
from doudi.batch.rules import compile_plan
from doudi.batch.tables import INPUT_SCHEMAS, RowsBuilder, params_table
from doudi.rules.definitions import CATEGORIES
from doudi.rules.engine import ORDER, _inputs, _money

DECISION_COLUMNS = (
    "household_id",
    "region",
    "person",
    "member_index",
    "category",
    "category_order",
    "eligible",
    "amount",
    "reasons",
    "mode",
    "members",
    "taper_month",
    "taper_months",
)
UNPAID = ("dibao_edge", "low_income")  # listed with amount 0 (docs/interfaces.md §3)


def tables_from_json(data: dict, policy, month: str) -> tuple[dict[str, pa.Table], dt.date]:
    """assess-format JSON → input tables (validated exactly as assess validates)."""
    day, policy, prepared = _inputs(data, policy, month)
    rows = RowsBuilder()
    for household, members, vehicles in prepared:
        rows.add(household, members, vehicles)
    tables = rows.tables()
    tables["params"] = params_table(policy, day, tables["households"].column("county").to_pylist())
    return tables, day


def _category_select(cat, source: str) -> str:
    code = cat.code
    reasons = ", ".join(f"CASE WHEN {code}_fail_{r} THEN '{r}' END" for r in cat.reasons) or "NULL"
    person = "CAST(NULL AS VARCHAR)" if cat.grain == "h" else "person"
    index = "CAST(-1 AS BIGINT)" if cat.grain == "h" else "CAST(member_index AS BIGINT)"
    eligible = f"COALESCE({code}_eligible, FALSE)"
    amount = "CAST(0 AS DECIMAL(18, 2))" if code in UNPAID else f"CAST({code}_amount AS DECIMAL(18, 2))"
    extra = {key: cat.extras.get(key) for key in ("mode", "members", "taper_month", "taper_months")}
    cols = [
        "household_id",
        "region",
        f"{person} AS person",
        f"{index} AS member_index",
        f"'{code}' AS category",
        f"{ORDER.index(code)} AS category_order",
        f"{eligible} AS eligible",
        f"CASE WHEN {eligible} THEN {amount} END AS amount",
        f"CASE WHEN {eligible} THEN '' ELSE CONCAT_WS(',', {reasons}) END AS reasons",
        f"CASE WHEN {eligible} THEN {extra['mode'] or 'CAST(NULL AS VARCHAR)'} END AS mode",
        *(
            f"CASE WHEN {eligible} THEN CAST({extra[k] or 'NULL'} AS BIGINT) END AS {k}"
            for k in ("members", "taper_month", "taper_months")
        ),
    ]
    return f"SELECT {', '.join(cols)} FROM {source} WHERE {code}_candidate"


def evaluate_tables(
    engine: Engine, tables: dict[str, pa.Table], *, prefix: str | None = None, categories=None
) -> dict[str, pa.Table]:
    """Runs the rules on `tables` with `engine`; {'households', 'decisions'} as Arrow.

    `categories` (codes) limits the run to those categories' decisions and the fields they
    depend on (rules.needed_fields); their decisions are the same as in a full run."""
    decisions, house = _run(engine, tables, prefix, categories, households=True)
    # No ORDER BY (a shuffle on Spark, a sort of millions of rows for nobody): results() orders.
    households = engine.query(
        f"SELECT household_id, region, CAST(per_capita_income AS DECIMAL(18, 2)) AS per_capita_income FROM {house}"
    )
    return {"households": households, "decisions": engine.query(decisions)}


def evaluate_to_parquet(engine: Engine, tables: dict, path, *, categories=None) -> None:
    """Like evaluate_tables, but the decisions go straight from the engine to Parquet at
    `path` (a file on DuckDB, a folder on Spark): a province's millions of rows never
    pass through Python."""
    decisions, _house = _run(engine, tables, None, categories, households=False)
    engine.write_parquet(decisions, path)


def _run(engine: Engine, tables: dict, prefix: str | None, categories, *, households: bool) -> tuple[str, str]:
    """Loads the inputs and runs every stage; (decisions SQL, households relation)."""
    prefix = prefix or unique_name("rb")
    plan = compile_plan(categories=categories, households=households)
    for name in INPUT_SCHEMAS:
        engine.load(f"{prefix}_{name}", tables[name])
    parts = [
        _category_select(cat, plan.households.name if cat.grain == "h" else plan.members.name)
        for cat in CATEGORIES.values()
        if categories is None or cat.code in categories
    ]
    readers = [sql for _name, sql in plan.steps] + parts + ([plan.households.name] if households else [])
    rename = re.compile(r"\brb_")
    pending: list[str] = []
    for name, sql in plan.steps:
        pending.append(f"{name} AS ({sql})")
        if name in plan.checkpoints:
            # One WITH chain per stage: DuckDB binds it once (a chain of views is re-bound
            # at every level) and Spark plans one stage at a time. Materialised when read
            # more than once; a stage read once (the vehicles, the last stage of a
            # one-category run) streams into its reader instead of being written and read back.
            used = sum(len(re.findall(rf"\b{name}\b", text)) for text in readers)
            make = engine.create if used > 1 else engine.view
            make(rename.sub(f"{prefix}_", name), rename.sub(f"{prefix}_", f"WITH {', '.join(pending)} SELECT * FROM {name}"))
            pending = []
    house = rename.sub(f"{prefix}_", plan.households.name)
    return rename.sub(f"{prefix}_", " UNION ALL ".join(parts)), house


def results(households: pa.Table, decisions: pa.Table, order: list[str] | None = None) -> list[dict]:
    """docs/interfaces.md §3 results, one per household (in `order` of household ids when given)."""
    decisions = decisions.sort_by([("household_id", "ascending"), ("category_order", "ascending"), ("member_index", "ascending")])
    by_house: dict[str, dict] = {}
    for row in households.sort_by("household_id").to_pylist():
        by_house[row["household_id"]] = {
            "household": row["household_id"],
            "per_capita_income": _money(row["per_capita_income"]),
            "benefits": [],
            "not_eligible": [],
        }
    for row in decisions.to_pylist():
        target = by_house[row["household_id"]]
        if row["eligible"]:
            item = {"category": row["category"], "person": row["person"], "monthly_amount": _money(row["amount"])}
            for key in CATEGORIES[row["category"]].extras:
                if row[key] is not None:
                    item[key] = row[key]
            target["benefits"].append(item)
        else:
            reasons = row["reasons"].split(",") if row["reasons"] else []
            target["not_eligible"].append({"category": row["category"], "person": row["person"], "reasons": reasons})
    return [by_house[h] for h in (order or list(by_house))]
