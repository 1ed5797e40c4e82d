"""Synthetic department datasets (docs/interfaces.md §5) for a synthetic registry, with planted cases.

While the registry streams past (`DatasetPlanter.tap`), some households get rows in the
department files that make one docs/interfaces.md §6 rule true for one member — or a near miss that
must not raise a warning (an exempt motorcycle, a cancelled business, a pension below
the standard, a sentence already served, an assistance elsewhere that has ended…).
A share of those rows is dirty the way department data is: 15-digit numbers, lowercase
x, full-width digits, spaces, one mistyped or two swapped digits, variant characters in
names, duplicate rows. Strangers (people not in the registry, with numbers from another
province) fill each file up to the requested size (dataset_background.py, via DuckDB).

Outputs in the folder: `<kind>.csv` for every kind (the files `doudi import dataset`
takes), `ground_truth.csv` (rule, id_number: every planted true case), `near_misses.csv`
(rule, id_number), `linkage_truth.csv` (kind, row_no, id_number, dirt: the registry
person each planted row is about) and `manifest.json`. Deterministic by seed: each
household draws from its own Random seeded with (seed, household code).

Thresholds follow the national and Shanxi parameter files (doudi/rules/parameters): the
cases sit far from them (dibao standards lie between 540 and 800 yuan there), so a
planted case is true or false under every county's values.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator

from doudi.core import codes
from doudi.datasets.kinds import KINDS
from doudi.synth.dataset_background import write_background
from doudi.synth.generate import SynthHousehold

PAID = {
    "dibao",
    "dibao_single",
    "tekun",
    "orphan",
    "unsupported_child",
    "disability_living",
    "disability_care",
    "elderly_age",
    "elderly_care",
}
MEANS = {"dibao", "dibao_single", "tekun"}
MISSED = {"dibao_edge", "low_income"}
HIGH_MEDICAL = {"dibao", "dibao_edge", "low_income"}
STANDARD_MIN, STANDARD_MAX = 540, 800  # dibao standards in the Shanxi parameter files, 2023–2025
TEKUN_DISABILITY = {
    ("intellectual", 1),
    ("intellectual", 2),
    ("intellectual", 3),
    ("mental", 1),
    ("mental", 2),
    ("mental", 3),
    ("limb", 1),
    ("limb", 2),
    ("visual", 1),
}
ELSEWHERE = ("140522100201", "140524100201", "140525100201", "140581100201")
DIRT = (("typo", 30), ("swap", 10), ("legacy15", 20), ("fullwidth", 10), ("spaces", 15), ("lower_x", 15), ("missing", 8))
# Kinds whose files also carry the optional 出生日期 and 所在区划代码 columns (the 残联 and
# 乡村振兴 registers hold both): there a row may lack its# number altogether and still be matched by name + birth date.
WITH_BIRTH = ("disability", "poverty_monitoring")
_DIRT_TABLE = tuple(name for name, weight in DIRT for _ in range(weight))
# Traditional and variant forms a department system may hold; same pinyin as the standard form.
VARIANTS = dict(
    zip(
        "张陈刘赵杨吴孙郑冯韩卫贾兰凤华国军东红丽伟杰涛龙鹏强峰群哲坤荣宝贵进",
        "張陳劉趙楊吳孫鄭馮韓衛賈蘭鳳華國軍東紅麗偉傑濤龍鵬強峯羣喆堃榮寶貴進",
    )
)
_AGE_YMD = 10000


@dataclass
class Member:
    id_number: str
    name: str
    birth: dt.date
    village: str
    cats: set
    disability: tuple | None
    income: Decimal  # counted: wage + business + property, monthly

    def age_on(self, day: dt.date) -> int:
        return (day.year - self.birth.year) - ((day.month, day.day) < (self.birth.month, self.birth.day))


@dataclass
class Household:
    code: str
    village: str
    cats: set
    members: list[Member] = field(default_factory=list)

    @property
    def means(self) -> bool:
        return any(m.cats & MEANS for m in self.members)

    def paid(self) -> list[Member]:
        return [m for m in self.members if m.cats & PAID]

    def missed(self) -> list[Member]:
        return [m for m in self.members if self.cats & MISSED and not m.cats & MEANS]

    def unpaid(self) -> list[Member]:
        return [m for m in self.members if not m.cats & PAID]


def _facts(synth: SynthHousehold) -> Household:
    code, village = synth.household["户编号"], synth.household["行政区划代码"]
    cats, personal = set(), {}
    for b in synth.benefits:
        category = codes.lookup(codes.CATEGORY_SHORT, b["保障类别"])
        if b["身份证号(个人类别填写)"]:
            personal.setdefault(b["身份证号(个人类别填写)"], set()).add(category)
        else:
            cats.add(category)
    house = Household(code, village, cats)
    for m in synth.members:
        number = m["身份证号"]
        kind = codes.lookup(codes.DISABILITY_KINDS, m["残疾类别"]) if m["残疾类别"] else None
        level = next((n for n, label in codes.DISABILITY_LEVELS.items() if label == m["残疾等级"]), None)
        income = m["月工资性收入"] + m["月经营净收入"] + m["月财产性收入"]
        house.members.append(
            Member(
                number,
                m["姓名"],
                dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                village,
                cats | personal.get(number, set()),
                (kind, level) if kind else None,
                income,
            )
        )
    return house


def headers(kind: str) -> tuple[str, ...]:
    return KINDS[kind].headers + (("出生日期", "所在区划代码") if kind in WITH_BIRTH else ())


def dirty_id(rng: random.Random, number: str, dirt: str) -> str:
    if dirt == "missing":
        return ("", "不详", "无")[int(rng.random() * 3)]
    if dirt == "legacy15" and number[6:8] == "19":
        return number[:6] + number[8:17]
    if dirt == "lower_x" and number.endswith("X"):
        return number.lower()
    if dirt == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    if dirt == "typo":
        at = int(rng.random() * 17)
        return number[:at] + str((int(number[at]) + 1 + int(rng.random() * 9)) % 10) + number[at + 1 :]
    if dirt == "swap":
        spots = [i for i in range(16) if number[i] != number[i + 1]]
        at = spots[int(rng.random() * len(spots))]
        return number[:at] + number[at + 1] + number[at] + number[at + 2 :]
    return f" {number[:6]} {number[6:14]} {number[14:]} "  # spaces, and the fallback


def variant_name(name: str) -> str:
    return "".join(VARIANTS.get(c, c) for c in name)


class DatasetPlanter:
    """Writes planted rows per kind while households stream past; `close()` adds the
    strangers and the truth files."""

    def __init__(self, folder: str | Path, *, seed: int, as_of: dt.date, plant_rate: float = 0.08, dirty_share: float = 0.3):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.seed, self.as_of, self.plant_rate, self.dirty_share = seed, as_of, plant_rate, dirty_share
        self.handles = {k: (self.folder / f"{k}.csv").open("w", encoding="utf-8", newline="") for k in KINDS}
        self.writers = {k: csv.writer(h, lineterminator="\n") for k, h in self.handles.items()}
        for kind, writer in self.writers.items():
            writer.writerow(headers(kind))
        self.rows = {k: 0 for k in KINDS}
        self.truth: list[tuple[str, str]] = []
        self.near: list[tuple[str, str]] = []
        self.links: list[tuple[str, int, str, str]] = []

    def tap(self, households: Iterable[SynthHousehold]) -> Iterator[SynthHousehold]:
        for household in households:
            self.observe(household)
            yield household

    def observe(self, synth: SynthHousehold) -> None:
        rng = random.Random(f"plant:{self.seed}:{synth.household['户编号']}")
        if rng.random() >= self.plant_rate:
            return
        from doudi.synth.dataset_cases import CASES

        house = _facts(synth)
        options = [case for case in CASES if case.applies(house, self.as_of)]
        if options:
            case = options[int(rng.random() * len(options))]
            case.plant(self, rng, house, rng.random() < 0.6)

    def record(self, rule: str, person: Member, true: bool) -> None:
        (self.truth if true else self.near).append((rule, person.id_number))

    def emit(
        self,
        kind: str,
        rng: random.Random,
        person: Member | None,
        cells: list,
        *,
        clean_only: bool = False,
        number: str | None = None,
        name: str | None = None,
    ) -> None:
        """One row about `person` (or a stranger: number and name given), maybe dirty,
        maybe duplicated."""
        number = number or person.id_number
        name = name or person.name
        dirt = ""
        if kind in WITH_BIRTH:
            cells = [*cells, f"{number[6:10]}-{number[10:12]}-{number[12:14]}", person.village]
        if rng.random() < self.dirty_share:
            dirt = _DIRT_TABLE[int(rng.random() * len(_DIRT_TABLE))]
            if dirt == "missing" and kind not in WITH_BIRTH:
                dirt = "typo"
            if clean_only and dirt in ("typo", "swap"):
                dirt = "spaces"
            number = dirty_id(rng, number, dirt)
        roll = rng.random()
        if roll < 0.1:
            name, dirt = variant_name(name), (dirt + "+variant").lstrip("+")
        elif roll < 0.13 and len(name) >= 2:
            name, dirt = f"{name[0]} {name[1:]}", (dirt + "+name_space").lstrip("+")
        self._write(kind, person, [number, name, *cells], dirt)
        roll = rng.random()
        if roll < 0.04:
            self._write(kind, person, [number, name, *cells], "duplicate")
        elif roll < 0.07 and person is not None:
            self._write(kind, person, [dirty_id(rng, person.id_number, "spaces"), person.name, *cells], "spaces")

    def _write(self, kind: str, person: Member | None, cells: list, dirt: str) -> None:
        self.writers[kind].writerow(["" if c is None else str(c) for c in cells])
        self.rows[kind] += 1
        if person is not None:
            self.links.append((kind, self.rows[kind] + 1, person.id_number, dirt))

    def close(self, *, background_rows: int = 0, progress=None) -> dict:
        for handle in self.handles.values():
            handle.close()
        planted = dict(self.rows)
        added = write_background(
            self.folder, seed=self.seed, as_of=self.as_of, total=background_rows, with_birth=WITH_BIRTH, progress=progress
        )
        _write_csv(self.folder / "ground_truth.csv", ["rule", "id_number"], sorted(set(self.truth)))
        _write_csv(self.folder / "near_misses.csv", ["rule", "id_number"], sorted(set(self.near)))
        _write_csv(self.folder / "linkage_truth.csv", ["kind", "row_no", "id_number", "dirt"], self.links)
        manifest = {
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "planted_rows": planted,
            "background_rows": added,
            "true_cases": len(set(self.truth)),
            "near_misses": len(set(self.near)),
        }
        (self.folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        return manifest


def _write_csv(path: Path, header: list[str], rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_datasets(
    folder: str | Path,
    households: Iterable[SynthHousehold],
    *,
    seed: int,
    as_of: dt.date,
    background_rows: int = 0,
    plant_rate: float = 0.08,
) -> dict:
    """Plants datasets for `households` (consumed) and writes everything into `folder`."""
    planter = DatasetPlanter(folder, seed=seed, as_of=as_of, plant_rate=plant_rate)
    for _ in planter.tap(households):
        pass
    return planter.close(background_rows=background_rows)
