"""Writing a county's parameters (the 参数管理 page): one new dated value, with its 文号, into
the county's file in DOUDI_POLICY_DIR. The county file is created by copying the county's
shipped file when there is none yet. The new file is validated exactly as at load (the file
itself and the tree it joins) before it replaces the old one; a refused value writes nothing
and the values in force stay as they were. Django-free: the page records the audit entry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from doudi.rules.errors import RulesError
from doudi.rules.parameters import (
    COUNTY,
    ENV,
    ROOT,
    Entry,
    check_tree,
    load_tree,
    parse_file,
    policy_dir,
    read_yaml,
    region_files,
)
from doudi.rules.policy import Policy
from doudi.rules.schema import spec_for

try:  # one writer at a time per folder (two administrators saving at once)
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None

NEEDS_FOLDER = (
    f"修改参数需要先设置县级参数目录：在服务器上建立一个文件夹（如 /srv/doudi/policy），"
    f"启动 doudi 前设置环境变量 {ENV} 为该文件夹，然后重新启动服务。"
    "修改会以“区划代码.yaml”写入该文件夹，随附的参数文件不会被改动。"
)


@dataclass(frozen=True)
class Change:
    region: str
    name: str
    file: str  # the county file's name (no folder)
    created: bool  # the county file did not exist before
    before: Entry | None  # the value in force on the new value's date before the change
    after: Entry


@contextlib.contextmanager
def _locked(folder: Path):
    if fcntl is None:
        yield
        return
    with open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _date(raw):
    """Dates as YAML dates (unquoted), whatever the loader kept them as."""
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        return raw


def _flow(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**9).strip()


def _line(key: str, value) -> str:
    """`key: value` on one line (a mapping in flow style without its braces)."""
    return _flow({key: value})[1:-1]


def render(header: list[str], data: dict) -> str:
    """A region file in the shipped files' layout: one line per dated value."""
    lines = [*header, f'region: "{data["region"]}"', _line("name", str(data.get("name") or data["region"]))]
    lines += [_line(k, v) for k, v in data.items() if k not in ("region", "name", "parameters")]
    lines.append("parameters:")
    for name, body in (data.get("parameters") or {}).items():
        lines += [f"  {name}:", f"    unit: {body.get('unit')}"]
        lines += [f"    {_line(k, v)}" for k, v in body.items() if k not in ("unit", "values")]
        lines.append("    values:")
        for item in body.get("values") or []:
            item = {k: _date(v) if k in ("from", "until") else v for k, v in item.items()}
            lines.append(f"      - {_flow(item)}")
    return "\n".join(lines) + "\n"


def _start_text(region: str, region_name: str, tree) -> str:
    """The county file's text before the change: its own, the shipped one's, or a new one."""
    shipped = tree.get(region)
    if shipped is not None:
        return Path(shipped.file).read_text(encoding="utf-8")
    return f'# {region_name or region}：本县参数（由参数管理页面建立）。\nregion: "{region}"\nname: {region_name or region}\nparameters: {{}}\n'


def add_value(
    *,
    region: str,
    name: str,
    start: dt.date,
    value,
    ref: str,
    note: str = "",
    until: dt.date | None = None,
    region_name: str = "",
) -> Change:
    """Adds {from: start, value, ref, until?, note?} to `name` in the county's file."""
    folder = policy_dir()
    if folder is None:
        raise RulesError(NEEDS_FOLDER)
    spec = spec_for(name)
    if spec is None:
        raise RulesError(f"未知参数 {name!r}（见 docs/rules.md 参数一览）")
    if len(region) != 6 or not region.isdigit():
        raise RulesError(f"区划 {region}：参数按县修改，应为6位县级区划代码")
    with _locked(folder):
        tree = load_tree()
        target = next((path for code, path in region_files(folder) if code == region), folder / f"{region}.yaml")
        created = not target.exists()
        text = _start_text(region, region_name, tree) if created else target.read_text(encoding="utf-8")
        try:
            data = read_yaml(text)
        except yaml.YAMLError as exc:
            raise RulesError(f"参数文件 {target.name} 不是合法的 YAML，请先改正：{exc}") from None
        if not isinstance(data, dict):
            raise RulesError(f"参数文件 {target.name} 应为一个映射（region、name、parameters）")
        data["region"] = str(data.get("region") or region)
        params = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
        data["parameters"] = params
        body = params.setdefault(name, {"unit": spec.unit, "values": []})
        if not isinstance(body, dict) or not isinstance(body.get("values"), list):
            raise RulesError(f"参数文件 {target.name}，{name}：应写成 {{unit, values}}，请先改正文件")
        item = {"from": start.isoformat(), "value": value, "ref": ref}
        if until:
            item["until"] = until.isoformat()
        if note:
            item["note"] = note
        body["values"].append(item)
        header = [line for line in _header(text)]
        return _write(target, render(header, data), region, name, start, created, tree)


def _header(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        out.append(line)
    return out


def _write(target: Path, text: str, region: str, name: str, start: dt.date, created: bool, tree) -> Change:
    scratch = target.with_name(f".{target.name}.tmp")  # hidden: never read as a parameter file
    scratch.write_text(text, encoding="utf-8")
    try:
        parsed = parse_file(scratch, region, label=target.name, origin=COUNTY)
        candidate = {**tree, region: parsed}
        check_tree(candidate, ROOT)
        os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)
    before = Policy(region[:2], tree).entry(name, region, start)
    after = Policy(region[:2], candidate).entry(name, region, start)
    return Change(region, name, target.name, created, before, after)
