"""The generated register: valid, unique, coherent, in plausible shares, exactly sized."""

from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from doudi.core import codes, idnumber
from doudi.synth import (
    AS_OF,
    BENEFIT_HEADERS,
    HOUSEHOLD_HEADERS,
    MEMBER_HEADERS,
    county_regions,
    generate,
    province_regions,
    villages,
)
from doudi.synth.money import county_standards

SHORT = {label: code for code, label in codes.CATEGORY_SHORT.items()}


@pytest.fixture(scope="module")
def county():
    regions = county_regions(7)
    return regions, list(generate(7, regions, 30_000))


def _age(number: str) -> int:
    born = idnumber.facts(number).birth_date
    return AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))


def _members(households):
    return [m for h in households for m in h.members]


@pytest.mark.parametrize("target", [1, 2, 7, 500, 4_321])
def test_exact_person_count(target):
    households = list(generate(3, county_regions(3), target))
    assert sum(len(h.members) for h in households) == target


def test_rows_have_spec_headers_in_order(county):
    _, households = county
    for h in households[:200]:
        assert tuple(h.household) == HOUSEHOLD_HEADERS
        assert all(tuple(m) == MEMBER_HEADERS for m in h.members)
        assert all(tuple(b) == BENEFIT_HEADERS for b in h.benefits)


def test_ids_valid_unique_and_local(county):
    _, households = county
    members = _members(households)
    numbers = [m["身份证号"] for m in members]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert idnumber.normalize(number, today=AS_OF) == number
        assert number.startswith("140521")


def test_households_live_in_generated_villages(county):
    regions, households = county
    village_codes = {r.code for r in villages(regions)}
    codes_seen = [h.household["户编号"] for h in households]
    assert len(set(codes_seen)) == len(codes_seen)
    assert all(h.household["行政区划代码"] in village_codes for h in households)
    assert all(h.household["户编号"].startswith("H" + h.household["行政区划代码"]) for h in households)
    assert len({h.household["行政区划代码"] for h in households}) > 0.9 * len(village_codes)


def test_family_structure(county):
    _, households = county
    for h in households:
        members = h.members
        assert [m["与户主关系"] for m in members].count("户主") == 1 and members[0]["与户主关系"] == "户主"
        head = members[0]
        head_facts, head_age = idnumber.facts(head["身份证号"]), _age(head["身份证号"])
        for m in members[1:]:
            facts, age = idnumber.facts(m["身份证号"]), _age(m["身份证号"])
            if m["与户主关系"] == "配偶":
                assert facts.sex != head_facts.sex and m["姓名"][0] != head["姓名"][0]
            elif m["与户主关系"] == "子女":
                assert head_age - age >= 15
            elif m["与户主关系"] == "父母":
                assert age - head_age >= 15
            elif m["与户主关系"] == "孙子女":
                assert head_age - age >= 30


def test_surnames_mostly_shared(county):
    _, households = county
    blood = [
        (h.members[0]["姓名"][0], m["姓名"][0])
        for h in households
        for m in h.members[1:]
        if m["与户主关系"] in ("子女", "孙子女", "兄弟姐妹")
    ]
    assert sum(a == b for a, b in blood) / len(blood) > 0.7
    surnames = Counter(m["姓名"][0] for m in _members(households))
    assert {"王", "李", "张"} <= {name for name, _ in surnames.most_common(6)}


def _persons_by_category(households):
    count = Counter()
    for h in households:
        for b in h.benefits:
            count[SHORT[b["保障类别"]]] += 1 if b["身份证号(个人类别填写)"] else len(h.members)
    return count


def test_shares_roughly_as_intended(county):
    _, households = county
    members = _members(households)
    total = len(members)
    share = {k: v / total for k, v in _persons_by_category(households).items()}
    assert 0.52 < share["dibao"] < 0.66
    assert 0.05 < share["tekun"] < 0.10
    assert 0.07 < share["dibao_edge"] < 0.15
    assert 0.17 < share["low_income"] < 0.28
    assert 0.06 < sum(bool(m["残疾类别"]) for m in members) / total < 0.10
    ages = [_age(m["身份证号"]) for m in members]
    assert sum(a >= 60 for a in ages) / total > 0.35
    assert 0.05 < sum(a < 18 for a in ages) / total < 0.25
    assert 1.8 < total / len(households) < 2.4


def test_benefit_consistency(county):
    _, households = county
    for h in households:
        ids = {m["身份证号"]: m for m in h.members}
        cats = [SHORT[b["保障类别"]] for b in h.benefits]
        assert sum(c in ("dibao", "dibao_edge", "low_income") for c in cats) <= 1
        if "tekun" in cats:
            assert not {"dibao", "disability_living"} & set(cats)
        for b in h.benefits:
            code = SHORT[b["保障类别"]]
            person = b["身份证号(个人类别填写)"]
            assert b["开始日期"] <= AS_OF.isoformat()
            if code in codes.HOUSEHOLD_CATEGORIES:
                assert person == ""
            else:
                assert person in ids and ids[person]["银行账号"]
            if code == "elderly_age":
                assert _age(person) >= 80
            if code in ("orphan", "unsupported_child"):
                assert _age(person) < 18
            if code == "tekun":
                assert b["供养方式(分散/集中)"] in ("分散", "集中")
                assert bool(b["供养机构"]) == (b["供养方式(分散/集中)"] == "集中")
                assert ids[person]["有履行能力的法定义务人(是/否)"] == "否"


def test_tekun_mostly_single(county):
    _, households = county
    sizes = [len(h.members) for h in households for b in h.benefits if b["保障类别"] == "特困"]
    assert sum(s == 1 for s in sizes) / len(sizes) > 0.6


def _counted(member) -> Decimal:
    return sum(member[k] for k in ("月工资性收入", "月经营净收入", "月财产性收入", "月转移性收入"))


def test_incomes_fit_category(county):
    _, households = county
    standards = county_standards(7, "140521")
    for h in households:
        hukou = codes.lookup(codes.HUKOU, h.household["户籍性质(城镇/农村)"])
        standard = standards.dibao(hukou)
        per_capita = sum(_counted(m) for m in h.members) / len(h.members)
        cats = {SHORT[b["保障类别"]]: b for b in h.benefits}
        if "dibao" in cats:
            assert per_capita < standard
        elif "dibao_edge" in cats:
            assert standard <= per_capita <= Decimal("1.5") * standard
        elif "low_income" in cats:  # below the low-income line (2 × standard), or the rules would drop them
            assert per_capita < 2 * standard


def test_money_is_exact_decimal(county):
    _, households = county
    for h in households[:500]:
        for row in [h.household, *h.members, *h.benefits]:
            for value in row.values():
                if isinstance(value, Decimal):
                    assert value == value.quantize(Decimal("0.01")) and value >= 0 and value.as_tuple().exponent == -2


def test_contacts_look_real(county):
    _, households = county
    members = _members(households)
    phones = [m["联系电话"] for m in members if m["联系电话"]]
    assert all(len(p) == 11 and p[0] == "1" and p.isdigit() for p in phones)
    accounts = [m["银行账号"] for m in members if m["银行账号"]]
    assert len(set(accounts)) == len(accounts)
    assert all(16 <= len(a) <= 19 and a.isdigit() for a in accounts)
    assert all(h.members[0]["银行账号"] for h in households)  # household money goes to the head's card


def test_labels_come_from_code_tables(county):
    _, households = county
    members = _members(households)
    assert {m["与户主关系"] for m in members} <= set(codes.RELATIONS.values())
    assert {m["残疾类别"] for m in members} - {""} <= set(codes.DISABILITY_KINDS.values())
    assert {m["残疾等级"] for m in members} - {""} <= set(codes.DISABILITY_LEVELS.values())
    assert {m["自理能力"] for m in members} == set(codes.SELF_CARE.values())
    assert {m["在校阶段"] for m in members} - {""} == set(codes.SCHOOL_STAGES.values())
    assert {b["保障类别"] for h in households for b in h.benefits} <= set(codes.CATEGORY_SHORT.values())


def test_province_sample_spreads_over_counties():
    regions = province_regions(2)
    households = list(generate(2, regions, 20_000))
    members = _members(households)
    assert len(members) == 20_000
    prefixes = Counter(m["身份证号"][:6] for m in members)
    counties = {r.code for r in regions if r.level == "county"}
    assert set(prefixes) <= counties and len(prefixes) > 100
    per_household = defaultdict(set)
    for h in households:
        per_household[h.household["行政区划代码"][:6]].update(m["身份证号"][:6] for m in h.members)
    assert all(found == {county} for county, found in per_household.items())
