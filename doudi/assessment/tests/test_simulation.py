"""政策测算: a what-if policy evaluated against the shipped one, checked against assess."""

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from conftest import COUNTY
from doudi.assessment.services import EvaluationError, policy_simulate, simulation_xlsx
from doudi.registry.extracts import registry_households
from doudi.rules import assess

MONTH = "2025-01"


def _budget(result, category):
    return sum(Decimal(str(b["monthly_amount"])) for r in result["results"] for b in r["benefits"] if b["category"] == category)


def test_raising_the_rural_standard_matches_assess_with_a_whatif_file(register, tmp_path):
    changes = [
        {"parameter": "dibao.standard.rural", "from": "2024-12-01", "value": None, "percent": "20"},
        {"parameter": "dibao_edge.ratio", "from": "2025-01-01", "value": "2", "percent": None},
    ]
    result = policy_simulate(region_code=COUNTY, month=MONTH, changes=changes, user=register["staff"])
    data = {"households": [h for p in registry_households(COUNTY, dt.date(2025, 1, 1)) for h in p]}
    before = assess(data, "14", MONTH)
    standard = Decimal(
        str(assess.__globals__["load_policy"]("14").resolve(COUNTY, dt.date(2024, 12, 1))["dibao.standard.rural"].value)
    )
    whatif = tmp_path / "whatif.yaml"
    whatif.write_text(
        yaml.safe_dump(
            {
                "region": COUNTY,
                "name": "测算",
                "parameters": {
                    "dibao.standard.rural": {
                        "unit": "yuan",
                        "values": [{"from": "2024-12-01", "value": str(standard * Decimal("1.2")), "ref": "x"}],
                    },
                    "dibao_edge.ratio": {"unit": "ratio", "values": [{"from": "2025-01-01", "value": 2, "ref": "x"}]},
                },
            },
            allow_unicode=True,
        ).replace("'", ""),
        encoding="utf-8",
    )
    after = assess(data, str(whatif), MONTH)
    dibao = [r for r in result["rows"] if r["category"] == "dibao"]
    assert sum(Decimal(r["budget_before"]) for r in dibao) == _budget(before, "dibao")
    assert sum(Decimal(r["budget_after"]) for r in dibao) == _budget(after, "dibao")
    assert Decimal(result["totals"]["budget_after"]) > Decimal(result["totals"]["budget_before"])
    t = result["totals"]
    assert t["persons_after"] - t["persons_before"] == t["entering"] - t["leaving"]
    assert {r["township_name"] for r in result["rows"]} <= {"龙港镇", "中村镇"}
    response = simulation_xlsx(result)
    assert response["Content-Disposition"].endswith(".xlsx")


def test_simulating_some_categories_gives_their_rows_of_the_full_simulation(register):
    changes = [{"parameter": "dibao.standard.rural", "from": "2024-12-01", "value": None, "percent": "20"}]
    full = policy_simulate(region_code=COUNTY, month=MONTH, changes=changes, user=register["staff"])
    # The small register has no dibao household; disability_care reads the whole chain up to the last stage.
    asked = ["dibao", "disability_care"]
    some = policy_simulate(region_code=COUNTY, month=MONTH, changes=changes, user=register["staff"], categories=asked)
    assert some["rows"] == [r for r in full["rows"] if r["category"] in asked] and some["rows"]
    with pytest.raises(EvaluationError, match="未知保障类别"):
        policy_simulate(region_code=COUNTY, month=MONTH, changes=changes, user=register["staff"], categories=["moon"])


@pytest.mark.parametrize(
    "change,message",
    [
        ({"parameter": "dibao.standard.moon", "from": "2025-01-01", "value": "1", "percent": None}, "dibao.standard.moon"),
        ({"parameter": "dibao.taper.months", "from": "2025-01-01", "value": "2.5", "percent": None}, "dibao.taper.months"),
        ({"parameter": "dibao.standard.urban", "from": "2025-01-01", "value": "六百", "percent": None}, "dibao.standard.urban"),
        ({"parameter": "dibao.standard.urban", "from": "2025-01-01", "value": None, "percent": "-100"}, "100%"),
        ({"parameter": "income.exempt_components", "from": "2025-01-01", "value": "1", "percent": None}, "数值参数"),
        ({"parameter": "dibao.standard.urban", "from": "2025-13-01", "value": "1", "percent": None}, "YYYY-MM-DD"),
    ],
)
def test_bad_changes_name_the_parameter(register, change, message):
    with pytest.raises(EvaluationError, match=message):
        policy_simulate(region_code=COUNTY, month=MONTH, changes=[change], user=register["staff"])


def test_simulation_job_and_scope(register):
    from doudi.core.jobs import job_start

    change = [{"parameter": "dibao.standard.rural", "from": "2025-01-01", "value": "900", "percent": None}]
    job = job_start(
        kind="simulation",
        label="测算",
        target="doudi.assessment.services:simulation_job",
        params={"region_code": COUNTY, "month": MONTH, "changes": change},
        user=register["staff"],
    )
    assert job.status == "done", job.error
    assert job.result["rows"] and "totals" in job.result
    with pytest.raises(EvaluationError, match="无权"):
        policy_simulate(region_code=COUNTY, month=MONTH, changes=change, user=register["clerk_a"])
