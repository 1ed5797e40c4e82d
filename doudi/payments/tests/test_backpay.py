"""补发: a benefit entered after its month's (quarter's) run was built is paid in the next
run, once, at most `backpay.months` back, only for months doudi already paid."""

import datetime as dt
from decimal import Decimal

import pytest

from doudi.payments import backpay
from doudi.payments.models import PaymentLine, PayrollRun
from doudi.payments.payroll import payroll_build
from doudi.payments.workflow import run_transition
from doudi.registry.models import Benefit, Household, Person

pytestmark = pytest.mark.django_db


def check(item, period, users):
    run = PayrollRun.objects.get(item=item, period=period)
    run_transition(run=run, action="check", user=users["staff"])


def enrol_tekun(name, since, amount="1200"):
    person = Person.objects.get(name=name)
    return Benefit.objects.create(
        household=person.household,
        person=person,
        person_key=person.id_number,
        category="tekun",
        since=since,
        monthly_amount=Decimal(amount),
        support_mode="dispersed",
    )


def lines_of(holder, item):
    return sorted(PaymentLine.objects.filter(holder_key=holder, item=item).values_list("run__period", "month", "amount"))


def test_enrolled_mid_quarter_gets_the_quarters_remaining_months_once(money_county, users):
    payroll_build(period="2025-01", category="tekun")
    check("tekun", "2025-01", users)
    late = enrol_tekun("孩子1", dt.date(2025, 2, 10))  # approved after the Q1 run was checked
    payroll_build(period="2025-01", category="tekun")  # Q1 is past draft: untouched
    assert lines_of(late.person_key, "tekun") == []
    payroll_build(period="2025-04", category="tekun")
    q2 = [("2025-04", m, Decimal("1200.00")) for m in ("2025-02", "2025-03", "2025-04", "2025-05", "2025-06")]
    assert lines_of(late.person_key, "tekun") == q2
    # The people already paid in Q1 get Q2 only; nothing of Q1 twice.
    assert [m for _, m, _ in lines_of(money_county["tekun"], "tekun")] == [
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
        "2025-05",
        "2025-06",
    ]
    before = sorted(PaymentLine.objects.values_list("item", "holder_key", "month", "amount"))
    run = PayrollRun.objects.get(item="tekun", period="2025-04")
    payroll_build(period="2025-04", category="tekun")  # rebuild: nothing changes
    assert sorted(PaymentLine.objects.values_list("item", "holder_key", "month", "amount")) == before
    run.refresh_from_db()
    assert run.people == 3 and run.lines == 3 * 3 + 2


def test_monthly_backdated_benefit_paid_next_month_only_for_months_doudi_paid(money_county, users):
    payroll_build(period="2025-01", category="dibao")
    check("dibao", "2025-01", users)
    # Entered in February, backdated to November; H202 held no 低保 before.
    new = Benefit.objects.create(
        household=Household.objects.get(code="H202"), category="dibao", since=dt.date(2024, 11, 20), monthly_amount=Decimal("600")
    )
    payroll_build(period="2025-02", category="dibao")
    # 2024-11 and 2024-12 were never paid through doudi (no run): not back-paid; January was paid without it.
    assert lines_of("H202", "dibao") == [("2025-02", "2025-01", Decimal("600.00")), ("2025-02", "2025-02", Decimal("600.00"))]
    assert [m for _, m, _ in lines_of("H101", "dibao")] == ["2025-01", "2025-02"]
    payroll_build(period="2025-02", category="dibao")
    assert PaymentLine.objects.filter(holder_key="H202", item="dibao").count() == 2
    assert new.monthly_amount == Decimal("600")


def test_draft_months_and_the_parameter_bound(money_county, users):
    payroll_build(period="2025-01", category="dibao")  # left in draft
    Benefit.objects.create(
        household=Household.objects.get(code="H102"),
        category="dibao_single",
        since=dt.date(2025, 1, 5),
        monthly_amount=Decimal("300"),
    )
    payroll_build(period="2025-02", category="dibao")
    assert not PaymentLine.objects.filter(month="2025-01", run__period="2025-02").exists()
    assert backpay.window("dibao", "140521", "2025-02")[0] == "2024-02"  # 12 months back (national parameter)
    assert len(backpay.window("dibao", "140521", "2025-02")) == 12


def test_backpay_parameter_is_validated(tmp_path):
    from doudi.payments import params
    from doudi.rules.errors import RulesError

    bad = tmp_path / "140521.yaml"
    bad.write_text(
        'region: "140521"\nparameters:\n  backpay.months: {values: [{from: 2025-01-01, value: 99, ref: "某文号"}]}\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesError, match="补发月数 99 应为 0–36 的整数"):
        params.parse_file(bad)
    bad.write_text(
        'region: "140521"\nparameters:\n  backpay.months: {values: [{from: 2025-01-01, value: 3}]}\n', encoding="utf-8"
    )
    with pytest.raises(RulesError, match="缺少文号 ref"):
        params.parse_file(bad)
