"""Turn `doudi.rules.explain` output into what the 测算 page prints: the decision in
Chinese and the checked conditions grouped into 基本情况 and one section per category.

A category's checks are shown only for its candidates (a 50-year-old is not examined for
高龄津贴); the page lists the categories nobody in the household was a candidate for.
"""

from __future__ import annotations

import re

from doudi.assessment.labels import MONTHLY_CATEGORIES, describe, value_label
from doudi.core import codes, idnumber
from doudi.rules.reasons import REASONS

_CATEGORY_ORDER = sorted(MONTHLY_CATEGORIES, key=len, reverse=True)  # dibao_single before dibao
_CATEGORY_STEP = re.compile(rf"^({'|'.join(_CATEGORY_ORDER)})_(candidate|eligible|amount|fail_.+)$")
_TAPER_STEPS = {"taper_month": "dibao", "taper_months": "dibao"}


def _who(person, names: dict) -> str:
    if not person:
        return "全户"
    return f"{names.get(person, '')} {idnumber.mask(person)}".strip()


def decision(result: dict, names: dict) -> dict:
    """Granted and refused categories with Chinese labels and reasons."""
    granted = [
        {
            "label": codes.CATEGORIES.get(b["category"], b["category"]),
            "code": b["category"],
            "who": _who(b.get("person"), names),
            "amount": b["monthly_amount"],
            "note": _benefit_note(b),
        }
        for b in result["benefits"]
    ]
    refused = [
        {
            "label": codes.CATEGORIES.get(n["category"], n["category"]),
            "code": n["category"],
            "who": _who(n.get("person"), names),
            "reasons": [REASONS[r][0] if r in REASONS else r for r in n["reasons"]],
        }
        for n in result["not_eligible"]
    ]
    paid = sum(b["monthly_amount"] or 0 for b in result["benefits"])
    return {"granted": granted, "refused": refused, "total": paid, "per_capita_income": result["per_capita_income"]}


def _benefit_note(item: dict) -> str:
    notes = []
    if item.get("mode"):
        notes.append(f"{codes.SUPPORT_MODES.get(item['mode'], item['mode'])}供养")
    if item.get("members"):
        notes.append(f"计入 {item['members']} 人")
    if item.get("taper_month"):
        notes.append(f"渐退第 {item['taper_month']} / {item['taper_months']} 个月")
    if item["category"] in ("dibao_edge", "low_income"):
        notes.append("不发放，纳入监测")
    return "；".join(notes)


def _row(step: dict, names: dict) -> dict:
    return {
        "who": _who(step["person"], names)
        if step["level"] == "成员"
        else (f"第{step['vehicle'] + 1}辆车" if step["vehicle"] is not None else "全户"),
        "rule": step["rule"],
        "description": describe(step["description"]),
        "value": value_label(step["value"]),
        "failed": "_fail_" in step["rule"] and step["value"] is True,
        "parameters": [
            {
                "name": p["name"],
                "label": p["description"],
                "value": value_label(p["value"], p["unit"]),
                "ref": p["ref"],
                "from": p["from"],
                "until": p["until"],
            }
            for p in step["parameters"]
        ],
    }


def _category_of(rule: str) -> tuple[str | None, str | None]:
    if rule in _TAPER_STEPS:
        return _TAPER_STEPS[rule], "taper"
    match = _CATEGORY_STEP.match(rule)
    return (match.group(1), match.group(2)) if match else (None, None)


def sections(explained: dict, names: dict) -> dict:
    """{"general": rows, "categories": [{label, rows}], "not_candidates": [labels]}."""
    candidates: dict[str, set] = {}
    eligible: set = set()
    for step in explained["steps"]:
        cat, part = _category_of(step["rule"])
        if part == "candidate" and step["value"]:
            candidates.setdefault(cat, set()).add(step["person"])
        elif part == "eligible" and step["value"]:
            eligible.add((cat, step["person"]))
    general, by_category = [], {c: [] for c in MONTHLY_CATEGORIES}
    for step in explained["steps"]:
        cat, part = _category_of(step["rule"])
        if cat is None:
            general.append(_row(step, names))
        elif part != "candidate" and step["person"] in candidates.get(cat, ()):
            if part in ("amount", "taper") and (cat, step["person"]) not in eligible:
                continue
            by_category[cat].append(_row(step, names))
    return {
        "general": general,
        "categories": [{"code": c, "label": codes.CATEGORIES[c], "rows": rows} for c, rows in by_category.items() if rows],
        "not_candidates": [codes.CATEGORY_SHORT[c] for c in MONTHLY_CATEGORIES if c not in candidates],
    }


def inputs_summary(household: dict, members: list[dict], vehicles: list[dict], region_names: dict) -> dict:
    """What was assessed, for the printed sheet (the form itself is not printed)."""
    return {
        "region": region_names.get(household["region"], household["region"]),
        "hukou": codes.HUKOU[household["hukou"]],
        "financial": household.get("financial") or 0,
        "properties": household.get("properties") or 0,
        "businesses": household.get("businesses") or 0,
        "vehicles": len(vehicles),
        "vehicle_value": sum((v["value"] for v in vehicles), 0),
        "medical": household.get("medical") or 0,
        "education": household.get("education") or 0,
        "members": [
            {
                "name": m["name"],
                "id": idnumber.mask(m["id_number"]),
                "relation": codes.RELATIONS[m["relation"]],
                "disability": (codes.DISABILITY_KINDS[m["disability_kind"]] + codes.DISABILITY_LEVELS[m["disability_level"]])
                if m.get("disability_kind")
                else "—",
                "self_care": codes.SELF_CARE[m["self_care"]],
                "income": sum((m.get(f"income_{k}") or 0 for k in ("wage", "business", "property", "transfer", "exempt")), 0),
            }
            for m in members
        ],
    }
