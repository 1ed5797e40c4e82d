"""A policy: the parameter tree plus an optional what-if file, resolved per county and month.

`--policy 140521` means "the shipped parameters, households must lie in 140521"; `--policy
14` covers a whole province, each household using its own county's chain. `--policy
path/to/file.yaml` loads a policy file (same format as a region file) on top of the
shipped tree for its region: the what-if simulation edits a copy, never the code.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from doudi.rules.errors import RulesError
from doudi.rules.parameters import NATIONAL, ROOT, Entry, RegionFile, load_tree, parse_file
from doudi.rules.schema import PARAMETERS


@dataclass
class Policy:
    region: str
    tree: dict[str, RegionFile]
    override: RegionFile | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def chain(self, county: str) -> list[RegionFile]:
        """Nearest first: what-if file, county, city, province, national."""
        files = [self.tree[c] for c in (county[:6], county[:4], county[:2]) if c in self.tree]
        if self.override and county.startswith(self.override.region):
            files.insert(0, self.override)
        return files + [self.tree[NATIONAL]]

    def resolve(self, county: str, month_start: dt.date) -> dict[str, Entry]:
        """name → the Entry in force on month_start for this county (cached)."""
        key = (county[:6], month_start)
        if key not in self._cache:
            self._cache[key] = self._resolve(county[:6], month_start)
        return self._cache[key]

    def _resolve(self, county: str, day: dt.date) -> dict[str, Entry]:
        chain = self.chain(county)
        out: dict[str, Entry] = {}
        for name in PARAMETERS:
            for region_file in chain:
                hit = next((e for e in region_file.entries.get(name, ()) if e.in_force(day)), None)
                if hit:
                    out[name] = hit
                    break
            else:
                raise RulesError(
                    f"参数 {name} 在 {day:%Y-%m} 对区划 {county} 没有生效的值"
                    f"（查找了 {', '.join(f.file for f in chain)}）"
                )
        return out

    def covers(self, region: str) -> bool:
        return region.startswith(self.region)


def load_policy(policy: str, root: str | Path = ROOT) -> Policy:
    """A region code (2/4/6 digits) or a path to a policy YAML file."""
    tree = load_tree(str(root))
    text = str(policy).strip()
    if text.isdigit():
        if len(text) not in (2, 4, 6):
            raise RulesError(f"政策区划代码 {text!r} 应为2、4或6位数字（省、市、县）")
        if text[:2] not in tree:
            known = ", ".join(sorted(c for c in tree if len(c) == 2 and c != NATIONAL))
            raise RulesError(f"未知区划 {text}：没有该省的参数文件（已有：{known}）")
        return Policy(text, tree)
    path = Path(text)
    if not path.is_file():
        raise RulesError(f"政策 {text!r} 既不是区划代码，也不是存在的参数文件")
    override = parse_file(path)
    if override.region[:2] not in tree:
        raise RulesError(f"参数文件 {path}，region：未知区划 {override.region}（没有该省的参数文件）")
    return Policy(override.region, tree, override)
