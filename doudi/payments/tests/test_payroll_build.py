"""Payroll build: amounts from held benefits, schedules, idempotency, early payment."""

from decimal import Decimal

import pytest

from doudi.payments.models import PaymentLine, PayrollRun, RunTransition
from doudi.payments.payroll import payroll_build
from doudi.payments.runs import PayrollError
from doudi.registry.models import Benefit

pytestmark = pytest.mark.django_db


def by_item(results):
    return {r["category"]: r for r in results}


def test_monthly_dibao_and_quarterly_tekun(county):
    runs = by_item(payroll_build(period="2025-01"))
    assert set(runs) == {"dibao", "tekun"}  # the edge household is not paid
    assert runs["dibao"] | {} == runs["dibao"]
    assert (runs["dibao"]["people"], runs["dibao"]["households"], runs["dibao"]["amount"]) == (2, 1, "900.00")
    assert runs["tekun"]["through"] == "2025-03" and runs["tekun"]["amount"] == "3840.00" and runs["tekun"]["people"] == 1
    run = PayrollRun.objects.get(item="dibao", period="2025-01")
    assert run.due.isoformat() == "2025-01-10" and run.region_id == "140521"
    line = PaymentLine.objects.get(run=run)
    assert (line.holder_key, line.payee, line.payee_name, line.amount) == ("H001", "head", "张三", Decimal("900"))
    assert RunTransition.objects.filter(run=run, from_state="", to_state="draft").count() == 1
    # February: dibao again, no tekun run (quarterly).
    assert set(by_item(payroll_build(period="2025-02"))) == {"dibao"}


def test_rebuild_gives_the_same_lines_never_a_second_copy(county):
    first = payroll_build(period="2025-01")
    lines = sorted(PaymentLine.objects.values_list("item", "holder_key", "month", "amount"))
    again = payroll_build(period="2025-01")
    assert again == first or [dict(r, **{"state": "draft"}) for r in again] == first
    assert sorted(PaymentLine.objects.values_list("item", "holder_key", "month", "amount")) == lines
    assert PayrollRun.objects.count() == 2 and RunTransition.objects.count() == 2


def test_township_run_does_not_pay_what_the_county_run_paid(county):
    payroll_build(period="2025-01", category="dibao")
    assert payroll_build(period="2025-01", category="dibao", region="140521100") == []
    assert PaymentLine.objects.filter(item="dibao", month="2025-01").count() == 1


def test_stopped_benefit_is_not_paid_after_its_end(county):
    Benefit.objects.filter(category="dibao").update(until="2025-01-31")
    assert by_item(payroll_build(period="2025-01"))["dibao"]["amount"] == "900.00"
    assert "dibao" not in by_item(payroll_build(period="2025-02"))


def test_early_payment_before_spring_festival_and_february_knows(county):
    runs = by_item(payroll_build(period="2025-01", category="dibao", through="2025-02"))
    assert runs["dibao"]["amount"] == "1800.00" and runs["dibao"]["people"] == 2
    run = PayrollRun.objects.get(item="dibao", period="2025-01")
    assert run.due.isoformat() == "2025-01-10"  # Spring Festival 2025 began 28 January: the 10th is earlier
    assert payroll_build(period="2025-02", category="dibao") == []
    assert PaymentLine.objects.filter(item="dibao", month="2025-02").count() == 1


def test_early_payment_due_before_an_early_spring_festival(county):
    payroll_build(period="2026-01", category="dibao", through="2026-03")
    run = PayrollRun.objects.get(item="dibao", period="2026-01")
    assert run.through == "2026-03" and run.due.isoformat() == "2026-01-10"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"period": "2025-13"}, "应为 YYYY-MM"),
        ({"period": "2025-01", "category": "price"}, "保障类别"),
        ({"period": "2025-01", "region": "999999"}, "未知区划"),
        ({"period": "2025-03", "through": "2025-01"}, "早于"),
    ],
)
def test_bad_input_is_refused_in_chinese(county, kwargs, message):
    with pytest.raises(PayrollError, match=message):
        payroll_build(**kwargs)
    assert not PayrollRun.objects.exists()


def test_totals_counted_while_inserting_match_the_lines(money_county):
    """PostgreSQL counts a run's totals from the rows it inserts; they must be what the lines say."""
    from doudi.payments.runs import count_lines, money

    payroll_build(period="2025-01")  # 低保 monthly, 特困 a quarter (three lines per person)
    payroll_build(period="2025-01", category="dibao", through="2025-02")  # rebuilt with early payment
    runs = list(PayrollRun.objects.all())
    assert len(runs) == 2
    read = count_lines(runs)
    for run in runs:
        lines, amount, households, holders, people = read[run.pk]
        assert (run.lines, run.amount, run.households, run.holders, run.people) == (
            lines,
            money(amount),
            households,
            holders,
            people,
        )
    tekun = PayrollRun.objects.get(item="tekun")
    assert (tekun.lines, tekun.holders, tekun.people) == (6, 2, 2)


def test_two_benefits_in_one_month_and_months_paid_early_pay_once(money_county):
    """A holder twice in one statement (an amount changed mid-month) or a month already paid
    (early payment) makes the plain insert fail whole on PostgreSQL; the skipping insert
    then writes each month once."""
    import datetime as dt

    from doudi.registry.models import Household

    household = Household.objects.get(code="H101")
    Benefit.objects.filter(household=household).update(until=dt.date(2025, 1, 15))
    Benefit.objects.create(household=household, category="dibao", since=dt.date(2025, 1, 16), monthly_amount=Decimal("650"))
    payroll_build(period="2025-01", category="dibao", through="2025-02")
    assert PaymentLine.objects.filter(holder_key="H101").count() == 2  # January once, February (new benefit) once
    run = PayrollRun.objects.get(period="2025-01")
    assert run.lines == PaymentLine.objects.filter(run=run).count() == 12 and run.holders == 6
    from doudi.core.models import User
    from doudi.payments.workflow import run_transition

    run_transition(run=run, action="check", user=User.objects.get(username="staff"))
    assert payroll_build(period="2025-02", category="dibao") == []  # February was paid early: nothing new, no run kept
    assert PaymentLine.objects.filter(month="2025-02").count() == 6
