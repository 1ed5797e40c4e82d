"""停保 taking effect for months already paid: the overpayment is recorded through the payments
service with exactly what the payrolls paid for the months after the stop's last month."""

import datetime as dt
from decimal import Decimal

import pytest

from doudi.cases import bulk, lifecycle, services
from doudi.cases.models import Case
from doudi.core.workflow import WorkflowError
from doudi.payments.models import Overpayment, PaymentLine
from doudi.payments.payroll import payroll_build
from doudi.registry.models import Benefit, Household
from doudi.registry.services import benefit_start

pytestmark = pytest.mark.django_db
STOP_DAY = dt.date(2026, 9, 15)


@pytest.fixture
def paid(register, users, today):
    """H010 holds 低保 500 from 2026-06; June to September were paid (the monthly payrolls sent)."""
    household = Household.objects.get(code="H010")
    benefit = benefit_start(
        household=household,
        category="dibao",
        since=dt.date(2026, 6, 1),
        monthly_amount=Decimal("500.00"),
        reason="测试",
        user=users["staff"],
    )
    for month in ("2026-06", "2026-07", "2026-08", "2026-09"):
        payroll_build(period=month, category="dibao")
    PaymentLine.objects.filter(holder_key="H010").update(status=PaymentLine.Status.PAID)
    # September's line was raised by a back-pay correction: the record counts what was paid.
    PaymentLine.objects.filter(holder_key="H010", month="2026-09").update(amount=Decimal("520.00"))
    today(STOP_DAY)
    finding = bulk.Finding("test:stop", "测试：死亡", household, "dibao", Case.Kind.CHANGE, household.members.first(), benefit)
    case = bulk.open_cases(user=users["staff"], findings=[finding], origin="test", today=STOP_DAY).opened[0]
    case = services.case_check(case=case, user=users["clerk_a"], today=STOP_DAY)
    return services.case_survey(case=case, user=users["clerk_a"], notes="核实申请人已于 7 月去世")


def test_stop_for_months_already_paid_records_the_exact_overpayment(paid, users):
    case = lifecycle.case_stop(
        case=paid, user=users["staff"], stop_reason="death", reason="7 月去世", last_month="2026-07", today=STOP_DAY
    )
    assert case.benefit_until == dt.date(2026, 7, 31)
    record = Overpayment.objects.get()
    assert record.from_month == "2026-08" and record.category == "dibao"
    assert record.amount == Decimal("1020.00")  # August 500 + September 520, as paid
    assert case.steps.get(to_state="stopped").data["overpayment"]["amount"] == "1020.00"
    assert Benefit.objects.get(pk=case.benefit_id).until == dt.date(2026, 7, 31)


def test_stop_this_month_nothing_paid_after_records_nothing(paid, users):
    lifecycle.case_stop(case=paid, user=users["staff"], stop_reason="income", reason="务工收入超过标准", today=STOP_DAY)
    assert not Overpayment.objects.exists()


def test_stop_month_out_of_range_refused_nothing_changed(paid, users):
    for month, message in (("2026-10", "晚于本月"), ("2026-05", "早于待遇开始月份"), ("2026-13", "2026-13")):
        with pytest.raises(WorkflowError, match=message):
            lifecycle.case_stop(
                case=paid, user=users["staff"], stop_reason="death", reason="去世", last_month=month, today=STOP_DAY
            )
    assert Case.objects.get(pk=paid.pk).state == "surveyed" and not Overpayment.objects.exists()
    assert Benefit.objects.get(pk=paid.benefit_id).until is None
