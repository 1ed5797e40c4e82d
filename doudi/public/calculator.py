"""政策计算器: a few answers → an docs/interfaces.md §3 assess input for one made-up household → the same
rules (doudi.rules.assess) with the county's parameters for this month → which help may
apply and roughly how much. Nothing is stored; the made-up members carry made-up ID numbers
(only their birth dates matter to the rules) that are never shown.

The answers are coarse on purpose (a citizen does not know the rules' fields): ages are
representative (child 10, adult 45, 60+ 65, 80+ 82), a disability is a 肢体 one of the
level given, the whole income is counted as the head's transfer income (no employment-cost
deduction: the estimate errs low rather than high). The clerk's 家庭经济状况核对 decides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from doudi.core import codes, idnumber
from doudi.rules import RulesError, assess
from doudi.rules.policy import load_policy, provenance
from doudi.rules.reasons import REASONS

AGES = {"child": 10, "adult": 45, "elderly": 65, "elderly80": 82}
WHO = {"child": "未成年子女", "adult": "成年人", "elderly": "60岁以上老人", "elderly80": "80岁以上老人"}
CASH_FREE = {
    "dibao_edge": "不发放现金，可享受医疗、教育、住房等专项救助",
    "low_income": "不发放现金，纳入低收入人口动态监测和帮扶",
}


@dataclass
class Answers:
    region: str  # village code (its first 6 digits: the county whose parameters apply)
    size: int
    hukou: str  # rural | urban
    income: Decimal  # the household's monthly income, yuan
    assets: Decimal  # the household's financial assets (deposits, securities), yuan
    elderly: int  # members aged 60 or over (80+ included)
    elderly80: int  # of whom aged 80 or over
    children: int  # members under 18
    disabled_severe: int  # members with a 一级/二级 disability certificate
    disabled_other: int  # members with a 三级/四级 certificate
    supporter: bool  # a legal supporter able to support (有赡养、抚养能力的子女等)
    bedridden: int = 0  # members who cannot look after themselves (全失能)


def _birth(age: int, day: dt.date) -> str:
    # The 2nd of the assessed month, `age + 1` years back: exactly `age` on the month's first day.
    return dt.date(day.year - age - 1, day.month, 2).strftime("%Y%m%d")


def build_input(a: Answers, day: dt.date) -> tuple[dict, list[str]]:
    """(assess input, the description of each made-up member by ID number order)."""
    kinds = (
        ["adult"] * (a.size - a.elderly - a.children)
        + ["elderly"] * (a.elderly - a.elderly80)
        + ["elderly80"] * a.elderly80
        + ["child"] * a.children
    )
    # Disabilities go to adults first, then the old, then children; the severe ones first.
    order = sorted(range(len(kinds)), key=lambda i: ("adult", "elderly", "elderly80", "child").index(kinds[i]))
    levels = {i: 2 for i in order[: a.disabled_severe]}
    levels.update({i: 3 for i in order[a.disabled_severe : a.disabled_severe + a.disabled_other]})
    old = [i for i in order if kinds[i] in ("elderly80", "elderly")]
    bedridden = set((old + [i for i in order if i not in old])[: a.bedridden])
    head = next((i for i, k in enumerate(kinds) if k == "adult"), next((i for i, k in enumerate(kinds) if k != "child"), 0))
    members, labels = [], []
    for i, kind in enumerate(kinds):
        number = idnumber.with_check_digit(f"{a.region[:6]}{_birth(AGES[kind], day)}{i + 1:03d}")
        members.append(
            {
                "id_number": number,
                "name": f"成员{i + 1}",
                "relation": "head" if i == head else "other",
                "disability": {"kind": "limb", "level": levels[i]} if i in levels else None,
                "serious_illness": False,
                "self_care": "none" if i in bedridden else "full",
                "employed": False,
                "income_monthly": {
                    "wage": 0,
                    "business": 0,
                    "property": 0,
                    "transfer": a.income if i == head else 0,
                    "exempt": 0,
                },
                "capable_supporter": a.supporter,
            }
        )
        extra = [f"{'一二级' if levels[i] == 2 else '三四级'}残疾"] if i in levels else []
        extra += ["生活不能自理"] if i in bedridden else []
        labels.append(WHO[kind] + (f"（{'、'.join(extra)}）" if extra else ""))
    household = {
        "id": "calc",
        "region": a.region,
        "hukou": a.hukou,
        "assets": {"financial": a.assets, "vehicles": [], "properties": 1, "businesses": 0},
        "expenses_12m": {"medical": 0, "education": 0},
        "members": members,
        "current": [],
    }
    return {"households": [household]}, labels


def estimate(a: Answers, day: dt.date) -> dict:
    """{"month", "benefits": [{label, who, amount, note}], "total", "refused": [{label, reasons}],
    "per_capita", "notice"} or {"error": 中文} when the rules cannot run for this county."""
    data, labels = build_input(a, day)
    month = f"{day:%Y-%m}"
    by_number = {m["id_number"]: labels[i] for i, m in enumerate(data["households"][0]["members"])}
    try:
        result = assess(data, load_policy(a.region[:6]), month)["results"][0]
    except RulesError as exc:
        return {"error": f"暂时无法测算：{exc}"}
    benefits, total = [], Decimal(0)
    for b in result["benefits"]:
        amount = Decimal(str(b.get("monthly_amount") or 0))
        total += amount
        benefits.append(
            {
                "category": b["category"],
                "label": codes.CATEGORIES.get(b["category"], b["category"]),
                "who": "全家" if b.get("person") is None else by_number.get(b["person"], "家庭成员"),
                "amount": amount,
                "note": CASH_FREE.get(b["category"], ""),
            }
        )
    refused = []
    if not benefits:  # why not: the household categories' reasons (低保 first)
        for n in result["not_eligible"]:
            if n.get("person") is None and n["category"] == "dibao":
                refused.append(
                    {"label": codes.CATEGORIES["dibao"], "reasons": [REASONS[r][0] if r in REASONS else r for r in n["reasons"]]}
                )
    return {
        "month": month,
        "benefits": benefits,
        "total": total,
        "refused": refused,
        "per_capita": result.get("per_capita_income"),
        "notice": provenance(a.region[:6]) or "",
    }
