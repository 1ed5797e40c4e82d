"""Chinese labels for the rule-parameter items the screens show (vehicle kinds, income
components, expense kinds, units) and value formatting shared by the 测算 and 政策测算
pages. The codes themselves live in doudi.rules.schema and doudi.core.codes."""

from __future__ import annotations

import re
from decimal import Decimal

from doudi.core import codes

VEHICLE_KINDS = {
    "car": "小汽车",
    "truck": "货车",
    "motorcycle": "摩托车",
    "tricycle": "三轮车",
    "disability_vehicle": "残疾人专用车",
    "farm_machine": "农用机械",
}
INCOME_COMPONENTS = {
    "wage": "工资性收入",
    "business": "经营净收入",
    "property": "财产性收入",
    "transfer": "转移性收入",
    "exempt": "豁免收入",
}
EXPENSE_KINDS = {"medical": "医疗", "education": "教育"}
UNITS = {"yuan": "元", "ratio": "倍", "months": "个月", "count": "个", "years": "周岁"}
ROUNDING = {
    "yuan_half_up": "四舍五入到元",
    "yuan_ceiling": "进位到元",
    "yuan_floor": "舍去到元",
    "jiao_half_up": "四舍五入到角",
    "fen_half_up": "四舍五入到分",
}
# Categories a month's assessment decides (temp_assist and price_subsidy are events).
MONTHLY_CATEGORIES = {
    c: codes.CATEGORY_SHORT[c]
    for c in (
        "dibao",
        "dibao_single",
        "dibao_edge",
        "tekun",
        "orphan",
        "unsupported_child",
        "disability_living",
        "disability_care",
        "elderly_age",
        "elderly_care",
        "low_income",
    )
}

_ITEM_TABLES = (codes.CATEGORY_SHORT, VEHICLE_KINDS, INCOME_COMPONENTS, EXPENSE_KINDS, ROUNDING)
_QUOTED_CODE = re.compile(r"「([a-z_]+)」")


def item_label(item) -> str:
    """'limb:2' → 肢体二级, 'any:1-2' → 各类一至二级, category/vehicle/income codes → Chinese."""
    text = str(item)
    if ":" in text:
        kind, _, levels = text.partition(":")
        kind_zh = "各类" if kind == "any" else codes.DISABILITY_KINDS.get(kind, kind)
        low, _, high = levels.partition("-")
        level = "一二三四"
        span = f"{level[int(low) - 1]}至{level[int(high) - 1]}级" if high else f"{level[int(low) - 1]}级"
        return kind_zh + span
    for table in _ITEM_TABLES:
        if text in table:
            return table[text]
    return text


def value_label(value, unit: str | None = None) -> str:
    """A rule or parameter value as a clerk reads it: 是/否, lists joined, units added."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(item_label(v) for v in value) if value else "（无）"
    if isinstance(value, (int, float, Decimal)):
        text = format(Decimal(str(value)).normalize(), "f")
        return f"{text} {UNITS[unit]}" if unit in UNITS else text
    return item_label(value)


def describe(text: str) -> str:
    """Rule descriptions name categories by code (「tekun」); show the Chinese name."""
    return _QUOTED_CODE.sub(lambda m: f"「{codes.CATEGORY_SHORT.get(m.group(1), m.group(1))}」", text)
