"""Incomes, assets and local standards.

Incomes are fitted to the household's category so the data is coherent: a 低保 household
earns well below the local 低保标准 per person, a 低保边缘 household between 1 and 1.5 times
it, a 低收入 household above that. Amounts are kept as integer cents while generating (fast
and exact) and become `Decimal` with two places only in the output rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from doudi.synth.people import Person, can_work

YUAN = 100  # cents


@dataclass(frozen=True)
class Standards:
    """A county's monthly standards in yuan. Synthetic values near Shanxi's 2024 levels
    (rural 低保 ~650, urban ~800); counties differ a little, as they do in reality."""

    rural: int
    urban: int
    child: int  # 孤儿 / 事实无人抚养儿童 散居 basic living allowance

    def dibao(self, hukou: str) -> int:
        return self.urban if hukou == "urban" else self.rural

    def tekun_base(self, hukou: str) -> int:
        """特困 basic standard: at least 1.3 × 低保标准, rounded up to 10 yuan."""
        return -(-self.dibao(hukou) * 13 // 100) * 10


def county_standards(seed: int, county: str) -> Standards:
    rng = random.Random(f"standards:{seed}:{county}")
    rural = 600 + 10 * rng.randint(0, 12)
    return Standards(rural=rural, urban=rural + 10 * rng.randint(10, 18), child=1200 + 10 * rng.randint(0, 25))


# Per-capita counted income, as a fraction of the standard, by category.
_TARGET_RANGE = {"dibao": (0.0, 0.6), "dibao_edge": (1.0, 1.45), "low_income": (1.5, 1.95)}


def _cents(rng: random.Random, low: int, high: int, step: int = 1) -> int:
    """A random amount between low and high yuan, a multiple of `step` yuan, in cents."""
    return (low + int(rng.random() * (high - low) / step) * step) * YUAN


def natural_incomes(rng: random.Random, person: Person, hukou: str) -> None:
    """What the person would plausibly receive before fitting: pensions, wages, farming."""
    income, age = person.income, person.age
    if age >= 60:  # 城乡居民基础养老金 plus a small personal account, with cents
        income[3] = _cents(rng, 140, 230 if hukou == "rural" else 320) + int(rng.random() * 100)
        if person.supporter:
            income[3] += _cents(rng, 100, 300, 50)  # 赡养费 from children elsewhere
    if person.employed:
        income[0] = _cents(rng, 1500, 3500, 10)
    elif hukou == "rural" and can_work(person) and rng.random() < 0.7:
        income[1] = _cents(rng, 100, 600, 10)  # farming counts as 经营净收入
    roll = rng.random()
    if hukou == "rural" and roll < 0.15:
        income[2] = _cents(rng, 20, 80)  # 土地流转 rent
    elif roll < 0.01:
        income[2] = _cents(rng, 100, 500, 10)
    if (person.disability_level or person.school) and rng.random() < 0.1:
        income[4] = _cents(rng, 50, 150, 10)  # exempt: 助学金, disability allowances elsewhere


def counted(person: Person) -> int:
    """Income that counts towards the means test (exempt income excluded), in cents."""
    wage, business, prop, transfer, _exempt = person.income
    return wage + business + prop + transfer


def fit_incomes(rng: random.Random, members: list[Person], category: str, standard: int) -> None:
    """Scales or tops up members' counted incomes so per-capita income falls in the
    category's band. 特困 persons keep their (small) pensions, capped below the standard."""
    total = sum(counted(m) for m in members)
    if category == "tekun":
        target = min(total, int(standard * YUAN * 0.8) * len(members))
    else:
        low, high = _TARGET_RANGE[category]
        target = int((low + rng.random() * (high - low)) * standard * YUAN) * len(members)
    if total > target:
        _scale(members, target, total)
    elif total < target:
        _top_up(members, target - total)


def _scale(members: list[Person], target: int, total: int) -> None:
    for member in members:
        income = member.income
        for index in range(4):
            income[index] = income[index] * target // total // YUAN * YUAN  # whole yuan after scaling


def _top_up(members: list[Person], deficit: int) -> None:
    """The missing income goes to a wage earner, else a farmer, else the head as support
    from relatives (转移性收入)."""
    deficit = deficit // YUAN * YUAN
    for member in members:
        if member.employed:
            member.income[0] += deficit
            return
    for member in members:
        if can_work(member):
            member.income[1] += deficit
            return
    members[0].income[3] += deficit


def assets(rng: random.Random, category: str, hukou: str, members: list[Person]) -> tuple:
    """(financial, vehicles, vehicle value, properties, businesses, medical 12m, education
    12m); money in cents. Poorer categories hold less; sickness drives medical costs."""
    richer = {"tekun": 0, "dibao": 1, "dibao_edge": 2, "low_income": 3}[category]
    financial = _cents(rng, 0, (3000, 6000, 20000, 40000)[richer], 10)
    vehicles = 1 if rng.random() < (0.0, 0.02, 0.06, 0.12)[richer] else 0
    vehicle_value = _cents(rng, 2000, 15000 if richer < 3 else 60000, 100) if vehicles else 0
    roll = rng.random()
    no_home = 0.12 if hukou == "rural" else 0.28
    properties = 0 if roll < no_home else 2 if roll > 0.97 + 0.01 * (3 - richer) else 1
    businesses = 1 if rng.random() < (0.0, 0.005, 0.02, 0.04)[richer] else 0
    medical = sum(_medical(rng, m) for m in members)
    education = sum(_education(rng, m.school) for m in members if m.school)
    return financial, vehicles, vehicle_value, properties, businesses, medical, education


def _medical(rng: random.Random, person: Person) -> int:
    if person.ill:
        return _cents(rng, 8000, 80000, 10)
    if person.age >= 60 or person.disability_level:
        return _cents(rng, 0, 3000)
    return _cents(rng, 0, 800) if rng.random() < 0.3 else 0


_SCHOOL_COSTS = {
    "preschool": (1000, 3000),
    "primary": (300, 1500),
    "junior": (300, 1500),
    "senior": (2000, 5000),
    "vocational": (1500, 4000),
    "college": (6000, 12000),
    "university": (8000, 15000),
}


def _education(rng: random.Random, stage: str) -> int:
    low, high = _SCHOOL_COSTS[stage]
    return _cents(rng, low, high, 10)
