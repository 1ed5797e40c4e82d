"""Dated regional parameters: load, validate strictly, resolve for a region and a month.

Files live under `parameters/`: `national.yaml` (region "00", the complete root) and one
file per region code named `<code>.yaml` (2 digits province, 4 city, 6 county), in any
sub-folder. A county inherits from its city, province and the national root; the nearest
value in force wins. Each value carries its effective date (`from`), optional `until` and
the 文号 that set it (`ref`). The value used for a month is the one in force on the
month's first day (docs/domain.md: every number is a dated, per-region parameter).

The payment parameters (schedules, funds, price-subsidy triggers; schema.PAYMENT_PARAMETERS)
live in the same files and are validated here too. `DOUDI_POLICY_DIR` names a folder of
county files in the same format, read beside the shipped tree: a file there for a region
replaces the shipped file for that region. The tree is rebuilt when a file's mtime, size or
the set of files changes (no restart); a bad file is refused naming file and key, and a
process that had a good tree keeps using it (`tree_problem()` says why).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from doudi.core.codes import DISABILITY_KINDS
from doudi.rules.errors import RulesError
from doudi.rules.schema import FUND_SHARES, ITEM_KINDS, PARAMETERS, PAYMENT_PARAMETERS, SOURCES, Spec, spec_for

ROOT = Path(__file__).parent / "parameters"
ENV = "DOUDI_POLICY_DIR"
SHIPPED, COUNTY = "shipped", "county"  # RegionFile.origin: the code's own tree, or DOUDI_POLICY_DIR
log = logging.getLogger(__name__)


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
    origin: str = SHIPPED


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


def _text(raw, file: str, key: str, ok: bool, expected: str) -> str:
    if not ok:
        raise _err(file, key, f"{expected}，文件写的是 {raw!r}")
    return str(raw)


def _shares(raw, file: str, key: str) -> dict[str, Decimal]:
    if not isinstance(raw, dict) or not raw:
        raise _err(file, key, "应为 来源: 比例 的映射，如 {province: 0.6, county: 0.4}")
    unknown = sorted(set(map(str, raw)) - set(SOURCES))
    if unknown:
        raise _err(file, key, f"未知资金来源 {unknown[0]}（可用：{', '.join(SOURCES)}）")
    shares = {source: _number(value, file, f"{key}.{source}", "ratio") for source, value in raw.items()}
    if sum(shares.values()) != 1:
        raise _err(file, key, f"各来源比例合计应为 1，现为 {sum(shares.values())}")
    return shares


def coerce(raw, spec: Spec, file: str, key: str):
    """The value converted to its unit's Python type, or a RulesError naming file and key."""
    unit = spec.unit
    if unit == "bool":
        if not isinstance(raw, bool):
            raise _err(file, key, f"单位为 bool，值 {raw!r} 应为 true 或 false")
        return raw
    if unit == "list":
        items = _list(raw, spec, file, key)
        if spec.nonempty and not items:
            raise _err(file, key, "至少要列出一项")
        return items
    if unit == "choice":
        if raw not in spec.choices:
            raise _err(file, key, f"值 {raw!r} 不在可选值 {', '.join(spec.choices)} 之中")
        return raw
    text = str(raw) if isinstance(raw, str) else ""
    if unit == "schedule":
        freq, _, day = text.partition(":")
        return _text(
            raw,
            file,
            key,
            freq in ("monthly", "quarterly") and day.isdigit() and 1 <= int(day) <= 28,
            "发放周期应写成 monthly:日 或 quarterly:日（日为 1–28）",
        )
    if unit == "deadline":
        ok = text == "same_month" or (text.startswith("working_days:") and text[13:].isdigit())
        return _text(raw, file, key, ok, "期限应为 same_month（发布当月）或 working_days:N（发布后 N 个工作日）")
    if unit == "fund":
        return _text(raw, file, key, text.isidentifier(), "资金代码应为英文代码（见资金分担比例 fund_shares.*）")
    if unit == "shares":
        return _shares(raw, file, key)
    value = _number(raw, file, key, unit)
    if unit == "percent" and value > 50:
        raise _err(file, key, f"触发值 {raw!r} 应为百分数（如 3.5），不能超过 50")
    if spec.high is not None and value > spec.high:
        raise _err(file, key, f"{spec.zh.partition('（')[0]} {raw!r} 应为 0–{spec.high} 的整数")
    return value


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
    spec = spec_for(name)
    if not isinstance(body, dict) or "values" not in body:
        raise _err(file, name, "应写成 {unit: 单位, values: [{from, value, ref}, …]}")
    if not isinstance(body["values"], list) or not body["values"]:
        raise _err(file, f"{name}.values", "至少要有一个带日期的值")
    out = [
        Entry(name, value, start, until, ref, region, file)
        for value, start, until, ref in dated_values(name, body["values"], file, lambda raw, key: coerce(raw, spec, file, key))
    ]
    # The values are checked against the parameter's own unit first, then the unit the file declares.
    if body.get("unit") != spec.unit:
        raise _err(file, f"{name}.unit", f"单位应为 {spec.unit}，文件写的是 {body.get('unit')!r}")
    # An open-ended value stops where the next one starts: "in force" is then a plain range test.
    ends = [e.until or (after.start - dt.timedelta(days=1)) for e, after in zip(out, out[1:])]
    return tuple(replace(e, until=end) for e, end in zip(out, ends)) + (out[-1],)


def read_yaml(text: str):
    """YAML as the loader reads it: safe, with dates kept as text (checked with their key)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def parse_file(path: Path, expect_region: str | None = None, *, label: str | None = None, origin: str = SHIPPED) -> RegionFile:
    """Parse and validate one file; any problem raises RulesError naming file and key.
    `label` replaces the path in messages and in `RegionFile.file` (the web page's file name)."""
    file = label or str(path)
    try:
        data = read_yaml(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
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
    unknown = sorted(str(name) for name in params if spec_for(str(name)) is None)
    if unknown:
        raise _err(file, unknown[0], "未知参数名（见 docs/rules.md 参数一览）")
    entries = {name: _entries(name, body, region, file) for name, body in params.items()}
    return RegionFile(region, str(data.get("name", region)), file, entries, origin)


def policy_dir() -> Path | None:
    """The DOUDI_POLICY_DIR folder, None when unset; a RulesError when it does not exist."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser()
    if not path.exists():
        raise RulesError(f"环境变量 {ENV} 指定的县级参数目录 {raw} 不存在：请先建立该文件夹（可以为空），或取消这项设置")
    if not path.is_dir():
        raise RulesError(f"环境变量 {ENV} 指定的 {raw} 不是文件夹：应为存放各县参数文件（区划代码.yaml）的文件夹")
    return path


_listings: dict[str, tuple] = {}  # folder → (its directories' mtimes, its region files)


def region_files(folder: Path) -> list[tuple[str, Path]]:
    """(region code, path) of every parameter file in a folder and its sub-folders; hidden
    files and folders (an editor's or the page's temporary files) are not parameter files.
    The listing is kept while no directory's mtime changes (a file added, removed or renamed)."""
    cached = _listings.get(str(folder))
    try:
        if cached and all(os.stat(d).st_mtime_ns == m for d, m in cached[0]):
            return cached[1]
    except OSError:
        pass
    dirs, out = [], []
    for top, subdirs, names in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        dirs.append((top, os.stat(top).st_mtime_ns))
        for name in sorted(n for n in names if n.endswith(".yaml") and not n.startswith(".")):
            path = Path(top) / name
            out.append((NATIONAL if path.stem == "national" else path.stem, path))
    out.sort(key=lambda item: str(item[1]))
    # A directory changed within the clock's granularity may change again unseen: not kept.
    _listings[str(folder)] = None if any(_racy(m) for _d, m in dirs) else (tuple(dirs), out)
    return out


def _racy(mtime_ns: int) -> bool:
    """Modified in the last two seconds: a second change could leave mtime and size as they were."""
    return mtime_ns > time.time_ns() - 2_000_000_000


def check_tree(tree: dict[str, RegionFile], root) -> None:
    """Checks across files: a complete national root, every fund code with its shares."""
    if NATIONAL not in tree:
        raise RulesError(f"参数目录 {root} 缺少全国默认文件 national.yaml")
    missing = sorted((set(PARAMETERS) | set(PAYMENT_PARAMETERS)) - set(tree[NATIONAL].entries))
    if missing:
        raise _err(tree[NATIONAL].file, missing[0], "全国默认文件必须给出每个参数的值")
    funds = {n[len(FUND_SHARES) :] for f in tree.values() for n in f.entries if n.startswith(FUND_SHARES)}
    for region_file in tree.values():
        for name, entries in region_file.entries.items():
            bad = next((e.value for e in entries if spec_for(name).unit == "fund" and e.value not in funds), None)
            if bad is not None:
                raise _err(region_file.file, name, f"资金代码 {bad!r} 没有定义资金分担比例（{FUND_SHARES}{bad}）")


def build_tree(root: Path, county_dir: Path | None = None) -> dict[str, RegionFile]:
    """Every region file under `root`, then those of `county_dir` replacing theirs; validated."""
    tree: dict[str, RegionFile] = {}
    for folder, origin in ((root, SHIPPED), (county_dir, COUNTY)):
        seen: dict[str, Path] = {}
        for code, path in region_files(folder) if folder else ():
            if code in seen:
                raise RulesError(f"参数文件 {path}：区划 {code} 已在 {seen[code]} 中定义")
            seen[code] = path
            parsed = parse_file(path, None if code == NATIONAL else code, origin=origin)
            tree[code] = replace(parsed, region=NATIONAL) if code == NATIONAL else parsed
    check_tree(tree, root)
    return tree


_lock = threading.Lock()
_good: dict[tuple, tuple] = {}  # (root, county dir) → (signature, tree): the last tree that loaded
_bad: dict[tuple, tuple] = {}  # (root, county dir) → (signature, RulesError): a refused state, not re-read


def _signature(folders) -> tuple:
    """Names, mtimes, sizes and inodes of every file (and the content of one changed in the last
    two seconds): any edit, addition or removal changes it."""
    out = []
    for folder in folders:
        for _code, path in region_files(folder) if folder else ():
            st = path.stat()
            recent = hash(path.read_bytes()) if _racy(st.st_mtime_ns) else None
            out.append((str(path), st.st_mtime_ns, st.st_size, st.st_ino, recent))
    return tuple(out)


def load_tree(root: str | Path | None = None, county_dir: str | Path | None = None) -> dict[str, RegionFile]:
    """The parameter tree keyed by region code: by default the shipped files with the
    DOUDI_POLICY_DIR files replacing theirs (what every consumer reads); with `root`, that
    folder (and `county_dir` if given). Rebuilt when a file changes; a refused change keeps
    the last tree that loaded in this process, or raises when there is none."""
    if root is None:
        root, county_dir = ROOT, county_dir or policy_dir()
    folders = (Path(root), Path(county_dir) if county_dir else None)
    config = tuple(str(f) for f in folders)
    signature = _signature(folders)
    with _lock:
        good, bad = _good.get(config), _bad.get(config)
        if good and good[0] == signature:
            return good[1]
        if bad and bad[0] == signature:
            if good:
                return good[1]
            raise bad[1]
        try:
            tree = build_tree(*folders)
        except RulesError as exc:
            _bad[config] = (signature, exc)
            if good is None:
                raise
            log.error("参数文件有错误，未生效，继续使用此前的参数：%s", exc)
            return good[1]
        _good[config], _bad[config] = (signature, tree), None
        return tree


def tree_problem() -> str | None:
    """Why the last change to the parameter files was refused while earlier values stay in
    force (a Chinese sentence for the parameters page), or None when the files loaded."""
    try:
        folders = (ROOT, policy_dir())
    except RulesError as exc:
        return str(exc)
    bad = _bad.get(tuple(str(f) for f in folders))
    if bad is None or bad[0] != _signature(folders):
        return None
    return f"参数文件有错误，未生效：{bad[1]}。此前的参数仍在使用；改正文件后立即生效。"
