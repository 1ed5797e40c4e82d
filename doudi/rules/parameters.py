"""Dated regional parameters: load, validate strictly, resolve for a region and a month.

Files live under `parameters/`: `national.yaml` (region "00", the complete root) and one
file per region code named `<code>.yaml` (2 digits province, 4 city, 6 county), in any
sub-folder. A county inherits from its city, province and the national root; the nearest
value in force wins. Each value carries its effective date (`from`), optional `until` and
the 文号 that set it (`ref`). The value used for a month is the one in force on the
month's first day (DOMAIN.md: every number is a dated, per-region parameter).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml

from doudi.core.codes import DISABILITY_KINDS
from doudi.rules.errors import RulesError
from doudi.rules.schema import ITEM_KINDS, PARAMETERS, Spec

ROOT = Path(__file__).parent / "parameters"


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so a bad date is reported with its key."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
NATIONAL = "00"


@dataclass(frozen=True)
class Entry:
    """One dated value of one parameter in one region file."""

    name: str
    value: object
    start: dt.date
    until: dt.date | None
    ref: str
    region: str
    file: str

    def in_force(self, day: dt.date) -> bool:
        return self.start <= day and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class RegionFile:
    region: str
    name: str
    file: str
    entries: dict  # parameter name -> tuple[Entry, ...] sorted by start


def _err(file: str, key: str, text: str) -> RulesError:
    return RulesError(f"参数文件 {file}，{key}：{text}")


def _date(raw, file: str, key: str) -> dt.date:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise _err(file, key, f"日期 {raw!r} 不是 YYYY-MM-DD 格式") from None


def _number(raw, file: str, key: str, unit: str) -> Decimal:
    # bool is an int in Python; "600元" or a list is a wrong unit, not a number to guess at.
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise _err(file, key, f"单位为 {unit}，值 {raw!r} 不是数字")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise _err(file, key, f"单位为 {unit}，值 {raw!r} 不是数字") from None
    if value < 0 or not value.is_finite():
        raise _err(file, key, f"值 {raw!r} 不能为负数")
    if unit in ("months", "count", "years") and value != value.to_integral_value():
        raise _err(file, key, f"单位为 {unit}，值 {raw!r} 应为整数")
    if unit == "ratio" and value > 100:
        raise _err(file, key, f"单位为 ratio（倍数或比例），值 {raw!r} 过大，是否写成了金额？")
    return value


def _disability_items(item: str, file: str, key: str) -> list[str]:
    """'limb:1-2' → ['limb:1', 'limb:2']; 'any:1' expands to every kind."""
    kind, _, levels = str(item).partition(":")
    low, _, high = levels.partition("-")
    high = high or low
    kinds = list(DISABILITY_KINDS) if kind == "any" else [kind]
    if kind != "any" and kind not in DISABILITY_KINDS:
        raise _err(file, key, f"残疾类别 {kind!r} 未知（可用：{', '.join(DISABILITY_KINDS)}、any）")
    if not (low.isdigit() and high.isdigit() and 1 <= int(low) <= int(high) <= 4):
        raise _err(file, key, f"残疾等级 {item!r} 应写成 类别:等级 或 类别:起-止，等级 1–4")
    return [f"{k}:{n}" for k in kinds for n in range(int(low), int(high) + 1)]


def _list(raw, spec: Spec, file: str, key: str) -> tuple:
    if not isinstance(raw, list):
        raise _err(file, key, f"单位为 list，值 {raw!r} 不是列表")
    items: list[str] = []
    for item in raw:
        if spec.items == "disability":
            items.extend(_disability_items(item, file, key))
        elif item not in ITEM_KINDS[spec.items]:
            raise _err(file, key, f"列表项 {item!r} 未知（可用：{', '.join(ITEM_KINDS[spec.items])}）")
        else:
            items.append(item)
    return tuple(dict.fromkeys(items))


def coerce(raw, spec: Spec, file: str, key: str):
    """The value converted to its unit's Python type, or a RulesError naming file and key."""
    if spec.unit == "bool":
        if not isinstance(raw, bool):
            raise _err(file, key, f"单位为 bool，值 {raw!r} 应为 true 或 false")
        return raw
    if spec.unit == "list":
        return _list(raw, spec, file, key)
    if spec.unit == "choice":
        if raw not in spec.choices:
            raise _err(file, key, f"值 {raw!r} 不在可选值 {', '.join(spec.choices)} 之中")
        return raw
    return _number(raw, file, key, spec.unit)


def dated_values(name: str, items: list, file: str, convert) -> list[tuple]:
    """(value, from, until, ref) of one parameter's dated values, sorted and checked: each
    has a date, a value and its 文号, nothing unknown, no overlap. `convert(raw, key)`
    turns a raw value into its type or raises RulesError naming the key. Shared with the
    payment parameters, which follow the same discipline."""
    out = []
    for i, item in enumerate(items):
        key = f"{name}.values[{i}]"
        if not isinstance(item, dict):
            raise _err(file, key, "应为 {from, value, ref}")
        for field, zh in (("from", "生效日期 from"), ("value", "值 value"), ("ref", "文号 ref")):
            if item.get(field) in (None, ""):
                raise _err(file, key, f"缺少{zh}")
        unknown = set(item) - {"from", "until", "value", "ref", "note"}
        if unknown:
            raise _err(file, key, f"未知字段 {', '.join(sorted(unknown))}")
        start = _date(item["from"], file, f"{key}.from")
        until = _date(item["until"], file, f"{key}.until") if item.get("until") else None
        if until and until < start:
            raise _err(file, key, f"截止日期 {until} 早于生效日期 {start}")
        out.append((convert(item["value"], f"{key}.value"), start, until, str(item["ref"])))
    out.sort(key=lambda dated: dated[1])
    for (_, start, until, _), (_, next_start, _, _) in zip(out, out[1:]):
        if start == next_start or (until and until >= next_start):
            raise _err(file, name, f"日期重叠：{start} 起的值与 {next_start} 起的值重叠")
    return out


def _entries(name: str, body, region: str, file: str) -> tuple[Entry, ...]:
    spec = PARAMETERS[name]
    if not isinstance(body, dict) or "values" not in body:
        raise _err(file, name, "应写成 {unit: 单位, values: [{from, value, ref}, …]}")
    if body.get("unit") != spec.unit:
        raise _err(file, f"{name}.unit", f"单位应为 {spec.unit}，文件写的是 {body.get('unit')!r}")
    if not isinstance(body["values"], list) or not body["values"]:
        raise _err(file, f"{name}.values", "至少要有一个带日期的值")
    out = [Entry(name, value, start, until, ref, region, file)
           for value, start, until, ref in dated_values(name, body["values"], file, lambda raw, key: coerce(raw, spec, file, key))]
    # An open-ended value stops where the next one starts: "in force" is then a plain range test.
    ends = [e.until or (after.start - dt.timedelta(days=1)) for e, after in zip(out, out[1:])]
    return tuple(replace(e, until=end) for e, end in zip(out, ends)) + (out[-1],)


def parse_file(path: Path, expect_region: str | None = None) -> RegionFile:
    """Parse and validate one file; any problem raises RulesError naming file and key."""
    file = str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe subclass
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"参数文件 {file} 无法读取或不是合法的 YAML：{exc}") from None
    if not isinstance(data, dict):
        raise RulesError(f"参数文件 {file} 应为一个映射（region、name、parameters）")
    region = str(data.get("region", ""))
    if not region.isdigit() or len(region) not in (2, 4, 6):
        raise _err(file, "region", f"区划代码 {region!r} 应为2、4或6位数字")
    if expect_region is not None and region != expect_region:
        raise _err(file, "region", f"文件名表明区划 {expect_region}，文件内写的是 {region}")
    params = data.get("parameters") or {}
    if not isinstance(params, dict):
        raise _err(file, "parameters", "应为 参数名: {unit, values} 的映射")
    unknown = sorted(set(params) - set(PARAMETERS))
    if unknown:
        raise _err(file, unknown[0], "未知参数名（见 docs/rules.md 参数一览）")
    entries = {name: _entries(name, body, region, file) for name, body in params.items()}
    return RegionFile(region, str(data.get("name", region)), file, entries)


@lru_cache(maxsize=8)
def load_tree(root: str = str(ROOT)) -> dict[str, RegionFile]:
    """Every region file under `root`, validated, keyed by region code (cached)."""
    tree: dict[str, RegionFile] = {}
    for path in sorted(Path(root).rglob("*.yaml")):
        code = NATIONAL if path.stem == "national" else path.stem
        parsed = parse_file(path, None if code == NATIONAL else code)
        if code == NATIONAL:
            parsed = RegionFile(NATIONAL, parsed.name, parsed.file, parsed.entries)
        if code in tree:
            raise RulesError(f"参数文件 {path}：区划 {code} 已在 {tree[code].file} 中定义")
        tree[code] = parsed
    if NATIONAL not in tree:
        raise RulesError(f"参数目录 {root} 缺少全国默认文件 national.yaml")
    missing = sorted(set(PARAMETERS) - set(tree[NATIONAL].entries))
    if missing:
        raise _err(tree[NATIONAL].file, missing[0], "全国默认文件必须给出每个参数的值")
    return tree
