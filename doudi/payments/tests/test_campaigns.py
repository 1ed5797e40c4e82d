"""One-off campaigns: the two 晋民发〔2022〕38号 payments and a holiday subsidy."""

import datetime as dt
from decimal import Decimal

import pytest

from doudi.payments import bankfiles, campaigns
from doudi.payments.campaigns import campaign_build
from doudi.payments.models import PaymentLine, PayrollRun
from doudi.payments.runs import PayrollError
from doudi.payments.workflow import run_transition

pytestmark = pytest.mark.django_db


def test_300_yuan_per_dibao_and_tekun_person_once(money_county):
    (result,) = campaign_build(code="jmf2022_38_subsidy")
    assert (result["people"], result["amount"], result["region"]) == (13, "3900.00", "140521")
    run = PayrollRun.objects.get(item="jmf2022_38_subsidy")
    assert run.due == dt.date(2022, 8, 20) and run.kind == "campaign"
    child = PaymentLine.objects.get(run=run, name="孩子1")
    assert (child.payee, child.payee_name, child.fund) == ("head", "户主1", "province6_county4")
    assert campaign_build(code="jmf2022_38_subsidy") == [result]  # rebuilt: same
    assert PaymentLine.objects.filter(item="jmf2022_38_subsidy").count() == 13


def test_voucher_for_tekun_persons_handed_out_not_banked(money_county, users):
    (result,) = campaign_build(code="jmf2022_38_voucher")
    assert (result["people"], result["amount"]) == (2, "3000.00")
    run = PayrollRun.objects.get(item="jmf2022_38_voucher")
    for action, user in (("check", "staff"), ("approve", "finance")):
        run_transition(run=run, action=action, user=users[user])
    bankfiles.bank_send(run=run, user=users["staff"])
    assert set(PaymentLine.objects.filter(run=run).values_list("payee", "status")) == {("voucher", "paid")}
    progress = campaigns.progress(campaigns.campaign_get("jmf2022_38_voucher"), today=dt.date(2022, 9, 1))
    assert (progress["lines"], progress["paid"], progress["percent"], progress["late"]) == (2, 2, 100, False)


def test_holiday_subsidy_per_household_and_progress_late(money_county):
    (result,) = campaign_build(code="qzbf2021_7_holiday")
    assert (result["households"], result["amount"]) == (8, "1600.00")
    assert PaymentLine.objects.get(item="qzbf2021_7_holiday", holder_key="H101").people == 2
    progress = campaigns.progress(campaigns.campaign_get("qzbf2021_7_holiday"), today=dt.date(2021, 2, 11))
    assert progress["late"] and progress["paid"] == 0


def test_campaign_file_errors_name_file_and_key(tmp_path):
    bad = tmp_path / "campaigns.yaml"
    bad.write_text(
        "campaigns:\n  - {code: x, name: 测试, ref: 文号, region: '14', month: 2022-07, targets: [dibao],"
        " unit: family, amount: 100, fund: county, deadline: 2022-08-01, form: cash}\n",
        encoding="utf-8",
    )
    with pytest.raises(PayrollError, match=r"campaigns\[0\]\.unit"):
        campaigns.campaigns(str(bad))
    with pytest.raises(PayrollError, match="未知的一次性发放项目"):
        campaign_build(code="nope")
    assert campaigns.campaign_get("jmf2022_38_subsidy").amount == Decimal("300")
