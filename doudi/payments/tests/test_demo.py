"""The demo step: a reconciled payroll with two failures, the price subsidy, the campaigns; twice is once."""

import io

import pytest

from doudi.payments.demo import _recent_price_month, build_demo
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
    # Besides 2022-07 (a real index), one price-subsidy month near today (issue 13 item 7).
    periods = set(PayrollRun.objects.filter(item="price_subsidy").values_list("period", flat=True))
    assert periods == {"2022-07", _recent_price_month()}


def test_the_recent_price_month_is_the_last_one_released():
    import datetime as dt

    assert _recent_price_month(dt.date(2026, 12, 2)) == "2026-10"
    assert _recent_price_month(dt.date(2026, 12, 10)) == "2026-11"
    assert _recent_price_month(dt.date(2027, 1, 15)) == "2026-12"


def test_demo_reserve_is_built_once(money_county):
    """Every township allocated and confirmed by a second person; in the first a draw confirmed,
    a draw and a 补充 waiting for their checker."""
    from decimal import Decimal

    from doudi.payments import reserve
    from doudi.payments.models import ReserveEntry

    out = io.StringIO()
    for _ in range(2):
        build_demo(seed=1, stdout=out, stderr=io.StringIO())
    first = ReserveEntry.objects.filter(township_id="140521100")
    assert sorted(first.values_list("kind", "amount", "state", "created_by__username")) == [
        ("allocation", Decimal("5000.00"), "pending", "staff"),
        ("allocation", Decimal("20000.00"), "confirmed", "staff"),
        ("draw", Decimal("1500.00"), "pending", "clerk1"),
        ("draw", Decimal("2000.00"), "confirmed", "clerk1"),
    ]
    assert set(ReserveEntry.objects.filter(state="confirmed").values_list("checked_by__username", flat=True)) == {"staff2"}
    others = ReserveEntry.objects.exclude(township_id="140521100")
    assert others.count() == others.filter(kind="allocation", state="confirmed").count() >= 1
    assert reserve.balance_of("140521100") == Decimal("18000.00") and "龙港镇支取一笔已复核" in out.getvalue()
