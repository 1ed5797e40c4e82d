"""临时救助 rules (doudi/rules/temp_assist.py) on the shipped parameters: tiers as multiples of
the standard, approval levels, a county's raised township limit for a period, 支出型 capacity
and education scope, the 未参保失业人员 one-off at the rural standard (晋民发〔2022〕38号 §8)."""

import datetime as dt
from decimal import Decimal

import pytest

from doudi.rules.errors import RulesError
from doudi.rules.policy import Policy, load_policy
from doudi.rules.temp_assist import Request, decide

TOWNSHIP = "140521100"


def entry_for(region: str, day: dt.date):
    policy: Policy = load_policy(region[:2])

    def entry(name):
        found = policy.entry(name, region, day)
        assert found is not None, name
        return found

    return entry


DAY = dt.date(2026, 6, 1)  # 沁水 rural standard 640 (2024-07-01)


def test_limits_are_multiples_of_the_rural_standard():
    d = decide(Request(TOWNSHIP, "fire", "general", Decimal("1000")), entry_for(TOWNSHIP, DAY))
    assert d.eligible and d.standard == 640 and d.ceiling == Decimal("1280.00")
    assert (d.township_limit, d.county_limit, d.raised) == (Decimal("1920.00"), Decimal("7680.00"), False)
    assert d.approval == "township"
    assert any("沁民发〔2024〕21号" in r["ref"] for r in d.refs if r["name"] == "dibao.standard.rural")


@pytest.mark.parametrize(
    "tier,amount,approval",
    [
        ("serious", "1920", "township"),
        ("serious", "1920.01", "county"),
        ("major", "7680", "county"),
        ("major", "7680.01", "conference"),
        ("general", "1300", "conference"),  # above the tier's most: 一事一议
    ],
)
def test_approval_levels(tier, amount, approval):
    assert decide(Request(TOWNSHIP, "illness", tier, Decimal(amount)), entry_for(TOWNSHIP, DAY)).approval == approval


def test_county_raised_the_township_limit_for_a_period():
    winter = decide(Request(TOWNSHIP, "fire", "serious", Decimal("3000")), entry_for(TOWNSHIP, dt.date(2026, 2, 1)))
    assert winter.raised and winter.township_limit == Decimal("3840.00") and winter.approval == "township"
    other = decide(Request("140521101", "fire", "serious", Decimal("3000")), entry_for("140521101", dt.date(2026, 2, 1)))
    assert not other.raised and other.approval == "county"
    after = decide(Request(TOWNSHIP, "fire", "serious", Decimal("3000")), entry_for(TOWNSHIP, dt.date(2026, 4, 1)))
    assert not after.raised and after.approval == "county"


def test_expense_beyond_capacity_and_education_scope():
    entry = entry_for(TOWNSHIP, DAY)
    ok = decide(Request(TOWNSHIP, "medical", expense=Decimal("12000"), household_income_12m=Decimal("20000")), entry)
    assert ok.eligible and ok.kind == "expense"
    low = decide(Request(TOWNSHIP, "medical", expense=Decimal("9999"), household_income_12m=Decimal("20000")), entry)
    assert not low.eligible and "未超出家庭承受能力" in low.reasons[0]
    school = decide(
        Request(
            TOWNSHIP,
            "education",
            expense=Decimal("12000"),
            household_income_12m=Decimal("1000"),
            education_level="compulsory",
            self_chosen_school=True,
        ),
        entry,
    )
    assert len(school.reasons) == 2 and "自费择校" in school.reasons[1]
    college = decide(
        Request(TOWNSHIP, "education", expense=Decimal("12000"), household_income_12m=Decimal("1000"), education_level="college"),
        entry,
    )
    assert college.eligible


def test_unemployed_one_off_at_least_the_rural_standard():
    entry = entry_for(TOWNSHIP, DAY)
    d = decide(Request(TOWNSHIP, "unemployed", months_without_income=3), entry)
    assert d.eligible and d.minimum == d.suggested == Decimal("640.00")
    assert any(r["ref"] == "晋民发〔2022〕38号 §8" for r in d.refs)
    assert decide(Request(TOWNSHIP, "unemployed", amount=Decimal("600"), months_without_income=3), entry).reasons == [
        "救助金额 600 元低于一次性救助金标准 640.00 元"
    ]
    refused = decide(Request(TOWNSHIP, "unemployed", months_without_income=2, unemployment_insured=True, in_dibao=True), entry)
    assert len(refused.reasons) == 3
    assert not decide(Request(TOWNSHIP, "graduate", in_dibao=True), entry).eligible


def test_unknown_cause_or_tier():
    with pytest.raises(RulesError, match="未知的临时救助事由"):
        decide(Request(TOWNSHIP, "lottery"), entry_for(TOWNSHIP, DAY))
    with pytest.raises(RulesError, match="未知的困难程度"):
        decide(Request(TOWNSHIP, "fire", "huge"), entry_for(TOWNSHIP, DAY))


def test_raised_limit_items_are_checked(tmp_path):
    from doudi.rules.parameters import parse_file

    bad = tmp_path / "140521.yaml"
    bad.write_text(
        'region: "140521"\nname: x\nparameters:\n  temp_assist.township_limit_raised:\n    unit: list\n'
        '    values: [{from: 2026-01-01, value: ["14052110:6"], ref: "x"}]\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesError, match="列表项"):
        parse_file(bad)
