"""Monthly batch evaluation over the register: decisions, differences, scope, command, job."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from doudi.assessment import selectors
from doudi.assessment.models import Difference, EvaluationRun
from doudi.assessment.services import EvaluationError, evaluation_run
from doudi.core.models import AuditEntry
from doudi.registry.extracts import registry_households
from doudi.registry.models import Benefit
from doudi.rules import assess

MONTH = "2025-01"


def _expected_differences() -> set[tuple]:
    """Independently: assess on the register's households vs the Benefit rows held."""
    import datetime as dt

    data = {"households": [h for page in registry_households(COUNTY, dt.date(2025, 1, 1)) for h in page]}
    granted = {}
    for result in assess(data, "14", MONTH)["results"]:
        for b in result["benefits"]:
            granted[(result["household"], b["person"] or "", b["category"])] = Decimal(str(b["monthly_amount"]))
    held = {
        (b.household.code, b.person_key, b.category): b.monthly_amount
        for b in Benefit.objects.filter(until__isnull=True).select_related("household")
    }
    out = set()
    for key in granted.keys() | held.keys():
        if key not in held:
            out.add(key + ("start",))
        elif key not in granted:
            out.add(key + ("stop",))
        elif granted[key] != held[key]:
            out.add(key + ("change_amount",))
    return out


def test_evaluation_stores_decisions_and_the_differences_assess_implies(register):
    run = evaluation_run(month=MONTH, region_code=COUNTY, user=register["admin"])
    assert run.status == EvaluationRun.Status.DONE and run.counts["households"] == 3
    got = {(d.household_code, d.person_key, d.category, d.change) for d in run.differences.all()}
    assert got == _expected_differences() and got
    stop = run.differences.filter(change="stop").first()
    if stop is not None:
        assert stop.new_amount is None and stop.held_amount is not None
    import pyarrow.parquet as pq

    assert pq.read_table(run.decisions_file).num_rows == run.counts["decisions"]
    assert AuditEntry.objects.filter(entity="evaluation", entity_key=str(run.pk), user=register["admin"]).exists()
    assert all(d.township_code in (TOWNSHIP_A, TOWNSHIP_B) for d in run.differences.all())


def test_township_clerk_sees_only_own_township(register):
    run = evaluation_run(month=MONTH, region_code=COUNTY, user=register["admin"])
    everything = selectors.differences_for(register["admin"], run)
    mine = selectors.differences_for(register["clerk_b"], run)
    assert everything.count() > mine.count()
    assert all(d.region_code.startswith(TOWNSHIP_B) for d in mine)
    assert selectors.run_get(register["clerk_b"], run.pk) == run
    own = evaluation_run(month=MONTH, region_code=TOWNSHIP_A, user=register["staff"])
    with pytest.raises(EvaluationRun.DoesNotExist):
        selectors.run_get(register["clerk_b"], own.pk)
    assert not selectors.differences_for(register["clerk_b"], own).exists()


def test_refusals_are_chinese_and_write_nothing(register):
    with pytest.raises(EvaluationError, match="YYYY-MM"):
        evaluation_run(month="2025-1x", region_code=COUNTY, user=register["admin"])
    with pytest.raises(EvaluationError, match="无权"):
        evaluation_run(month=MONTH, region_code=TOWNSHIP_A, user=register["clerk_a"])
    with pytest.raises(EvaluationError, match="不存在"):
        evaluation_run(month=MONTH, region_code="999999", user=register["admin"])
    assert not EvaluationRun.objects.exists() and not Difference.objects.exists()


def test_evaluate_command_prints_counts_and_writes_results(register, tmp_path, capsys):
    out = tmp_path / "decisions.jsonl"
    call_command("evaluate", "--month", MONTH, "--region", COUNTY, "--out", str(out))
    counts = json.loads(capsys.readouterr().out)
    assert counts["households"] == 3 and counts["month"] == MONTH
    import datetime as dt

    data = {"households": [h for page in registry_households(COUNTY, dt.date(2025, 1, 1)) for h in page]}
    lines = [json.loads(line, parse_float=Decimal) for line in out.read_text(encoding="utf-8").splitlines()]
    want = json.loads(json.dumps(assess(data, "14", MONTH)["results"]), parse_float=Decimal)
    assert lines == want
    csv_out = tmp_path / "decisions.csv"
    call_command("evaluate", "--month", MONTH, "--out", str(csv_out))
    assert csv_out.read_text(encoding="utf-8-sig").startswith("户编号,行政区划,身份证号,保障类别")


@pytest.mark.parametrize(
    "args,message",
    [
        (["--month", "202501"], "YYYY-MM"),
        (["--month", MONTH, "--engine", "oracle"], "未知计算引擎"),
        (["--month", MONTH, "--out", "x.txt"], ".csv 或 .jsonl"),
        (["--month", MONTH, "--region", "140599"], "不存在"),
    ],
)
def test_evaluate_command_bad_input(register, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("evaluate", *args)
    assert not EvaluationRun.objects.filter(status="done").exists()


def test_evaluation_job_runs_in_background_api(register):
    from doudi.core.jobs import job_start

    job = job_start(
        kind="evaluation",
        label="2025-01 月度批量评估",
        target="doudi.assessment.services:evaluation_job",
        params={"month": MONTH, "region_code": COUNTY, "user_id": register["admin"].pk},
        user=register["admin"],
    )
    assert job.status == "done", job.error
    assert job.result["households"] == 3
    bad = job_start(
        kind="evaluation",
        label="x",
        target="doudi.assessment.services:evaluation_job",
        params={"month": "bad", "region_code": COUNTY},
        user=register["admin"],
    )
    assert bad.status == "failed" and "YYYY-MM" in bad.error
