"""Payment parameters: schedules, fund splits, price-subsidy triggers and campaigns, as
dated per-region YAML under `payments/parameters/` (same discipline as the rules'
parameters: every value has `from` and the 文号 `ref`; strict validation; a Chinese error
naming the file and the key). Region files inherit national → province → city → county.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from doudi.rules.errors import RulesError
from doudi.rules.parameters import _err, _Loader, _number, dated_values

ROOT = Path(__file__).parent / "parameters"
NATIONAL = "00"
PAID_CATEGORIES = ("dibao", "dibao_single", "tekun", "orphan", "unsupported_child", "disability_living",
                   "disability_care", "elderly_age", "elderly_care")
REGISTRY_GROUPS = ("dibao", "dibao_single", "tekun", "orphan", "unsupported_child", "dibao_edge")
EXTERNAL_GROUPS = {"youfu": "优抚对象", "unemployment": "失业保险金领取人员", "unemployment_aid": "失业补助金领取人员"}
PRICE_GROUPS = REGISTRY_GROUPS + tuple(EXTERNAL_GROUPS)
SOURCES = {"central": "中央", "province": "省级", "city": "市级", "county": "县级", "unemployment_fund": "失业保险基金",
           "donation": "社会捐赠"}
# Display names of the shipped fund codes; a code added in a parameter file shows as itself.
FUND_LABELS = {"assistance": "困难群众基本生活救助补助资金", "disability": "残疾人两项补贴资金", "county": "县级财政资金",
               "province6_county4": "省、县按6:4分担", "unemployment": "失业保险基金", "youfu_province": "省级资金（县级垫付）",
               "donation": "社会捐赠资金", "temp_assist": "临时救助资金"}
ROUNDING = ("yuan_half_up", "yuan_ceiling", "yuan_floor", "jiao_half_up", "fen_half_up")


def _kinds() -> dict[str, str]:
    kinds = {f"schedule.{c}": "schedule" for c in PAID_CATEGORIES}
    kinds |= {f"fund.{c}": "fund" for c in PAID_CATEGORIES}
    kinds |= {"fund.temp_assist": "fund"}  # 临时救助备用金 draws (reserve.py)
    kinds |= {"backpay.months": "count"}
    kinds |= {"price_subsidy.trigger.cpi": "percent", "price_subsidy.trigger.food": "percent",
              "price_subsidy.groups": "groups", "price_subsidy.deadline": "deadline", "price_subsidy.rounding": "rounding"}
    kinds |= {f"price_subsidy.fund.{g}": "fund" for g in ("assistance_groups", *EXTERNAL_GROUPS)}
    return kinds


KINDS = _kinds()  # parameter name → value kind; fund_shares.<code> are added by name


@dataclass(frozen=True)
class Schedule:
    frequency: str  # monthly | quarterly
    due_day: int

    def is_due(self, month: str) -> bool:
        return self.frequency == "monthly" or int(month[5:]) % 3 == 1

    @property
    def months(self) -> int:
        return 1 if self.frequency == "monthly" else 3


def _value(kind: str, raw, file: str, key: str):
    if kind == "percent":
        value = _number(raw, file, key, "ratio")
        if value > 50:
            raise _err(file, key, f"触发值 {raw!r} 应为百分数（如 3.5），不能超过 50")
        return value
    if kind == "count":
        if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= 36:
            raise _err(file, key, f"补发月数 {raw!r} 应为 0–36 的整数（0 表示不自动补发）")
        return raw
    if kind == "schedule":
        freq, _, day = str(raw).partition(":")
        if freq not in ("monthly", "quarterly") or not day.isdigit() or not 1 <= int(day) <= 28:
            raise _err(file, key, f"发放周期 {raw!r} 应写成 monthly:日 或 quarterly:日（日为 1–28）")
        return Schedule(freq, int(day))
    if kind == "deadline":
        text = str(raw)
        if text == "same_month" or (text.startswith("working_days:") and text[13:].isdigit()):
            return text
        raise _err(file, key, f"期限 {raw!r} 应为 same_month 或 working_days:N")
    if kind == "rounding":
        if raw not in ROUNDING:
            raise _err(file, key, f"取整方式 {raw!r} 不在 {', '.join(ROUNDING)} 之中")
        return raw
    if kind == "groups":
        if not isinstance(raw, list) or not raw or any(g not in PRICE_GROUPS for g in raw):
            raise _err(file, key, f"对象类别应为列表，可用：{', '.join(PRICE_GROUPS)}")
        return tuple(dict.fromkeys(raw))
    if kind == "fund":
        if not isinstance(raw, str) or not raw.isidentifier():
            raise _err(file, key, f"资金代码 {raw!r} 应为英文代码（见 fund_shares.*）")
        return raw
    return _shares(raw, file, key)


def _shares(raw, file: str, key: str) -> dict[str, Decimal]:
    if not isinstance(raw, dict) or not raw:
        raise _err(file, key, "应为 来源: 比例 的映射，如 {province: 0.6, county: 0.4}")
    unknown = sorted(set(raw) - set(SOURCES))
    if unknown:
        raise _err(file, key, f"未知资金来源 {unknown[0]}（可用：{', '.join(SOURCES)}）")
    shares = {source: _number(value, file, f"{key}.{source}", "ratio") for source, value in raw.items()}
    if sum(shares.values()) != 1:
        raise _err(file, key, f"各来源比例合计应为 1，现为 {sum(shares.values())}")
    return shares


@dataclass(frozen=True)
class Entry:
    value: object
    start: dt.date
    until: dt.date | None
    ref: str
    file: str


def _entries(name: str, body, file: str) -> tuple[Entry, ...]:
    kind = "shares" if name.startswith("fund_shares.") else KINDS[name]
    if not isinstance(body, dict) or not isinstance(body.get("values"), list) or not body["values"]:
        raise _err(file, name, "应写成 {values: [{from, value, ref}, …]}，至少一个值")
    dated = dated_values(name, body["values"], file, lambda raw, key: _value(kind, raw, file, key))
    return tuple(Entry(value, start, until, ref, file) for value, start, until, ref in dated)


def parse_file(path: Path) -> tuple[str, dict[str, tuple[Entry, ...]]]:
    file = str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe subclass
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"参数文件 {file} 无法读取或不是合法的 YAML：{exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
        raise RulesError(f"参数文件 {file} 应为一个映射（region、name、parameters）")
    region = str(data.get("region", ""))
    expected = NATIONAL if path.stem == "national" else path.stem
    if region != expected:
        raise _err(file, "region", f"文件名表明区划 {expected}，文件内写的是 {region!r}")
    params = data["parameters"]
    for name in params:
        if name not in KINDS and not (name.startswith("fund_shares.") and name[12:].isidentifier()):
            raise _err(file, name, "未知参数名（见 docs/payments.md 参数一览）")
    return region, {name: _entries(name, body, file) for name, body in params.items()}


@lru_cache(maxsize=4)
def load_tree(root: str = str(ROOT)) -> dict[str, dict[str, tuple[Entry, ...]]]:
    tree = {}
    for path in sorted(Path(root).glob("*.yaml")):
        if path.stem == "national" or path.stem.isdigit():  # region files; campaigns and layouts live beside them
            region, entries = parse_file(path)
            tree[region] = entries
    if NATIONAL not in tree:
        raise RulesError(f"参数目录 {root} 缺少全国默认文件 national.yaml")
    missing = sorted(set(KINDS) - set(tree[NATIONAL]))
    if missing:
        raise _err(str(Path(root) / "national.yaml"), missing[0], "全国默认文件必须给出每个参数的值")
    funds = _fund_codes(tree)
    for region, entries in tree.items():
        for name, values in entries.items():
            for entry in values:
                if KINDS.get(name) == "fund" and entry.value not in funds:
                    raise _err(entry.file, name, f"资金代码 {entry.value!r} 没有定义 fund_shares.{entry.value}")
    return tree


def _fund_codes(tree) -> set[str]:
    return {n[12:] for entries in tree.values() for n in entries if n.startswith("fund_shares.")}


def fund_codes(root: str = str(ROOT)) -> list[str]:
    """Every fund code with a `fund_shares.<code>` split in some region file."""
    return sorted(_fund_codes(load_tree(root)))


def value(name: str, region: str, day: dt.date, root: str = str(ROOT)):
    """The value of `name` in force on `day` for `region`: the nearest region file wins."""
    return entry(name, region, day, root).value


def entry(name: str, region: str, day: dt.date, root: str = str(ROOT)) -> Entry:
    tree = load_tree(root)
    for code in (region[:6], region[:4], region[:2], NATIONAL):
        for item in tree.get(code, {}).get(name, ()):
            ends = item.until or _next_start(tree[code][name], item)
            if item.start <= day and (ends is None or day <= ends):
                return item
    raise RulesError(f"资金发放参数 {name} 在 {day} 对区划 {region} 没有生效的值")


def _next_start(entries, item) -> dt.date | None:
    later = [e.start for e in entries if e.start > item.start]
    return min(later) - dt.timedelta(days=1) if later else None


def fund_shares(fund: str, day: dt.date, region: str = NATIONAL) -> dict[str, Decimal]:
    return value(f"fund_shares.{fund}", region, day)
