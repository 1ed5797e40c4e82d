"""Cases fixtures: a register with one household in township A holding nothing yet (孙七,
46, able to work, no income: the rules find it eligible for 低保), the small register of the root conftest,
and a fixed "today" inside the calendar's known years."""

import datetime as dt

import pytest

from conftest import COUNTY, VILLAGE_A1, household_row, member_row, person_id, write_registry
from doudi.registry.services import registry_import

DAY = dt.date(2026, 6, 1)  # a Monday; 30 working days later is still in 2026


@pytest.fixture
def register(users, tmp_path):
    sun = person_id(COUNTY, "19800101", 31)
    other = person_id(COUNTY, "19700101", 41)
    zhao = person_id(COUNTY, "19451111", 21)
    folder = write_registry(
        tmp_path / "reg",
        [
            household_row("H010", 金融资产="0"),
            household_row("H011", "140521101201", 金融资产="0"),
            household_row("H012", 金融资产="0", 机动车数量="2", 机动车价值="200000"),
        ],
        [
            member_row("H010", "孙七", sun, 月转移性收入="0"),
            member_row("H011", "周八", other, 月转移性收入="0"),
            member_row("H012", "赵六", zhao, 月转移性收入="0"),
        ],
        [],
    )
    registry_import(paths=[folder])
    return {"sun": sun, "zhou": other, "zhao": zhao}


@pytest.fixture
def today(monkeypatch):
    """Moves "today" for the cases app; returns a setter."""
    state = {"day": DAY}
    monkeypatch.setattr("doudi.cases.clock.today", lambda: state["day"])

    def set_day(day: dt.date):
        state["day"] = day
        return day

    return set_day


def application(id_number, category="dibao", region=VILLAGE_A1, name="孙七", **extra):
    return {
        "category": category,
        "id_number": id_number,
        "name": name,
        "region": region,
        "reason": "家庭收入低，生活困难",
        "channel": "window",
        **extra,
    }
