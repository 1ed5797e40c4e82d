"""`generate`: streams synthetic households with their members and benefits.

Why per-village random streams: every village draws from its own `Random` seeded with
(seed, village code), so the output is fixed by the seed alone, a village looks the same
whatever else is generated around it, and nothing has to be held in memory but the
household being built and, per county, the ID sequence counters.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Iterable, Iterator, NamedTuple

from doudi.core import codes
from doudi.synth import shapes
from doudi.synth.benefits import Benefit, Context, child_allowance, household_benefits
from doudi.synth.money import assets, county_standards, fit_incomes, natural_incomes
from doudi.synth.names import NamePicker
from doudi.synth.people import (
    IdAllocator,
    Person,
    bank_card,
    birth_date,
    can_work,
    disability_odds,
    health,
    phone,
    pick,
    schooling,
)
from doudi.synth.regions import RegionRow, villages
from doudi.synth.spec import BENEFIT_HEADERS, HOUSEHOLD_HEADERS, MEMBER_HEADERS

AS_OF = dt.date(2025, 1, 1)  # the register's reference date: ages and start dates are relative to it
COUNTY_PERSONS = 30_000
PROVINCE_PERSONS = 1_600_000
_EMPLOYMENT = {"tekun": 0.0, "dibao": 0.35, "dibao_edge": 0.55, "low_income": 0.6}
# Disabilities that make a working-age adult 特困-eligible: (kind, worst-to-least levels).
_TEKUN_DISABILITIES = (("intellectual", (1, 2, 3)), ("mental", (1, 2, 3)), ("limb", (1, 2)), ("visual", (1,)))
_ZERO = Decimal("0.00")
# Share of old people outside 特困 households whose children elsewhere can support them.
_CHILDREN_ELSEWHERE_ABLE = 0.8


class SynthHousehold(NamedTuple):
    """One household as docs/interfaces.md §4 rows: dicts keyed by the Chinese headers, in file order."""

    household: dict
    members: list[dict]
    benefits: list[dict]


class _County:
    """Per-county state: ID allocator, standards, institutions."""

    def __init__(self, seed: int, code: str, names: dict[str, str]):
        self.code = code
        self.ids = IdAllocator(code, random.Random(f"ids:{seed}:{code}"))
        self.standards = county_standards(seed, code)
        self.name = names.get(code, "")
        self.institutions = (f"{self.name}中心敬老院", f"{self.name}社会福利院")


class _Village(NamedTuple):
    code: str
    address: str  # 乡镇 + 村 names
    urban: bool  # 居委会 (社区): codes below 200
    institutions: tuple[str, ...]


def _quotas(seed: int, rows: list[RegionRow], target: int) -> list[int]:
    """Persons per village summing exactly to `target`: random weights; the 社区 of a
    small county town are lighter than hill villages, city 街道 communities are not."""
    rng = random.Random(f"quotas:{seed}")
    weights = [rng.lognormvariate(0, 0.5) * (0.6 if int(r.code[9:]) < 200 and int(r.code[6:9]) >= 100 else 1.0) for r in rows]
    total, running, previous, quotas = sum(weights), 0.0, 0, []
    for weight in weights:
        running += weight
        mark = round(target * running / total)
        quotas.append(mark - previous)
        previous = mark
    return quotas


def generate(
    seed: int, regions: Iterable[RegionRow], target_persons: int = COUNTY_PERSONS, *, as_of: dt.date = AS_OF
) -> Iterator[SynthHousehold]:
    """Yields households, village by village in code order, until exactly
    `target_persons` members have been produced. Same arguments, same output. Held
    amounts are the county's rules' amounts in the month of `as_of` (synth.priced)."""
    from doudi.synth.priced import priced

    yield from priced(_households(seed, list(regions), target_persons, as_of), f"{as_of:%Y-%m}")


def _households(seed: int, regions: list[RegionRow], target_persons: int, as_of: dt.date) -> Iterator[SynthHousehold]:
    names = {r.code: r.name for r in regions}
    rows = villages(regions)
    if not rows:
        raise ValueError("no village-level regions to put households in")
    serial = [0]  # bank card serial, shared by the whole run so card numbers never repeat
    county = None
    for row, quota in zip(rows, _quotas(seed, rows, target_persons)):
        if county is None or row.code[:6] != county.code:
            county = _County(seed, row.code[:6], names)
        township = names.get(row.code[:9], "")
        village = _Village(row.code, township + row.name, int(row.code[9:]) < 200, (f"{township}敬老院",) + county.institutions)
        rng = random.Random(f"village:{seed}:{row.code}")
        yield from _village_households(rng, village, county, quota, as_of, serial)


def _village_households(
    rng, village: _Village, county: _County, quota: int, as_of: dt.date, serial: list[int]
) -> Iterator[SynthHousehold]:
    picker = NamePicker(rng)
    number = 0
    while quota > 0:
        number += 1
        household = _household(rng, picker, village, county, f"H{village.code}-{number:04d}", quota, as_of, serial)
        quota -= len(household.members)
        yield household


def _household(
    rng, picker, village: _Village, county: _County, code: str, room: int, as_of: dt.date, serial: list[int]
) -> SynthHousehold:
    """Builds one household: shape, category, people, incomes, benefits, then rows."""
    shape = shapes.choose_shape(rng)
    members = shapes.trim(shapes.skeleton(rng, shape), room)
    if village.urban:
        hukou = "urban" if rng.random() < 0.85 else "rural"
    else:
        hukou = "rural" if rng.random() < 0.97 else "urban"
    category = shapes.choose_category(rng, shape, members)
    for member in members:
        _describe(rng, member, category, shape)
    _legal_supporters(code, members, category)
    for member in members:
        member.id_number, member.birth = county.ids.issue(birth_date(rng, as_of, member.age), member.sex)
        natural_incomes(rng, member, hukou)
    _name(picker, members)
    standard = county.standards.dibao(hukou)
    fit_incomes(rng, members, category, standard)
    ctx = Context(as_of, county.standards, hukou, village.institutions)
    benefits = household_benefits(rng, category, members, ctx)
    if shape == "skipped_gen":
        for member in members[1:]:
            if member.relation == "grandchild":
                benefits += child_allowance(rng, member, ctx)
    _contacts(rng, members, {b.person for b in benefits if b.person}, serial)
    return _rows(rng, code, village, hukou, members, benefits, assets(rng, category, hukou, members))


def _describe(rng, member: Person, category: str, shape: str) -> None:
    """Health, schooling, work and legal supporter of one member."""
    if category == "tekun" and shape == "solo_adult":
        kind, levels = pick(rng, _TEKUN_DISABILITIES)
        member.disability_kind, member.disability_level = kind, pick(rng, levels)
        health(rng, member, 0.0)
    else:
        health(rng, member, disability_odds(member.age) * (3.0 if shape == "solo_adult" else 1.0))
    schooling(rng, member)
    odds = _EMPLOYMENT[category] if can_work(member) else 0.08 if 60 <= member.age < 70 and category != "tekun" else 0
    member.employed = rng.random() < odds
    # 特困 requires no capable legal supporter; elsewhere some old people have children
    # elsewhere who could support them.
    member.supporter = category != "tekun" and member.age >= 60 and rng.random() < 0.2


def _legal_supporters(code: str, members: list[Person], category: str) -> None:
    """有履行能力的法定义务人, as a clerk would record it: another member of working age who
    can work supports the rest of the household; most old people also have children living
    elsewhere who can. Nobody in a 特困 household has one (the category requires it).
    Drawn from a stream of its own so the rest of the household is unchanged."""
    if category == "tekun":
        return
    able = [m for m in members if can_work(m)]
    elsewhere = random.Random(f"supporters:{code}")
    for member in members:
        at_home = any(other is not member for other in able)
        member.capable_supporter = (
            member.supporter or at_home or (member.age >= 60 and elsewhere.random() < _CHILDREN_ELSEWHERE_ABLE)
        )


def _name(picker: NamePicker, members: list[Person]) -> None:
    """Head's surname for blood relatives through the father; spouses and mothers differ."""
    head = members[0]
    head.surname = picker.surname()
    spouse = next((m for m in members if m.relation == "spouse"), None)
    if spouse is not None:
        spouse.surname = picker.other_surname(head.surname)
    if head.sex == "M":
        family = head.surname
    elif spouse is not None:
        family = spouse.surname
    else:  # a widowed or divorced mother: children mostly carry the father's surname
        family = picker.other_surname(head.surname) if picker.rng.random() < 0.7 else head.surname
    for member in members[1:]:
        if member.relation in ("child", "grandchild"):
            member.surname = family
        elif member.relation in ("parent", "sibling"):
            same = member.relation == "sibling" or member.sex == "M"
            member.surname = head.surname if same else picker.other_surname(head.surname)
        elif member.relation != "spouse":
            member.surname = picker.surname()
    for member in members:
        member.name = picker.full(member.surname, member.birth.year, member.sex)


def _contacts(rng, members: list[Person], beneficiaries: set[str], serial: list[int]) -> None:
    """Phones, and bank cards for the head (household money) and everyone paid personally."""
    for index, member in enumerate(members):
        member.phone = phone(rng, member, index == 0)
        wants_card = index == 0 or member.id_number in beneficiaries or (member.age >= 18 and rng.random() < 0.3)
        if wants_card:
            serial[0] += 1
            member.bank, member.account = bank_card(rng, serial[0])


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2) if cents else _ZERO


def _address(rng, village: _Village, number: int) -> str:
    if village.urban:
        return f"{village.address}{1 + int(rng.random() * 30)}号楼{1 + int(rng.random() * 4)}单元{1 + int(rng.random() * 6)}0{1 + int(rng.random() * 4)}室"
    return f"{village.address}{number}号"


def _rows(
    rng, code: str, village: _Village, hukou: str, members: list[Person], benefits: list[Benefit], holdings: tuple
) -> SynthHousehold:
    financial, vehicles, vehicle_value, properties, businesses, medical, education = holdings
    household = dict(
        zip(
            HOUSEHOLD_HEADERS,
            (
                code,
                village.code,
                codes.HUKOU[hukou],
                _address(rng, village, int(code[-4:])),
                _money(financial),
                vehicles,
                _money(vehicle_value),
                properties,
                businesses,
                _money(medical),
                _money(education),
            ),
        )
    )
    return SynthHousehold(household, [_member_row(code, m) for m in members], [_benefit_row(code, b) for b in benefits])


def _member_row(code: str, m: Person) -> dict:
    wage, business, prop, transfer, exempt = m.income
    return dict(
        zip(
            MEMBER_HEADERS,
            (
                code,
                m.name,
                m.id_number,
                codes.RELATIONS[m.relation],
                codes.DISABILITY_KINDS.get(m.disability_kind, ""),
                codes.DISABILITY_LEVELS.get(m.disability_level, ""),
                "是" if m.ill else "否",
                codes.SELF_CARE[m.self_care],
                "是" if m.employed else "否",
                codes.SCHOOL_STAGES.get(m.school, ""),
                _money(wage),
                _money(business),
                _money(prop),
                _money(transfer),
                _money(exempt),
                "是" if m.capable_supporter else "否",
                m.phone,
                m.bank,
                m.account,
            ),
        )
    )


def _benefit_row(code: str, b: Benefit) -> dict:
    return dict(
        zip(
            BENEFIT_HEADERS,
            (
                code,
                b.person,
                codes.CATEGORY_SHORT[b.category],
                b.since.isoformat(),
                _money(b.amount),
                codes.SUPPORT_MODES.get(b.mode, ""),
                b.institution,
            ),
        )
    )
