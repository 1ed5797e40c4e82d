"""One pytest per YAML case in tests/cases/ (rule tests as data, openfisca-style)."""

import json
from decimal import Decimal

import pytest

from doudi.rules import assess
from doudi.rules.tests.casefile import build, load_cases

CASES = load_cases()


def _person(value, names):
    return names.get(value, value) if value is not None else None


def _check_benefits(expected, actual, names):
    want = {(b["category"], _person(b.get("person"), names)): b for b in expected}
    got = {(b["category"], b["person"]): b for b in actual}
    assert set(got) == set(want), f"benefits differ: got {sorted(map(str, got))}, want {sorted(map(str, want))}"
    for key, item in want.items():
        for field, value in item.items():
            if field not in ("category", "person"):
                assert got[key].get(field) == value, f"{key} {field}: got {got[key].get(field)}, want {value}"


def _check_refusals(expected, actual, names):
    got = {(n["category"], n["person"]): n["reasons"] for n in actual}
    for item in expected:
        key = (item["category"], _person(item.get("person"), names))
        assert key in got, f"{key} not in not_eligible: {sorted(map(str, got))}"
        assert got[key] == item["reasons"], f"{key} reasons: got {got[key]}, want {item['reasons']}"


@pytest.mark.parametrize("stem,policy,case,defaults", CASES, ids=[f"{c[0]}:{c[2]['name']}" for c in CASES])
def test_case(stem, policy, case, defaults):
    data, names = build(case, defaults)
    # Round-trip through JSON text as the CLI would: numbers become Decimal, never float.
    data = json.loads(json.dumps(data, default=str), parse_float=Decimal)
    result = assess(data, policy, str(case["month"]))["results"][0]
    expect = case["expect"]
    if "per_capita_income" in expect:
        assert result["per_capita_income"] == expect["per_capita_income"]
    if "benefits" in expect:
        _check_benefits(expect["benefits"], result["benefits"], names)
    _check_refusals(expect.get("not_eligible", []), result["not_eligible"], names)


def test_at_least_150_cases():
    assert len(CASES) >= 150
    names = [c[2]["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique sentences"
