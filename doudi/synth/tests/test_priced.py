"""Held amounts are the county's rules' amounts wherever the rules grant the benefit."""

from decimal import Decimal

import pytest

from doudi.registry.extracts import assess_household
from doudi.rules import assess
from doudi.rules.policy import load_policy
from doudi.synth import AS_OF, county_regions, generate
from doudi.synth.priced import category, registry_rows


@pytest.fixture(scope="module")
def households():
    return list(generate(11, county_regions(11), 3_000))


def _decisions(households):
    inputs = [assess_household(*registry_rows(*h)) for h in households]
    return assess({"households": inputs}, load_policy("14"), f"{AS_OF:%Y-%m}")["results"]


def test_granted_benefits_hold_the_rules_amount(households):
    checked = differing = 0
    for house, result in zip(households, _decisions(households)):
        granted = {(b["category"], b["person"] or ""): Decimal(str(b["monthly_amount"])) for b in result["benefits"]}
        for row in house.benefits:
            key = (category(row["保障类别"]), row["身份证号(个人类别填写)"])
            if key in granted:
                checked += 1
                differing += row["月保障金额"] != granted[key]
    assert checked > 2_000 and differing == 0


def test_most_held_benefits_are_granted_by_the_rules(households):
    """The register is mostly right, as a county's is: what the batch finds is the exception."""
    results = _decisions(households)
    held = [(h, (category(b["保障类别"]), b["身份证号(个人类别填写)"])) for h in households for b in h.benefits]
    granted = {(r["household"], b["category"], b["person"] or "") for r in results for b in r["benefits"]}
    kept = sum((h.household["户编号"], *key) in granted for h, key in held)
    assert 0.8 < kept / len(held) < 1.0


def test_tekun_households_record_no_supporter_and_others_mostly_do(households):
    rows = [(m["有履行能力的法定义务人(是/否)"], {b["保障类别"] for b in h.benefits}) for h in households for m in h.members]
    assert all(flag == "否" for flag, cats in rows if "特困" in cats)
    others = [flag for flag, cats in rows if "特困" not in cats]
    assert sum(flag == "是" for flag in others) / len(others) > 0.7
