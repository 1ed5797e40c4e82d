"""Synthetic administrative divisions (行政区划) for the demo county and for a province.

Province, city and county codes and names are real: they come from python-stdnum's
`cn/loc` table, the same table `doudi.core.idnumber` checks ID numbers against, so every
county we generate people in is one an ID number may legally start with. Townships and
villages below a county are invented but follow the 统计用区划代码 conventions:
街道 001–099, 镇 100–199, 乡 200–299 (9 digits); 居委会/社区 001–199 and 村委会 200–399
(12 digits).
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path
from typing import Iterable, NamedTuple

from doudi.core.regions import LEVEL_NAMES

DEMO_COUNTY = "140521"
DEMO_PROVINCE = "14"

# 沁水县's towns and townships; codes in the official style so the demo looks familiar.
QINSHUI_TOWNSHIPS = (
    ("140521100", "龙港镇"),
    ("140521101", "中村镇"),
    ("140521102", "郑庄镇"),
    ("140521103", "端氏镇"),
    ("140521104", "嘉峰镇"),
    ("140521105", "郑村镇"),
    ("140521106", "柿庄镇"),
    ("140521200", "土沃乡"),
    ("140521201", "张村乡"),
    ("140521202", "苏庄乡"),
    ("140521203", "胡底乡"),
    ("140521204", "固县乡"),
)

# Building blocks for place names common in southern Shanxi's hills.
_PLACE_SURNAMES = tuple("王李张刘赵郭杨陈韩贾孙马范武冯段石梁牛任曹秦宋常卫申程崔董")
_PLACE_WORDS = (
    "东",
    "西",
    "南",
    "北",
    "上",
    "下",
    "前",
    "后",
    "中",
    "大",
    "小",
    "新",
    "老",
    "石",
    "柳",
    "杏",
    "枣",
    "桃",
    "柏",
    "松",
    "龙",
    "凤",
    "白",
    "红",
    "青",
    "黄",
    "土",
    "沙",
    "泉",
    "水",
    "河",
    "山",
    "高",
    "安",
    "和",
    "丰",
    "兴",
    "富",
    "永",
    "长",
)
_PLACE_MIDDLES = tuple("石泉水河山树柳枣杏桃柏松沟坪峪窑")
_PLACE_ENDINGS = ("庄", "沟", "峪", "坪", "岭", "河", "底", "洼", "堡", "庄头", "圪堆", "窑", "坡", "岩", "凹", "头")
_COMMUNITY_WORDS = (
    "东关",
    "西关",
    "南关",
    "北关",
    "新华",
    "建设",
    "解放",
    "人民",
    "文化",
    "幸福",
    "和平",
    "朝阳",
    "育才",
    "府前",
    "中心",
    "滨河",
    "胜利",
    "前进",
    "康宁",
    "阳光",
    "花园",
    "振兴",
    "迎宾",
    "沁园",
    "梅园",
    "锦绣",
    "新村",
    "工人",
    "矿区",
    "电厂",
)
_COMMUNITY_ENDINGS = ("社区", "社区", "社区", "街社区", "路社区")


class RegionRow(NamedTuple):
    """One region: `level` is province/city/county/township/village."""

    code: str
    name: str
    level: str
    parent_code: str | None


# ---------------------------------------------------------------------------------------
# Real codes from stdnum


_YEAR_RANGE = re.compile(r"^\[(\d{4})?-(\d{4})?\](.*)$")


def _current_name(raw: str) -> str | None:
    """The name still in force from a loc.dat entry like '[-1991]东郊区,[1992-]东丽区'."""
    latest = raw.split(",")[-1].strip()
    match = _YEAR_RANGE.match(latest)
    if not match:
        return latest
    return None if match.group(2) else match.group(3)


def real_divisions(province: str = DEMO_PROVINCE) -> tuple[str, list[tuple[str, str]], list[tuple[str, str]]]:
    """(province name, [(city code, name)], [(county code, name)]) in force today.

    市辖区 placeholders (xx01) are skipped: nobody lives in them."""
    from stdnum import numdb

    for _length, code, _end, props, children in numdb.get("cn/loc").prefixes:  # noqa: B007 - used after the break
        if code == province:
            break
    else:
        raise ValueError(f"unknown province code {province!r}")
    cities, counties = [], []
    for _length, tail, _end, child_props, _ in children:
        name = _current_name(child_props.get("county", ""))
        if not name or tail == "0000" or name == "市辖区":
            continue
        if tail.endswith("00"):
            cities.append((province + tail[:2], name))
        else:
            counties.append((province + tail, name))
    city_codes = {code for code, _ in cities}
    counties = [(code, name) for code, name in counties if code[:4] in city_codes]
    return props["province"], cities, counties


# ---------------------------------------------------------------------------------------
# Invented townships and villages


def _village_name(rng: random.Random, taken: set[str], community: bool) -> str:
    """A fresh 村/社区 name such as 王家庄村, 石沟村, 东关社区."""
    for _attempt in range(200):
        if community:
            name = rng.choice(_COMMUNITY_WORDS) + rng.choice(_COMMUNITY_ENDINGS)
        else:
            roll = rng.random()
            if roll < 0.35:  # 王家沟
                stem = rng.choice(_PLACE_SURNAMES) + "家"
            elif roll < 0.7:  # 石沟
                stem = rng.choice(_PLACE_WORDS)
            else:  # 上河庄
                stem = rng.choice(_PLACE_WORDS) + rng.choice(_PLACE_MIDDLES)
            name = stem + rng.choice(_PLACE_ENDINGS) + "村"
        repeated = any(a == b for a, b in zip(name, name[1:]))
        if name not in taken and not repeated:
            taken.add(name)
            return name
    raise RuntimeError("ran out of village names")  # pragma: no cover - 10^4+ combinations


def _villages(rng: random.Random, township: str, count: int, communities: int, taken: set[str]) -> list[RegionRow]:
    """`communities` 社区 (codes 001…) then `count` 村 (codes 201…) under one township."""
    rows = [
        RegionRow(f"{township}{index + 1:03d}", _village_name(rng, taken, True), "village", township)
        for index in range(communities)
    ]
    rows += [
        RegionRow(f"{township}{201 + index:03d}", _village_name(rng, taken, False), "village", township) for index in range(count)
    ]
    return rows


def _township_names(rng: random.Random, count: int, district: bool) -> list[tuple[str, str]]:
    """(code, name) of invented townships: districts get 街道, counties 镇 and 乡."""
    taken: set[str] = set()
    result, next_code = [], {"街道": 1, "镇": 100, "乡": 200}
    for index in range(count):
        kind = "街道" if district and index < max(2, count // 2) else ("镇" if rng.random() < 0.6 else "乡")
        while True:
            if kind == "街道":
                base = rng.choice(_COMMUNITY_WORDS)
            else:
                base = rng.choice(_PLACE_WORDS) + rng.choice(_PLACE_ENDINGS[:9])
            if base[0] != base[-1] and base not in taken:
                taken.add(base)
                break
        result.append((f"{next_code[kind]:03d}", base + kind))
        next_code[kind] += 1
    return result


def _county_tree(rng: random.Random, county: str, townships: list[tuple[str, str]], villages: tuple[int, int]) -> list[RegionRow]:
    """Township and village rows under one county; the first township is the county seat
    (县城) and gets several 社区, 街道 are all 社区."""
    rows, taken = [], set()
    for index, (code, name) in enumerate(townships):
        code = code if len(code) == 9 else county + code
        rows.append(RegionRow(code, name, "township", county))
        if name.endswith("街道"):
            rows += _villages(rng, code, 0, rng.randint(4, 9), taken)
        else:
            seat = 3 + rng.randint(0, 3) if index == 0 else (1 if rng.random() < 0.2 else 0)
            rows += _villages(rng, code, rng.randint(*villages), seat, taken)
    return rows


def county_regions(seed: int = 1, *, villages_per_township: tuple[int, int] = (13, 19)) -> list[RegionRow]:
    """The demo county 沁水县 (140521) with its province and city: 12 townships and about
    200 villages and communities, names invented deterministically from `seed`."""
    rng = random.Random(f"regions:{seed}:{DEMO_COUNTY}")
    head = [
        RegionRow("14", "山西省", "province", None),
        RegionRow("1405", "晋城市", "city", "14"),
        RegionRow(DEMO_COUNTY, "沁水县", "county", "1405"),
    ]
    return head + _county_tree(rng, DEMO_COUNTY, list(QINSHUI_TOWNSHIPS), villages_per_township)


def province_regions(
    seed: int = 1,
    province: str = DEMO_PROVINCE,
    *,
    townships_per_county: tuple[int, int] = (8, 14),
    villages_per_township: tuple[int, int] = (12, 24),
) -> list[RegionRow]:
    """A whole province: real cities and counties (stdnum), invented townships and
    villages below each county (Shanxi: 11 cities, ~117 counties, ~20 000 villages).
    沁水县 keeps the same townships as `county_regions`."""
    province_name, cities, counties = real_divisions(province)
    rows = [RegionRow(province, province_name, "province", None)]
    rows += [RegionRow(code, name, "city", province) for code, name in cities]
    for code, name in counties:
        rng = random.Random(f"regions:{seed}:{code}")
        rows.append(RegionRow(code, name, "county", code[:4]))
        if code == DEMO_COUNTY:
            townships = list(QINSHUI_TOWNSHIPS)
        else:
            townships = _township_names(rng, rng.randint(*townships_per_county), name.endswith("区"))
        rows += _county_tree(rng, code, townships, villages_per_township)
    return rows


def villages(regions: Iterable[RegionRow]) -> list[RegionRow]:
    """The village-level rows, sorted by code (so each county's villages are contiguous)."""
    return sorted((r for r in regions if r.level == "village"), key=lambda r: r.code)


def write_regions_csv(path: str | Path, regions: Iterable[RegionRow]) -> int:
    """Writes 区划代码,名称,级别,上级区划代码 (levels as 省/市/县/乡镇/村); returns the row count."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("区划代码", "名称", "级别", "上级区划代码"))
        for row in regions:
            writer.writerow((row.code, row.name, LEVEL_NAMES[row.level], row.parent_code or ""))
            count += 1
    return count
