"""A policy: the parameter tree plus an optional what-if file, resolved per county and month.

`--policy 140521` means "the parameters in force (shipped files and DOUDI_POLICY_DIR),
households must lie in 140521"; `--policy 14` covers a whole province, each household using
its own county's chain. `--policy path/to/file.yaml` loads a policy file (same format as a
region file) on top of the tree for its region: the what-if simulation edits a copy, never
the code. `parameter()` reads any one parameter, the payments' included; `provenance()`
says when a county has no parameters of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from doudi.rules.errors import RulesError
from doudi.rules.parameters import NATIONAL, Entry, RegionFile, load_tree, parse_file
from doudi.rules.schema import PARAMETERS, PAYMENT_PARAMETERS, spec_for


def chain_codes(region: str) -> list[str]:
    """Nearest first: county, city, province (each once; '00' is the national root)."""
    return list(dict.fromkeys(c for c in (region[:6], region[:4], region[:2]) if len(c) in (2, 4, 6)))


@dataclass
class Policy:
    region: str
    tree: dict[str, RegionFile]
    override: RegionFile | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def chain(self, county: str) -> list[RegionFile]:
        """Nearest first: what-if file, county, city, province, national."""
        files = [self.tree[c] for c in chain_codes(county) if c in self.tree and c != NATIONAL]
        if self.override and county.startswith(self.override.region):
            files.insert(0, self.override)
        return files + [self.tree[NATIONAL]]

    def entry(self, name: str, county: str, day: dt.date) -> Entry | None:
        """The value of `name` in force on `day` in the nearest file that has one."""
        for region_file in self.chain(county):
            hit = next((e for e in region_file.entries.get(name, ()) if e.in_force(day)), None)
            if hit:
                return hit
        return None

    def resolve(self, county: str, month_start: dt.date) -> dict[str, Entry]:
        """name → the Entry in force on month_start for this county (cached); rule parameters."""
        key = (county[:6], month_start)
        if key not in self._cache:
            self._cache[key] = self._resolve(county[:6], month_start)
        return self._cache[key]

    def _resolve(self, county: str, day: dt.date) -> dict[str, Entry]:
        out: dict[str, Entry] = {}
        for name in PARAMETERS:
            out[name] = self.entry(name, county, day) or self._missing(name, county, day)
        return out

    def _missing(self, name: str, county: str, day: dt.date):
        raise RulesError(
            f"参数 {name} 在 {day:%Y-%m} 对区划 {county} 没有生效的值（查找了 {', '.join(f.file for f in self.chain(county))}）"
        )

    def in_force(self, county: str, day: dt.date) -> list[tuple[Entry, RegionFile]]:
        """Every parameter with a value on `day` (rules, payments, each fund's shares), in
        schema order, with the file it comes from."""
        chain = self.chain(county)
        shares = sorted({n for f in chain for n in f.entries if n not in PARAMETERS and n not in PAYMENT_PARAMETERS})
        out = []
        for name in [*PARAMETERS, *PAYMENT_PARAMETERS, *shares]:
            for region_file in chain:
                hit = next((e for e in region_file.entries.get(name, ()) if e.in_force(day)), None)
                if hit:
                    out.append((hit, region_file))
                    break
        return out

    def covers(self, region: str) -> bool:
        return region.startswith(self.region)


def load_policy(policy: str, root: str | Path | None = None) -> Policy:
    """A region code (2/4/6 digits) or a path to a policy YAML file."""
    tree = load_tree(root)
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


def parameter(name: str, region: str, day: dt.date) -> Entry:
    """Any parameter (rules or payments) in force on `day` for `region` (county, township or
    any code whose first 6/4/2 digits name its county, city, province): the nearest file wins."""
    if spec_for(name) is None:
        raise RulesError(f"未知参数 {name}（见 docs/rules.md 参数一览）")
    found = Policy(region[:2], load_tree()).entry(name, region, day)
    if found is None:
        raise RulesError(f"参数 {name}（{spec_for(name).zh}）在 {day} 对区划 {region} 没有生效的值")
    return found


def county_notices(counties: dict[str, str]) -> list[str]:
    """ "提示：沁水县（140521）本县未配置参数，使用…" for each county ({code: name}) without a
    parameter file of its own: what a command that decides or pays prints on stderr."""
    return [f"提示：{name}（{code}）{notice}" for code, name in counties.items() if (notice := provenance(code))]


def provenance(region_code: str) -> str | None:
    """A Chinese notice when a county has no parameter file of its own, naming the region
    whose values it uses ("本县未配置参数，使用晋城市（1405）的参数"); None when it has one
    (or when the code is not a county's or below)."""
    county = str(region_code or "")[:6]
    if len(county) < 6 or not county.isdigit():
        return None
    tree = load_tree()
    if county in tree:
        return None
    policy = Policy(county[:2], tree)
    used = policy.chain(county)
    demo = any("演示" in e.ref for f in used for entries in f.entries.values() for e in entries)
    source = used[0]
    where = "全国默认" if source.region == NATIONAL else source.name
    return f"本县未配置参数，使用{where}（{source.region}）的参数{'（含演示值）' if demo else ''}。"
