"""One planted case per docs/interfaces.md §6 rule: who it can be planted on, the rows of a true case,
and the rows of a near miss (see doudi/synth/datasets.py and doudi/monitoring/rules.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from doudi.synth.datasets import ELSEWHERE, STANDARD_MAX, STANDARD_MIN, TEKUN_DISABILITY, Household, Member


def _pick(rng, people: list[Member]) -> Member:
    return people[int(rng.random() * len(people))]


def _before(rng, day: dt.date, low: int, high: int) -> str:
    return (day - dt.timedelta(days=low + int(rng.random() * (high - low)))).isoformat()


def _after(rng, day: dt.date, low: int, high: int) -> str:
    return (day + dt.timedelta(days=low + int(rng.random() * (high - low)))).isoformat()


def _stranger(rng) -> tuple[str, str]:
    from doudi.core.idnumber import with_check_digit

    birth = dt.date(1960, 1, 1) + dt.timedelta(days=int(rng.random() * 12000))
    return with_check_digit(f"410102{birth:%Y%m%d}{int(rng.random() * 1000):03d}"), "干部" + "甲乙丙丁"[int(rng.random() * 4)]


def deceased(p, rng, house: Household, true: bool) -> None:
    if true:
        person = _pick(rng, house.paid())
        p.emit("death", rng, person, [_before(rng, p.as_of, 20, 300)])
    else:  # someone in the household who is not paid: an edge or low-income member
        person = _pick(rng, house.unpaid())
        p.emit("death", rng, person, [_before(rng, p.as_of, 20, 300)])
    p.record("deceased", person, true)


def vehicle(p, rng, house, true):
    person = _pick(rng, house.members)
    kind = ("小型轿车", "小型普通客车", "轻型普通货车") if true else ("二轮摩托车", "残疾人专用车", "三轮汽车", "手扶拖拉机")
    p.emit(
        "vehicle",
        rng,
        person,
        [f"晋E{int(rng.random() * 90000) + 10000}", kind[int(rng.random() * len(kind))], _before(rng, p.as_of, 100, 3000)],
    )
    p.record("vehicle", person, true)


def business(p, rng, house, true):
    person = _pick(rng, house.members)
    status = "存续" if true else ("注销", "吊销")[int(rng.random() * 2)]
    p.emit(
        "business",
        rng,
        person,
        [
            f"{person.name[0]}记商贸有限公司{int(rng.random() * 100)}",
            "法定代表人",
            f"{10 + int(rng.random() * 90)}.00",
            _before(rng, p.as_of, 100, 3000),
            status,
        ],
    )
    p.record("business", person, true)


def public_employee(p, rng, house, true):
    person = _pick(rng, house.members)  # a near miss: a household outside the means-tested categories
    p.emit("public_employee", rng, person, ["县自然资源局", _before(rng, p.as_of, 100, 5000)])
    p.record("public_employee", person, true)


def pension_income(p, rng, house, true):
    members = len(house.members)
    counted = sum(m.income for m in house.members)
    person = _pick(rng, house.members)
    if true:
        amount = max(Decimal(STANDARD_MAX * members * 2) - counted, Decimal(0)) + Decimal(100 + int(rng.random() * 500))
    else:
        amount = (Decimal(STANDARD_MIN * members) - counted) * Decimal("0.4")
    p.emit("pension", rng, person, ["城镇职工基本养老保险" if true else "城乡居民基本养老保险", amount.quantize(Decimal("0.01"))])
    p.record("pension_income", person, true)


def _pension_fits(house: Household) -> bool:
    """A near miss needs room under the lowest standard."""
    return (Decimal(STANDARD_MIN * len(house.members)) - sum(m.income for m in house.members)) * Decimal("0.4") >= 50


def prisoner(p, rng, house, true):
    person = _pick(rng, house.paid())
    end = _after(rng, p.as_of, 30, 1500) if true else _before(rng, p.as_of, 30, 700)
    p.emit("prisoner", rng, person, [_before(rng, p.as_of, 800, 2000), end])
    p.record("prisoner", person, true)


def real_estate(p, rng, house, true):
    person = _pick(rng, house.members)
    for number in range(2 if true else 1):
        p.emit(
            "real_estate",
            rng,
            person,
            [
                f"{person.village}{number + 1}号院{int(rng.random() * 50)}号",
                f"{60 + int(rng.random() * 80)}.50",
                _before(rng, p.as_of, 100, 4000),
            ],
        )
    p.record("real_estate", person, true)


def duplicate_benefit(p, rng, house, true):
    person = _pick(rng, house.paid())
    region = next(code for code in ELSEWHERE if code[:6] != person.village[:6])
    until = "" if true and rng.random() < 0.5 else _after(rng, p.as_of, 30, 400) if true else _before(rng, p.as_of, 30, 400)
    p.emit(
        "recipients_elsewhere",
        rng,
        person,
        ["低保" if rng.random() < 0.7 else "特困", region, _before(rng, p.as_of, 500, 1500), until],
    )
    p.record("duplicate_benefit", person, true)


def cadre_relative(p, rng, house, true):
    person = _pick(rng, house.paid() if true else house.unpaid())
    if rng.random() < 0.5:  # the person is the cadre
        p.emit("cadre", rng, person, [person.village, "村委会委员", ""])
    else:  # a cadre (not in the register) lists the person as a close relative
        number, name = _stranger(rng)
        relative = person.id_number if rng.random() < 0.7 else f" {person.id_number.lower()} "
        p.emit("cadre", rng, None, [person.village, "村党支部书记", relative], number=number, name=name)
    p.record("cadre_relative", person, true)


def missed_disability(p, rng, house, true):
    person = _pick(rng, house.missed())
    if true:
        kind, level = (("limb", 1), ("visual", 2), ("hearing", 1), ("intellectual", 3), ("mental", 2))[int(rng.random() * 5)]
    else:
        kind, level = (("limb", 3), ("limb", 4), ("hearing", 3), ("visual", 4))[int(rng.random() * 4)]
    from doudi.core import codes

    p.emit(
        "disability",
        rng,
        person,
        [codes.DISABILITY_KINDS[kind], codes.DISABILITY_LEVELS[level], _before(rng, p.as_of, 100, 3000)],
    )
    p.record("missed_disability", person, true)


def _without_capacity(as_of: dt.date, person: Member) -> bool:
    age = person.age_on(as_of)
    return age >= 60 or age < 16 or (person.disability in TEKUN_DISABILITY)


def missed_monitoring(p, rng, house, true):
    people = [m for m in house.missed() if _without_capacity(p.as_of, m) == true]
    person = _pick(rng, people)
    p.emit("poverty_monitoring", rng, person, ["边缘易致贫户" if true else "突发严重困难户", _before(rng, p.as_of, 60, 700)])
    p.record("missed_monitoring", person, true)


def high_medical(p, rng, house, true):
    person = _pick(rng, house.members)
    recent = true or rng.random() < 0.5
    total = (
        Decimal(25000 + int(rng.random() * 35000)) if true else Decimal(30000 if not recent else 6000 + int(rng.random() * 9000))
    )
    first = (total * Decimal("0.6")).quantize(Decimal("0.01"))
    for part in (first, total - first):
        day = _before(rng, p.as_of, 20, 250) if recent else _before(rng, p.as_of, 450, 600)
        p.emit("medical", rng, person, [day, (part * Decimal("1.8")).quantize(Decimal("0.01")), part])
    p.record("high_medical", person, true)


def missed_unemployed(p, rng, house, true):
    """未参保失业人员: registered 4–12 months ago, not insured, not covered; near misses are
    registered under 3 months, insured, or deregistered before the date."""
    person = _pick(rng, house.missed())
    region = person.village
    if true:
        p.emit("unemployment_registration", rng, person, [_before(rng, p.as_of, 130, 360), "", "否", region])
    else:
        way = int(rng.random() * 3)
        if way == 0:
            p.emit("unemployment_registration", rng, person, [_before(rng, p.as_of, 5, 80), "", "否", region])
        elif way == 1:
            p.emit("unemployment_registration", rng, person, [_before(rng, p.as_of, 130, 360), "", "是", region])
        else:
            p.emit(
                "unemployment_registration",
                rng,
                person,
                [_before(rng, p.as_of, 400, 700), _before(rng, p.as_of, 5, 300), "否", region],
            )
    p.record("missed_unemployed", person, true)


@dataclass(frozen=True)
class Case:
    rule: str
    plant_fn: Callable
    true_ok: Callable[[Household, dt.date], bool]
    near_ok: Callable[[Household, dt.date], bool]

    def applies(self, house: Household, as_of: dt.date) -> bool:
        return self.true_ok(house, as_of) or self.near_ok(house, as_of)

    def plant(self, planter, rng, house: Household, true: bool) -> None:
        if true and not self.true_ok(house, planter.as_of):
            true = False
        elif not true and not self.near_ok(house, planter.as_of):
            true = True
        self.plant_fn(planter, rng, house, true)


def _monitoring_ok(true: bool):
    def check(house: Household, as_of: dt.date) -> bool:
        return any(_without_capacity(as_of, m) == true for m in house.missed())

    return check


CASES = (
    Case("deceased", deceased, lambda h, _d: bool(h.paid()), lambda h, _d: bool(h.unpaid())),
    Case("vehicle", vehicle, lambda h, _d: h.means, lambda h, _d: h.means),
    Case("business", business, lambda h, _d: h.means, lambda h, _d: h.means),
    Case("public_employee", public_employee, lambda h, _d: h.means, lambda h, _d: not h.means),
    Case("pension_income", pension_income, lambda h, _d: h.means, lambda h, _d: h.means and _pension_fits(h)),
    Case("prisoner", prisoner, lambda h, _d: bool(h.paid()), lambda h, _d: bool(h.paid())),
    Case("real_estate", real_estate, lambda h, _d: h.means, lambda h, _d: h.means),
    Case("duplicate_benefit", duplicate_benefit, lambda h, _d: bool(h.paid()), lambda h, _d: bool(h.paid())),
    Case("cadre_relative", cadre_relative, lambda h, _d: bool(h.paid()), lambda h, _d: bool(h.unpaid())),
    Case("missed_disability", missed_disability, lambda h, _d: bool(h.missed()), lambda h, _d: bool(h.missed())),
    Case("missed_monitoring", missed_monitoring, _monitoring_ok(True), _monitoring_ok(False)),
    Case(
        "high_medical",
        high_medical,
        lambda h, _d: bool(h.cats & {"dibao", "dibao_edge", "low_income"}),
        lambda h, _d: bool(h.cats & {"dibao", "dibao_edge", "low_income"}),
    ),
    Case("missed_unemployed", missed_unemployed, lambda h, _d: bool(h.missed()), lambda h, _d: bool(h.missed())),
)
