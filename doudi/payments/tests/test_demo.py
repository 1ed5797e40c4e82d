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
        "dibao", "price_subsidy", "jmf2022_38_subsidy", "jmf2022_38_voucher"}
    assert "2笔失败待补发" in out.getvalue()
