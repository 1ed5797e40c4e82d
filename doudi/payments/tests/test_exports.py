"""Excel exports of the funds lists: the right rows and amounts, scoped to the user's region."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from doudi.payments import bankfiles, ledger
from doudi.payments.campaigns import campaign_build
from doudi.payments.models import PayrollRun
from doudi.payments.payroll import payroll_build
from doudi.payments.workflow import run_transition
from doudi.registry.models import Person

pytestmark = pytest.mark.django_db


def sheet(user, url) -> list[list]:
    client = Client()
    client.force_login(user)
    response = client.get(url, {"export": "xlsx"} if "?" not in url else None)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    book = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def send(item, users):
    for run in PayrollRun.objects.filter(item=item):
        run_transition(run=run, action="check", user=users["staff"])
        run_transition(run=run, action="approve", user=users["finance"])
        bankfiles.bank_send(run=run, user=users["staff"])


def test_campaign_list_and_detail_exports(money_county, users):
    campaign_build(code="jmf2022_38_subsidy")
    send("jmf2022_38_subsidy", users)
    rows = sheet(users["staff"], "/payments/campaigns/")
    assert rows[0][0] == "一次性发放进度" and rows[1][:3] == ["名称", "文号", "对象"]
    subsidy = next(r for r in rows[2:] if r[0] == "2022年困难群众一次性生活补贴")
    # 13 persons × 300 yuan; 特困乙 (no card) failed at sending and is not re-issued yet.
    assert subsidy[8:10] == [13, 3900]  # amounts are number cells
    clerk_b = next(r for r in sheet(users["clerk_b"], "/payments/campaigns/")[2:] if r[0].startswith("2022年"))
    assert clerk_b[8:10] == [5, 1500]  # township B: two 低保 households of two and 特困乙
    towns = sheet(users["staff"], "/payments/campaigns/jmf2022_38_subsidy/")
    assert towns[1][0] == "乡镇" and [(r[1], r[3], r[6]) for r in towns[2:-1]] == [(8, 2400, 0), (5, 1500, 1)]
    assert towns[-1][0] == "合计" and (towns[-1][1], towns[-1][3], towns[-1][6]) == (13, 3900, 1)
    only_b = sheet(users["clerk_b"], "/payments/campaigns/jmf2022_38_subsidy/")
    assert [(r[1], r[2], r[3]) for r in only_b[2:-1]] == [(5, 5, 1500)]
    client = Client()
    client.force_login(users["staff"])
    page = client.get("/payments/campaigns/jmf2022_38_subsidy/").content.decode()
    assert "window.print()" in page and "print-only" in page and "3900.00" in page
    assert client.get("/payments/campaigns/nope/").status_code == 404


def test_price_screen_export(money_county, users):
    client = Client()
    client.force_login(users["staff"])
    client.post("/payments/price-subsidy/", {"month": "2022-07", "cpi": "2.7", "food": "6.3", "released": "2022-08-10"})
    client.post("/payments/price-subsidy/", {"month": "2022-06", "cpi": "2.5", "food": "2.9", "released": "2022-07-10"})
    rows = sheet(users["staff"], "/payments/price-subsidy/")
    assert rows[1][:6] == ["月份", "指数区划", "CPI同比(%)", "食品CPI同比(%)", "启动条件", "是否启动"]
    july, june = rows[2], rows[3]
    assert july[0] == "2022-07" and july[5] == "已启动" and july[6] == 6.3 and july[11] == "2022-08-31"
    assert july[9] == 13 and july[10] > 0
    assert june[0] == "2022-06" and june[5] == "未启动" and june[9] == 0
    clerk_b = sheet(users["clerk_b"], "/payments/price-subsidy/")[2]
    assert clerk_b[9] == 5 and clerk_b[10] < july[10]


def test_ledger_export_scoped_with_total(money_county, users):
    payroll_build(period="2025-01", category="dibao")
    send("dibao", users)
    rows = sheet(users["staff"], "/payments/ledger/?source=1&item=0&township=1&month=0&export=xlsx")
    assert rows[1] == ["资金来源", "乡镇", "金额（元）"]
    assert rows[-1][0] == "合计" and rows[-1][-1] == 3350  # 510+520+530+700 in A, 540+550 in B
    assert len({r[1] for r in rows[2:-1]}) == 2 and all(r[1] for r in rows[2:-1])  # township names
    only_b = sheet(users["clerk_b"], "/payments/ledger/?source=1&item=0&township=0&month=0&export=xlsx")
    assert only_b[-1] == ["合计", 1090] and len(only_b) == 2 + 4 + 1  # four sources of the assistance fund
    assert sum(Decimal(str(r[1])) for r in only_b[2:-1]) == Decimal("1090")


def test_overpayment_export_scoped_and_masked(money_county, users):
    payroll_build(period="2025-01", category="dibao")
    send("dibao", users)
    for name in ("户主1", "户主4"):
        ledger.overpayment_record(
            person=Person.objects.get(name=name),
            category="dibao",
            from_month="2025-01",
            reason="死亡未及时停发",
            user=users["staff"],
        )
    rows = sheet(users["staff"], "/payments/overpayments/")
    assert rows[1][:3] == ["乡镇", "姓名", "身份证号"]
    assert rows[1][6:11] == ["多发金额（元）", "已追回（元）", "已核销（元）", "未追回（元）", "状态"]
    assert sorted((r[1], r[6], r[9]) for r in rows[2:-1]) == [("户主1", 510, 510), ("户主4", 540, 540)]
    assert all("*" in r[2] for r in rows[2:-1]) and rows[-1][0] == "合计" and rows[-1][6] == 1050  # the 合计 row
    only_b = sheet(users["clerk_b"], "/payments/overpayments/")
    assert [r[1] for r in only_b[2:-1]] == ["户主4"]
