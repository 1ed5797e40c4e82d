"""explain: every condition checked for one household, with the parameters behind it.

For the web "测算" page and for anyone asking "why": each rule field in evaluation order,
its Chinese description, the value it took (per member where it is a member rule) and each
parameter it read with value, unit, effective date, 文号 and the file that set it.
"""

from __future__ import annotations

from decimal import Decimal

from doudi.rules.engine import COMPILED, _inputs, decide, evaluate
from doudi.rules.errors import RulesError
from doudi.rules.expr import params_used
from doudi.rules.schema import PARAMETERS

GRAIN_ZH = {"h": "家庭", "m": "成员", "v": "机动车"}


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _parameter(entry) -> dict:
    spec = PARAMETERS[entry.name]
    return {
        "name": entry.name,
        "description": spec.zh,
        "unit": spec.unit,
        "value": _plain(entry.value),
        "from": entry.start.isoformat(),
        "until": entry.until.isoformat() if entry.until else None,
        "ref": entry.ref,
        "region": entry.region,
        "file": entry.file,
    }


def _steps(env: dict, entries: dict) -> list[dict]:
    steps = []
    for grain, fields in COMPILED:
        rows = [env] if grain == "h" else env["__rows__"][grain]
        for name, _fn, sql, zh in fields:
            used = [_parameter(entries[p]) for p in params_used(sql)]
            for index, row in enumerate(rows):
                steps.append(
                    {
                        "rule": name,
                        "level": GRAIN_ZH[grain],
                        "description": zh,
                        "person": row.get("person") if grain == "m" else None,
                        "vehicle": index if grain == "v" else None,
                        "value": _plain(row[name]),
                        "expression": sql,
                        "parameters": used,
                    }
                )
    return steps


def explain(data: dict, policy, month: str, household_id: str | None = None) -> dict:
    """Explain one household (the first, or the one with `household_id`)."""
    day, policy, prepared = _inputs(data, policy, month)
    chosen = next((p for p in prepared if household_id in (None, p[0]["household_id"])), None)
    if chosen is None:
        raise RulesError(f"输入中没有户编号为 {household_id} 的家庭")
    household, members, vehicles = chosen
    entries = policy.resolve(household["region"], day)
    env = evaluate(household, members, vehicles, {n: e.value for n, e in entries.items()})
    return {
        "household": household["household_id"],
        "month": f"{day:%Y-%m}",
        "region": household["region"],
        "parameter_files": [f.file for f in policy.chain(household["region"][:6])],
        "result": decide(env),
        "steps": _steps(env, entries),
    }
