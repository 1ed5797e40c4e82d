"""Maker-checker on payroll runs (issue 12 B): who built a run cannot check it, who checked
it cannot approve it; each refusal leaves the run where it was and records nothing."""

import pytest

from doudi.core.roles import Role
from doudi.core.services import user_create
from doudi.payments.models import PayrollRun, RunTransition
from doudi.payments.payroll import payroll_build
from doudi.payments.workflow import TransitionRefused, run_transition

pytestmark = pytest.mark.django_db


def test_builder_cannot_check_and_checker_cannot_approve(money_county, users):
    payroll_build(period="2025-01", category="dibao", user=users["staff"])
    run = PayrollRun.objects.get(item="dibao")
    with pytest.raises(TransitionRefused, match="须由另一人复核"):
        run_transition(run=run, action="check", user=users["staff"])
    run_transition(run=run, action="check", user=users["staff2"])
    # A finance officer who also holds the checker's rights is not enough: the checker is
    # refused approval by role, a second finance officer who checked would be by duty.
    both = user_create(username="finance_checker", password="pass-finance-x", role=Role.FINANCE, region_code="140521")
    RunTransition.objects.filter(run=run, to_state="checked").update(user=both)
    with pytest.raises(TransitionRefused, match="须由另一人审批"):
        run_transition(run=PayrollRun.objects.get(pk=run.pk), action="approve", user=both)
    assert PayrollRun.objects.get(pk=run.pk).state == "checked"
    run_transition(run=PayrollRun.objects.get(pk=run.pk), action="approve", user=users["finance"])
    states = list(RunTransition.objects.filter(run=run).order_by("id").values_list("from_state", "to_state", "user__username"))
    assert states == [("", "draft", "staff"), ("draft", "checked", "finance_checker"), ("checked", "approved", "finance")]


def test_a_run_built_by_the_command_line_may_be_checked_by_anyone_permitted(money_county, users):
    payroll_build(period="2025-01", category="dibao")
    run = PayrollRun.objects.get(item="dibao")
    run_transition(run=run, action="check", user=users["staff"])
    assert PayrollRun.objects.get(pk=run.pk).state == "checked"


def test_a_county_may_switch_separation_off(money_county, users, tmp_path, monkeypatch):
    """`duties.separate: false` in the county's own parameter file lets one person build and check."""
    from pathlib import Path

    import doudi.rules.parameters as tree

    shipped = Path(tree.__file__).parent / "parameters" / "14" / "140521.yaml"
    folder = tmp_path / "policy"
    folder.mkdir()
    text = shipped.read_text(encoding="utf-8")
    text += (
        '  duties.separate:\n    unit: bool\n    values: [{from: 2020-01-01, value: false, ref: "沁民发〔2026〕1号（测试）"}]\n'
    )
    (folder / "140521.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("DOUDI_POLICY_DIR", str(folder))
    payroll_build(period="2025-01", category="dibao", user=users["staff"])
    run = PayrollRun.objects.get(item="dibao")
    run_transition(run=run, action="check", user=users["staff"])
    assert PayrollRun.objects.get(pk=run.pk).state == "checked"
