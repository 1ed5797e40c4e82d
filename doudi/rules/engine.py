"""assess and explain (docs/interfaces.md §3): run the definitions on households for one month.

The policy is resolved per county and month (parameters.py / policy.py); definitions.py
holds every rule; this module only orders the stages and shapes the JSON.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from doudi.core.codes import CATEGORIES as CATEGORY_ZH
from doudi.rules.definitions import CATEGORIES, STAGES
from doudi.rules.errors import RulesError
from doudi.rules.expr import compile_expr, params_used
from doudi.rules.inputs import Problems, household_rows, month_start
from doudi.rules.policy import Policy, load_policy
from doudi.rules.schema import PARAMETERS

# Compiled once at import: (grain, [(name, closure, sql, zh)]).
COMPILED = [(grain, [(n, compile_expr(sql), sql, zh) for n, sql, zh in fields]) for grain, fields in STAGES]
ORDER = list(CATEGORY_ZH)


def _check_definitions() -> None:
    seen: set[str] = set()
    for _grain, fields in STAGES:
        for name, sql, _zh in fields:
            assert name not in seen, f"rule field {name} defined twice"
            seen.add(name)
            unknown = [p for p in params_used(sql) if p not in PARAMETERS]
            assert not unknown, f"rule field {name} reads unknown parameters {unknown}"


_check_definitions()


def evaluate(household: dict, members: list[dict], vehicles: list[dict], params: dict) -> dict:
    """Run every stage; returns the household env with '__rows__' holding child rows."""
    env = dict(household)
    env["__params__"] = params
    env["__rows__"] = {"m": members, "v": vehicles}
    for grain, fields in COMPILED:
        if grain == "h":
            for name, fn, _sql, _zh in fields:
                env[name] = fn(env)
            continue
        for row in env["__rows__"][grain]:
            scope = {**env, **row}
            for name, fn, _sql, _zh in fields:
                row[name] = scope[name] = fn(scope)
    return env


def _money(value: Decimal | None):
    """JSON number from a Decimal already rounded by policy: int when whole."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _decision(cat, scope: dict, person: str | None):
    if not scope.get(f"{cat.code}_candidate"):
        return None, None
    if scope[f"{cat.code}_eligible"]:
        item = {"category": cat.code, "person": person, "monthly_amount": _money(scope[f"{cat.code}_amount"])}
        for key, name in cat.extras.items():
            value = scope.get(name)
            if value is not None:
                item[key] = _money(value) if isinstance(value, Decimal) else value
        if cat.code in ("dibao_edge", "low_income"):
            item["monthly_amount"] = 0
        return item, None
    reasons = [r for r in cat.reasons if scope[f"{cat.code}_fail_{r}"]]
    return None, {"category": cat.code, "person": person, "reasons": reasons}


def decide(env: dict) -> dict:
    """The docs/interfaces.md §3 result for one evaluated household."""
    benefits, refused = [], []
    for cat in sorted(CATEGORIES.values(), key=lambda c: ORDER.index(c.code)):
        scopes = [(env, None)] if cat.grain == "h" else [({**env, **m}, m["person"]) for m in env["__rows__"]["m"]]
        for scope, person in scopes:
            granted, not_granted = _decision(cat, scope, person)
            if granted:
                benefits.append(granted)
            if not_granted:
                refused.append(not_granted)
    return {
        "household": env["household_id"],
        "per_capita_income": _money(env["per_capita_income"]),
        "benefits": benefits,
        "not_eligible": refused,
    }


def _prepare(data, policy: Policy, day: dt.date):
    """Validated rows for every household, or RulesError listing every problem."""
    if not isinstance(data, dict) or not isinstance(data.get("households"), list):
        raise RulesError('输入应为 {"households": [...]} 形式的 JSON 对象')
    problems = Problems()
    prepared = []
    for i, raw in enumerate(data["households"]):
        rows = household_rows(raw, i, day, problems)
        if rows and rows[0]["region"].isdigit() and not policy.covers(rows[0]["region"]):
            problems.add(
                f"第{i + 1}户（{rows[0]['household_id']}）region",
                f"行政区划 {rows[0]['region']} 不在政策区划 {policy.region} 范围内",
            )
        prepared.append(rows)
    if problems:
        raise RulesError(problems)
    return prepared


def _inputs(data, policy, month):
    try:
        day = month_start(month)
    except ValueError as exc:
        raise RulesError(str(exc)) from None
    if isinstance(policy, str):
        policy = load_policy(policy)
    return day, policy, _prepare(data, policy, day)


def assess(data: dict, policy: "Policy | str", month: str) -> dict:
    """docs/interfaces.md §3 assess: {"households": [...]} → {"month", "results"}. Raises RulesError."""
    day, policy, prepared = _inputs(data, policy, month)
    results = []
    for household, members, vehicles in prepared:
        params = {name: e.value for name, e in policy.resolve(household["region"], day).items()}
        results.append(decide(evaluate(household, members, vehicles, params)))
    return {"month": f"{day:%Y-%m}", "results": results}
