"""Parameter values as the 参数管理 page shows them, and the text an administrator types read
back into the value a parameter file holds. Chinese names are accepted wherever a code has
one (是/否, 低保, 省级:0.6, 按月10日, 发布当月 …); the loader then checks the value exactly as
it checks a file, so a wrong value is refused with the loader's own reason."""

from __future__ import annotations

import re
from decimal import Decimal

import yaml

from doudi.assessment import labels
from doudi.core import codes
from doudi.rules.parameters import read_yaml
from doudi.rules.schema import EXTERNAL_GROUPS, FUND_LABELS, SOURCES, Spec

UNITS = {
    "yuan": "元",
    "ratio": "倍数/比例",
    "months": "月",
    "count": "个数",
    "years": "周岁",
    "bool": "是/否",
    "list": "列表",
    "choice": "选项",
    "percent": "%",
    "schedule": "发放周期",
    "deadline": "期限",
    "fund": "资金",
    "shares": "分担比例",
}
NUMERIC = ("yuan", "ratio", "months", "count", "years", "percent")
HELP = {
    "yuan": "金额，如 700",
    "ratio": "倍数或比例，如 1.3",
    "months": "整数月数",
    "count": "整数",
    "years": "整数周岁",
    "percent": "百分数，如 3.5（0 为不作启动条件）",
    "bool": "是 或 否",
    "list": "各项用顿号或逗号分隔，如 低保、特困；残疾范围写 类别:等级，如 any:1-2、intellectual:3",
    "choice": "可选值之一",
    "schedule": "按月10日 或 按季10日（日为 1–28）",
    "deadline": "发布当月 或 20个工作日",
    "fund": "资金名称或资金代码",
    "shares": "来源:比例，顿号分隔，合计为 1，如 省级:0.6、县级:0.4",
}
_ITEMS = {**codes.CATEGORY_SHORT, **EXTERNAL_GROUPS, **labels.VEHICLE_KINDS, **labels.INCOME_COMPONENTS, **labels.EXPENSE_KINDS}
_SPLIT = re.compile(r"\s*[,，、;；\n]\s*")


def _number(value) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def _reverse(table: dict, text: str) -> str:
    return next((code for code, zh in table.items() if zh == text), text)


def _item(spec: Spec, item) -> str:
    if spec.items == "disability":
        return labels.item_label(item)
    return _ITEMS.get(str(item), str(item))


def display(spec: Spec, value) -> str:
    """How the page shows a value: Chinese names, plain numbers, no codes where a name exists."""
    unit = spec.unit
    if unit == "bool":
        return "是" if value else "否"
    if unit in NUMERIC:
        return _number(value)
    if unit == "list":
        return "、".join(_item(spec, v) for v in value) if value else "（无）"
    if unit == "choice":
        return labels.ROUNDING.get(value, str(value))
    if unit == "schedule":
        freq, _, day = str(value).partition(":")
        return f"按月，每月{day}日前发放" if freq == "monthly" else f"按季，每季度初{day}日内发放"
    if unit == "deadline":
        return "指数发布当月内" if value == "same_month" else f"指数发布后{str(value).partition(':')[2]}个工作日内"
    if unit == "fund":
        return FUND_LABELS.get(value, str(value))
    if unit == "shares":
        return "，".join(f"{SOURCES.get(k, k)} {_number(Decimal(v) * 100)}%" for k, v in value.items())
    return str(value)


def input_text(spec: Spec, value) -> str:
    """The value written the way the edit box reads it back (to start an edit from)."""
    unit = spec.unit
    if unit == "list":
        return "、".join(str(v) if spec.items == "disability" else _ITEMS.get(str(v), str(v)) for v in value)
    if unit == "schedule":
        freq, _, day = str(value).partition(":")
        return f"{'按月' if freq == 'monthly' else '按季'}{day}日"
    if unit == "deadline":
        return "发布当月" if value == "same_month" else f"{str(value).partition(':')[2]}个工作日"
    if unit == "shares":
        return "、".join(f"{SOURCES.get(k, k)}:{_number(v)}" for k, v in value.items())
    return display(spec, value)


def _scalar(text: str):
    try:
        value = read_yaml(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else text


def parse(spec: Spec, text: str):
    """The typed text as the raw value the file will hold; the loader judges it."""
    text = (text or "").strip()
    unit = spec.unit
    if unit in NUMERIC:
        return _scalar(text) if text else None
    if unit == "bool":
        return {"是": True, "否": False, "true": True, "false": False}.get(text.lower(), text)
    if unit == "list":
        return [_reverse(_ITEMS, item) for item in _SPLIT.split(text.strip("[]［］")) if item]
    if unit == "choice":
        return _reverse(labels.ROUNDING, text)
    if unit == "schedule":
        found = re.fullmatch(r"(按月|按季)(?:，?每(?:月|季度初)?)?(\d+)日?(?:前|内)?(?:发放)?", text)
        return f"{'monthly' if found[1] == '按月' else 'quarterly'}:{found[2]}" if found else text
    if unit == "deadline":
        if text in ("发布当月", "指数发布当月内", "当月"):
            return "same_month"
        found = re.fullmatch(r"(?:指数)?(?:发布后)?(\d+)个工作日(?:内)?", text)
        return f"working_days:{found[1]}" if found else text
    if unit == "fund":
        return _reverse(FUND_LABELS, text)
    if unit == "shares":
        shares = {}
        for pair in filter(None, _SPLIT.split(text.strip("{}"))):
            source, sep, share = pair.replace("：", ":").partition(":")
            if not sep:
                return text
            shares[_reverse(SOURCES, source.strip())] = _scalar(share.strip())
        return shares or text
    return text
