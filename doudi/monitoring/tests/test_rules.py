import json

import pytest

from doudi.monitoring.rules import RULES
from doudi.monitoring.runner import compute_findings
from doudi.monitoring.tests.conftest import EXPECTED

pytestmark = pytest.mark.django_db


def _names(planted):
    return {number: name for name, number in planted["ids"].items()}


def test_every_rule_finds_its_planted_case_and_no_near_miss(planted):
    findings, inputs = compute_findings(as_of=planted["as_of"])
    names = _names(planted)
    assert {(f.rule, names[f.id_number], f.level) for f in findings} == EXPECTED
    assert {f.rule for f in findings} == set(RULES)
    assert inputs["datasets"]["death"]["rows"] == 1


def test_deceased_detail_counts_months_and_money_overpaid(planted):
    findings, _ = compute_findings(as_of=planted["as_of"])
    death = next(f for f in findings if f.rule == "deceased")
    # dibao 900/month for a 2-person household: the deceased's share is 450; Feb–Jun 2025 = 5 months
    assert death.detail == {"death_date": "2025-01-10", "months_overpaid": 5, "overpaid_amount": "2250.00"}
    assert death.household_code == "H001" and death.township == "140521100"


def test_fingerprint_ignores_facts_but_follows_evidence(planted):
    import datetime as dt

    june, _ = compute_findings(as_of=planted["as_of"])
    july, _ = compute_findings(as_of=dt.date(2025, 7, 15))
    death_june = next(f for f in june if f.rule == "deceased")
    death_july = next(f for f in july if f.rule == "deceased")
    assert death_july.detail["months_overpaid"] == 6
    assert death_june.fingerprint == death_july.fingerprint
    vehicle = next(f for f in june if f.rule == "vehicle")
    assert vehicle.detail["items"][0]["plate"] == "晋E12345"
    assert json.dumps(vehicle.detail, ensure_ascii=False)


def test_rules_have_chinese_description_and_reference():
    for rule in RULES.values():
        assert rule.description and rule.refs and all("〔" in ref for ref in rule.refs)
        assert any(ref in rule.description for ref in rule.refs)


@pytest.mark.spark
def test_spark_gives_the_same_warnings_as_duckdb(planted, spark):
    duck, _ = compute_findings(as_of=planted["as_of"], engine_name="duckdb")
    sparked, _ = compute_findings(as_of=planted["as_of"], engine_name="spark", spark_session=spark)
    as_rows = lambda fs: [(f.rule, f.id_number, f.level, f.detail, f.fingerprint) for f in fs]  # noqa: E731
    assert as_rows(sparked) == as_rows(duck)
