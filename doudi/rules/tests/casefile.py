"""Rule tests as data: read tests/cases/*.yaml into assess inputs and expectations.

A case file has `policy`, optional `household` defaults and `cases`; each case is named
as a sentence and gives `month`, the household (members in a short form: `born`, income
parts at member level, `disability: limb:2`) and `expect`. Persons are referred to by
name; their ID numbers are generated from the household region and `born`. `policy` is a
region code or a policy file under cases/ (`policies/x.yaml`, the region-file format): the
choices a county makes differently are tested without changing the shipped files.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from doudi.core.idnumber import with_check_digit

CASES = Path(__file__).parent / "cases"
INCOME = ("wage", "business", "property", "transfer", "exempt")


def _member(short: dict, region: str, seq: int) -> dict:
    member = {k: v for k, v in short.items() if k not in INCOME + ("born",)}
    born = str(short["born"]).replace("-", "")
    member["id_number"] = with_check_digit(f"{region[:6]}{born}{seq:03d}")
    member.setdefault("relation", "head" if seq == 1 else "other")
    member["income_monthly"] = {k: short.get(k, 0) for k in INCOME}
    if isinstance(short.get("disability"), str):
        kind, level = short["disability"].split(":")
        member["disability"] = {"kind": kind, "level": int(level)}
    return member


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def build(case: dict, defaults: dict) -> tuple[dict, dict]:
    """(assess input with one household, name → ID number)."""
    household = _merge({"id": "T1", "region": "140521100201", "hukou": "rural"}, defaults)
    household = _merge(household, case.get("household") or {})
    region = household["region"]
    household["members"] = [_member(m, region, i + 1) for i, m in enumerate(household.get("members", []))]
    names = {m.get("name"): m["id_number"] for m in household["members"]}
    for item in household.get("current", []):
        if item.get("person") in names:
            item["person"] = names[item["person"]]
    return {"households": [household]}, names


def load_cases() -> list[tuple[str, str, dict, dict]]:
    """(file stem, policy, case, defaults) for every case in every file."""
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            policy = str(case.get("policy", data.get("policy")))
            if policy.endswith(".yaml"):  # a policy file beside the cases (what a county's own file would say)
                policy = str(CASES / policy)
            out.append((path.stem, policy, case, data.get("household") or {}))
    return out
