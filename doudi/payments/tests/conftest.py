"""Counties with money: the root conftest's three households, and a larger one with valid
bank cards (16–19 digits, Luhn) for bank-file tests."""

import pytest
from stdnum import luhn

from conftest import COUNTY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, benefit_row, household_row, member_row, person_id, write_registry
from doudi.registry.services import registry_import


def card(serial: int) -> str:
    body = f"622848{serial:012d}"
    return body + luhn.calc_check_digit(body)


@pytest.fixture
def county(users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    return small_registry


@pytest.fixture
def money_county(users, tmp_path):
    """Five 低保 households (three in township A, two in B), a 分散 and a 集中 特困 person,
    an urban 低保 household, every head with a valid card."""
    households, members, benefits, ids = [], [], [], {}
    villages = [VILLAGE_A1, VILLAGE_A2, VILLAGE_A1, VILLAGE_B1, VILLAGE_B1]
    for n, village in enumerate(villages, start=1):
        code = f"H10{n}"
        head, child = person_id(COUNTY, f"1960010{n}", 10 + n), person_id(COUNTY, f"2012020{n}", 30 + n)
        ids[code] = head
        households.append(household_row(code, village))
        members += [
            member_row(code, f"户主{n}", head, 银行账号=card(n)),
            member_row(code, f"孩子{n}", child, "子女", 银行账号=""),
        ]
        benefits.append(benefit_row(code, amount=str(500 + n * 10), since="2021-01-01"))
    tekun, central = person_id(COUNTY, "19400101", 91), person_id(COUNTY, "19380101", 92)
    households += [
        household_row("H201"),
        household_row("H202", VILLAGE_B1),
        household_row("H301", **{"户籍性质(城镇/农村)": "城镇"}),
    ]
    urban = person_id(COUNTY, "19700101", 93)
    members += [
        member_row("H201", "特困甲", tekun, 银行账号=card(201)),
        member_row("H202", "特困乙", central, 银行账号=""),
        member_row("H301", "城镇户主", urban, 银行账号=card(301)),
    ]
    benefits += [
        benefit_row("H201", "特困", tekun, "1300", mode="分散", since="2021-01-01"),
        benefit_row("H202", "特困", central, "1500", mode="集中", 供养机构="沁水县中心敬老院", since="2021-01-01"),
        benefit_row("H301", amount="700", since="2021-01-01"),
    ]
    ids.update({"tekun": tekun, "central": central, "urban": urban})
    registry_import(paths=[write_registry(tmp_path / "money", households, members, benefits)])
    return ids
