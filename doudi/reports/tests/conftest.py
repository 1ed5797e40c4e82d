"""A small county with one week of records (2025-W02, 6–12 January 2025): benefits in force
on Sunday 12 January and around it, special-group flags set before and after, reserve draws
in and out of the week with a reversal, and visits whose problems are found and solved in
and out of the week. EXPECTED is worked out by hand from these records."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import (
    COUNTY,
    TOWNSHIP_A,
    TOWNSHIP_B,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    person_id,
)
from doudi.care import services as care
from doudi.care.models import PersonGroup
from doudi.care.tests.conftest import PNG_BYTES
from doudi.payments import reserve
from doudi.registry.models import Benefit, Household, Person

WEEK = "2025-W02"
MONDAY, SUNDAY = dt.date(2025, 1, 6), dt.date(2025, 1, 12)
OUTSIDER = person_id("140522", "19750305", 2)
# Per township: 低保, 特困, 特殊困难老年人, 困境儿童, 其他, 救助人次, 支出金额(元), 发现, 解决.
EXPECTED = {
    TOWNSHIP_A: {
        "dibao": 3,
        "tekun": 1,
        "elderly": 1,
        "children": 1,
        "other": 4,
        "assist_times": 2,
        "amount_yuan": "4500.50",
        "found": 2,
        "solved": 2,
    },
    TOWNSHIP_B: {
        "dibao": 1,
        "tekun": 0,
        "elderly": 0,
        "children": 0,
        "other": 0,
        "assist_times": 0,
        "amount_yuan": "0.00",
        "found": 1,
        "solved": 0,
    },
}
_seq = iter(range(100, 999))


def _person(household, name, birth, relation="head"):
    return Person.objects.create(
        id_number=person_id(COUNTY, birth, next(_seq)),
        name=name,
        sex="M",
        birth_date=dt.date.fromisoformat(birth[:4] + "-" + birth[4:6] + "-" + birth[6:]),
        household=household,
        relation=relation,
    )


def _household(code, village):
    return Household.objects.create(code=code, region_id=village, hukou="rural", address=f"{code}号")


def _benefit(household, category, person=None, since=dt.date(2024, 1, 1), until=None, mode=""):
    return Benefit.objects.create(
        household=household,
        person=person,
        person_key=person.id_number if person else "",
        category=category,
        since=since,
        until=until,
        monthly_amount=500,
        support_mode=mode,
    )


def _flag(person, group, on, active=True):
    moment = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
    return PersonGroup.objects.create(person=person, group=group, active=active, set_at=moment)


def _problem(user, person, day, key, solved=None, solver=None):
    visit, _ = care.visit_record(
        user=user,
        person=person,
        visited_on=day,
        answers={1: False, 2: True, 3: True, 4: False},
        notes={3: "烟囱堵塞"},
        categories=[],
        health=[],
        visitor_signature=PNG_BYTES,
        person_signature=PNG_BYTES,
        client_key=key,
    )
    problem = visit.problems.get()
    if solved:
        care.problem_assign(user=solver, problem=problem, owner="township")
        care.problem_solve(user=solver, problem=problem, outcome="已疏通", solved_on=solved)
    return problem


def confirm_all(checker):
    """The reserve's second person (复核): every entry waiting, in order."""
    from doudi.payments.models import ReserveEntry
    from doudi.payments.reserve_check import reserve_confirm

    for entry in ReserveEntry.objects.filter(state=ReserveEntry.State.PENDING).order_by("id"):
        reserve_confirm(entry=entry, user=checker)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def winter_county(users):
    people = {}
    h1 = _household("W001", VILLAGE_A1)  # 低保户 of three
    people["老张"] = _person(h1, "老张", "19500101")
    _person(h1, "张妻", "19520202", "spouse")
    people["张孙"] = _person(h1, "张孙", "20150303", "grandchild")
    _benefit(h1, "dibao")
    _flag(people["老张"], "elderly_alone", dt.date(2024, 12, 1))
    _flag(people["张孙"], "child_left_behind", dt.date(2024, 12, 1))  # 留守儿童: not 困境儿童
    h2 = _household("W002", VILLAGE_A1)  # 分散供养特困
    people["老李"] = _person(h2, "老李", "19450404")
    _benefit(h2, "tekun", people["老李"], mode="dispersed")
    h3 = _household("W003", VILLAGE_A2)  # 低保边缘 of two
    _person(h3, "边缘户主", "19700505")
    _person(h3, "边缘妻", "19720606", "spouse")
    _benefit(h3, "dibao_edge")
    h4 = _household("W004", VILLAGE_A2)  # 低收入 household with an orphan (benefit and flag: counted once)
    _person(h4, "孤儿奶奶", "19480707")
    people["孤儿"] = _person(h4, "孤儿", "20160808", "grandchild")
    _benefit(h4, "low_income")
    _benefit(h4, "orphan", people["孤儿"])
    _flag(people["孤儿"], "child_orphan", dt.date(2024, 11, 1))
    h5 = _household("W005", VILLAGE_B1)  # 低保 ended the Sunday before
    _person(h5, "停保户", "19600909")
    _benefit(h5, "dibao", until=dt.date(2025, 1, 5))
    h6 = _household("W006", VILLAGE_B1)  # 低保 from the Monday after
    _person(h6, "新保户", "19611010")
    _benefit(h6, "dibao", since=dt.date(2025, 1, 13))
    h7 = _household("W007", VILLAGE_B1)  # 低保 whose last day is the Sunday itself
    people["末日户"] = _person(h7, "末日户", "19621111")
    _benefit(h7, "dibao", until=SUNDAY)
    _flag(people["末日户"], "elderly_empty_nest", dt.date(2025, 1, 13))  # flagged after the week
    _flag(people["末日户"], "elderly_disabled", dt.date(2024, 12, 1), active=False)  # removed
    # 临时救助备用金
    for township in (TOWNSHIP_A, TOWNSHIP_B):
        reserve.reserve_allocate(
            township=township, amount="10000", on=dt.date(2025, 1, 2), ref="沁民发〔2025〕1号", user=users["staff"]
        )
    confirm_all(users["staff2"])
    fields = {"recipient_id_number": OUTSIDER, "cause_type": "emergency", "cause": "火灾"}
    reserve.reserve_draw(
        township=TOWNSHIP_A, amount="3000", on=dt.date(2025, 1, 7), recipient_name="甲", user=users["clerk_a"], **fields
    )
    reserve.reserve_draw(township=TOWNSHIP_A, amount="1500.50", on=SUNDAY, recipient_name="乙", user=users["clerk_a"], **fields)
    reserve.reserve_draw(
        township=TOWNSHIP_A, amount="800", on=dt.date(2025, 1, 13), recipient_name="丙", user=users["clerk_a"], **fields
    )
    undone, _ = reserve.reserve_draw(
        township=TOWNSHIP_B, amount="200", on=MONDAY, recipient_name="丁", user=users["clerk_b"], **fields
    )
    confirm_all(users["staff2"])
    undone.refresh_from_db()
    reserve.reserve_reverse(entry=undone, reason="重复支取", user=users["clerk_b"], on=dt.date(2025, 1, 10))
    reserve.reserve_draw(
        township=TOWNSHIP_B, amount="500", on=dt.date(2025, 1, 5), recipient_name="戊", user=users["clerk_b"], **fields
    )
    confirm_all(users["staff2"])
    # Problems found on visits
    helper, clerk = users["helper_a1"], users["clerk_a"]
    _problem(helper, people["老张"], dt.date(2025, 1, 7), "p1", solved=dt.date(2025, 1, 9), solver=clerk)
    _problem(helper, people["老李"], dt.date(2025, 1, 3), "p2", solved=dt.date(2025, 1, 8), solver=clerk)
    _problem(helper, people["老李"], dt.date(2025, 1, 10), "p3", solved=dt.date(2025, 1, 14), solver=clerk)
    _problem(users["staff"], people["末日户"], dt.date(2025, 1, 8), "p4")
    return people
