"""家庭经济状况核对: the rules engine's decision for the applicant's register household, with
its explanation and the parameters' month, stored on the case (docs/design.md §1.1: every decision
about who gets what comes from doudi.rules; the clerk may decide otherwise only in writing).

The household is read exactly as the monthly evaluation reads it (doudi.registry.extracts).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from doudi.core import codes, idnumber, months
from doudi.registry.extracts import B_COLS, H_COLS, P_COLS, assess_household
from doudi.registry.models import Benefit
from doudi.rules import RulesError, explain
from doudi.rules.reasons import REASONS
from doudi.rules.schema import ITEM_KINDS

NOT_RULED = "该类别不由规则测算，请按救助事由和入户调查人工核定。"
NO_HOUSEHOLD = "台账中没有该申请人的家庭信息，规则未测算；请结合部门数据和入户调查人工核对。"


def _input(household) -> dict:
    members = list(household.members.all())
    benefits = list(Benefit.objects.filter(household=household, until__isnull=True))
    return {
        "households": [
            assess_household(
                {c: getattr(household, c) for c in H_COLS},
                [{c: getattr(m, c) for c in P_COLS} for m in members],
                [{c: getattr(b, c) for c in B_COLS} for b in benefits],
            )
        ]
    }


def _plain(value):
    return json.loads(json.dumps(value, default=str))


def _holder_matches(item: dict, case) -> bool:
    # Household categories are decided for the household; person ones for the applicant.
    return case.category in codes.HOUSEHOLD_CATEGORIES or item.get("person") == case.applicant_id_number


def rules_check(case, day: dt.date) -> dict:
    """{"eligible", "amount", "text", "month", "data"} for the case's household in `day`'s month."""
    month = months.of(day)
    if case.category == "temp_assist" and hasattr(case, "temp"):  # doudi.rules.temp_assist, with its 文号
        from doudi.cases.temp import rules_check as temp_check

        return temp_check(case, day)
    if case.category not in ITEM_KINDS["category"]:  # 临时救助: decided case by case, not by the rules
        return {"eligible": None, "amount": None, "text": NOT_RULED, "month": month, "data": {}}
    if case.household_id is None:
        return {"eligible": None, "amount": None, "text": NO_HOUSEHOLD, "month": month, "data": {}}
    try:
        explained = explain(_input(case.household), case.region_id[:6], month)
    except RulesError as exc:
        return {"eligible": None, "amount": None, "text": f"规则测算未能完成：{exc}", "month": month, "data": {}}
    result = explained["result"]
    granted = next((b for b in result["benefits"] if b["category"] == case.category and _holder_matches(b, case)), None)
    refused = next((n for n in result["not_eligible"] if n["category"] == case.category and _holder_matches(n, case)), None)
    label = codes.CATEGORIES.get(case.category, case.category)
    income = result.get("per_capita_income")
    lines = [f"测算月份 {month}，家庭月人均收入 {income} 元。" if income is not None else f"测算月份 {month}。"]
    if granted:
        amount = granted.get("monthly_amount")
        lines.append(f"符合{label}条件" + (f"，月保障金额 {amount} 元。" if amount is not None else "。"))
    elif refused:
        reasons = "；".join(REASONS[r][0] if r in REASONS else r for r in refused["reasons"])
        lines.append(f"不符合{label}条件：{reasons}。")
    else:
        lines.append(f"申请人不是{label}的对象（年龄、残疾或家庭情况不符合）。")
    refs = sorted(
        {
            f"{p['description']}：{p['value']}（{p['ref']}，{p['from']} 起）"
            for s in explained["steps"]
            if s["rule"].startswith(case.category)
            for p in s["parameters"]
        }
    )
    data = {
        "result": _plain(_masked(result)),
        "parameters": refs,
        "files": [f.rsplit("/", 1)[-1] for f in explained["parameter_files"]],
    }
    amount = granted.get("monthly_amount") if granted else None
    return {
        "eligible": granted is not None,
        "amount": Decimal(str(amount)) if amount is not None else None,
        "text": "".join(lines),
        "month": month,
        "data": data,
    }


def _masked(result: dict) -> dict:
    # The stored decision is shown to readers who may not see full ID numbers.
    return idnumber.mask_values(result)
