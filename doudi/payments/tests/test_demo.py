"""The demo step: a reconciled payroll with two failures, the price subsidy, the campaigns; twice is once."""

import io

import pytest

from doudi.payments.demo import build_demo
from doudi.payments.models import PaymentLine, PayrollRun

pytestmark = pytest.mark.django_db


def test_demo_money_is_built_once(money_county):
    out = io.StringIO()
    build_demo(seed=1, stdout=out, stderr=io.StringIO())
    build_demo(seed=1, stdout=io.StringIO(), stderr=io.StringIO())
    dibao = PayrollRun.objects.get(item="dibao")
    assert dibao.state == "reconciled" and dibao.transitions.count() == 5
    assert PaymentLine.objects.filter(run=dibao, status="failed").count() == 2
    assert set(PayrollRun.objects.values_list("item", flat=True)) == {
        "dibao",
        "price_subsidy",
        "jmf2022_38_subsidy",
        "jmf2022_38_voucher",
    }
    assert "2笔失败待补发" in out.getvalue()


def test_demo_reserve_is_built_once(money_county):
    from decimal import Decimal

    from doudi.payments import reserve
    from doudi.payments.models import ReserveEntry

    out = io.StringIO()
    for _ in range(2):
        build_demo(seed=1, stdout=out, stderr=io.StringIO())
    assert sorted(ReserveEntry.objects.values_list("kind", "amount")) == [
        ("allocation", Decimal("20000.00")),
        ("draw", Decimal("1500.00")),
        ("draw", Decimal("2000.00")),
    ]
    assert reserve.balance_of("140521100") == Decimal("16500.00") and "龙港镇临时救助备用金" in out.getvalue()
