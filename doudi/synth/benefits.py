"""Current benefits (保障 sheet rows) of one synthetic household.

Rules of thumb, not the rules engine: the shares and amounts are plausible for a Shanxi
county, and the overlaps follow docs/domain.md §3 (特困 replaces 低保 and 困难残疾人生活补贴 for
that person but may keep 护理补贴; 单人保 only inside 低保边缘 households). Coverage is
deliberately a little below 100 % for the subsidies, so the comparison rules have
"missed" people to find (漏保). The amounts here are placeholders for what the rules do
not grant; every benefit the rules grant is then set to their amount (synth.priced).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import NamedTuple

from doudi.synth.money import YUAN, Standards, counted
from doudi.synth.people import DAYS_PER_YEAR, Person

_TEKUN_CARE = {"full": 150, "partial": 400, "none": 650}  # 照料护理标准 by self-care, yuan
_CENTRALIZED_ODDS = {"full": 0.15, "partial": 0.35, "none": 0.6}
# Dates the categories (or their current rules) start from, as earliest plausible start.
_SINCE = {
    "dibao": dt.date(2010, 1, 1),
    "tekun": dt.date(2014, 5, 1),
    "dibao_edge": dt.date(2021, 1, 1),
    "low_income": dt.date(2021, 6, 1),
    "dibao_single": dt.date(2022, 1, 1),
    "disability_living": dt.date(2016, 1, 1),
    "disability_care": dt.date(2016, 1, 1),
    "elderly_age": dt.date(2012, 1, 1),
    "elderly_care": dt.date(2014, 1, 1),
    "orphan": dt.date(2010, 1, 1),
    "unsupported_child": dt.date(2019, 7, 1),
}


class Benefit(NamedTuple):
    """One 保障 row: person is '' for household categories; amount in cents."""

    category: str
    person: str
    since: dt.date
    amount: int
    mode: str = ""
    institution: str = ""


class Context(NamedTuple):
    """What benefit rules need to know about where the household lives."""

    as_of: dt.date
    standards: Standards
    hukou: str
    institutions: tuple[str, ...]  # 敬老院 / 福利院 a 集中供养 person may live in


def _since(rng: random.Random, category: str, as_of: dt.date, person: Person | None = None, from_age: int = 0) -> dt.date:
    """First day of a month between the category's start (or when the person reached
    `from_age`) and the month before `as_of`."""
    earliest = _SINCE[category].toordinal()
    if person is not None and person.birth is not None:
        earliest = max(earliest, person.birth.toordinal() + int(from_age * DAYS_PER_YEAR) + 31)
    latest = as_of.toordinal() - 28
    day = dt.date.fromordinal(earliest + int(rng.random() * max(0, latest - earliest)))
    return min(day.replace(day=1), as_of)  # someone who just turned 80 starts this month


def _round_yuan(cents: int) -> int:
    return (cents + YUAN // 2) // YUAN * YUAN


def household_benefits(rng: random.Random, category: str, members: list[Person], ctx: Context) -> list[Benefit]:
    """The household-level row (低保 / 低保边缘 / 低收入) or the 特困 rows, then the
    personal subsidies of each member."""
    rows: list[Benefit] = []
    head = members[0]
    if category == "tekun":
        rows += [_tekun(rng, m, ctx) for m in members]
    elif category == "dibao":
        gap = ctx.standards.dibao(ctx.hukou) * YUAN * len(members) - sum(counted(m) for m in members)
        rows.append(Benefit("dibao", "", _since(rng, "dibao", ctx.as_of, head, 18), max(_round_yuan(gap), 10 * YUAN)))
    else:
        rows.append(Benefit(category, "", _since(rng, category, ctx.as_of), 0))
    for member in members:
        rows += _personal(rng, category, member, ctx)
    return rows


def _tekun(rng: random.Random, person: Person, ctx: Context) -> Benefit:
    amount = ctx.standards.tekun_base(ctx.hukou) + _TEKUN_CARE[person.self_care]
    centralized = rng.random() < _CENTRALIZED_ODDS[person.self_care]
    institution = ctx.institutions[int(rng.random() * len(ctx.institutions))] if centralized else ""
    since = _since(rng, "tekun", ctx.as_of, person, 60 if person.age >= 60 else 16)
    return Benefit("tekun", person.id_number, since, amount * YUAN, "centralized" if centralized else "dispersed", institution)


def _personal(rng: random.Random, category: str, person: Person, ctx: Context) -> list[Benefit]:
    """Subsidies paid to the person: disability, old age, children without care."""
    rows, level, as_of = [], person.disability_level, ctx.as_of
    if level is not None:
        living = category == "dibao" or (category == "dibao_edge" and rng.random() < 0.25)
        if living and rng.random() < 0.9:
            rows.append(
                Benefit(
                    "disability_living",
                    person.id_number,
                    _since(rng, "disability_living", as_of, person),
                    (100 if level <= 2 else 80) * YUAN,
                )
            )
        if level <= 2 and rng.random() < 0.9:
            rows.append(
                Benefit(
                    "disability_care",
                    person.id_number,
                    _since(rng, "disability_care", as_of, person),
                    (120 if level == 1 else 90) * YUAN,
                )
            )
    if category == "dibao_edge" and (person.severe or person.ill) and rng.random() < 0.55:
        amount = max(ctx.standards.dibao(ctx.hukou) * YUAN - counted(person), ctx.standards.dibao(ctx.hukou) * 30)
        rows.append(
            Benefit("dibao_single", person.id_number, _since(rng, "dibao_single", as_of, person, 16), _round_yuan(amount))
        )
    if person.age >= 80 and rng.random() < 0.95:
        amount = 200 if person.age >= 100 else 100 if person.age >= 90 else 50
        rows.append(Benefit("elderly_age", person.id_number, _since(rng, "elderly_age", as_of, person, 80), amount * YUAN))
    if person.age >= 60 and person.self_care != "full" and category in ("dibao", "dibao_edge") and rng.random() < 0.6:
        amount = 200 if person.self_care == "none" else 100
        rows.append(Benefit("elderly_care", person.id_number, _since(rng, "elderly_care", as_of, person, 60), amount * YUAN))
    return rows


def child_allowance(rng: random.Random, person: Person, ctx: Context) -> list[Benefit]:
    """孤儿 (12 %) or 事实无人抚养儿童 (18 %) for a grandchild under 18 raised by grandparents."""
    if person.age >= 18:
        return []
    roll = rng.random()
    if roll >= 0.30:
        return []
    category = "orphan" if roll < 0.12 else "unsupported_child"
    return [Benefit(category, person.id_number, _since(rng, category, ctx.as_of, person), ctx.standards.child * YUAN)]
