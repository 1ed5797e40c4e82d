"""临时救助 pages (issue 15): receive at the place of the emergency, 先行救助 from the case page,
the 台账 by cause and tier with its masked export, the 先行 and 一事一议 lists; least privilege
(another township 404, a lesser role 403)."""

import datetime as dt
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1
from doudi.cases import temp
from doudi.cases.models import Case
from doudi.cases.tests.conftest import DAY
from doudi.cases.tests.test_temp_assist import OUTSIDER, temp_application
from doudi.core.models import User
from doudi.payments import reserve
from doudi.payments.models import ReserveEntry

pytestmark = pytest.mark.django_db


def allocated(**fields):
    """A 下拨 by staff, confirmed by another county user (every reserve entry needs a second person)."""
    entry, _ = reserve.reserve_allocate(**fields)
    return reserve.reserve_confirm(entry=entry, user=User.objects.get(username="admin"))


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sheet(response):
    assert response.status_code == 200, response.content[:300]
    return [list(r) for r in load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)]


@pytest.fixture
def fund(users):
    allocated(township=TOWNSHIP_A, amount="5000", on=dt.date(2026, 1, 5), ref="x", user=users["staff"])


def test_receive_pay_first_and_register(users, fund, today):
    clerk = login(users["clerk_a"])
    form = temp_application()
    form.pop("tier")
    response = clerk.post("/cases/temp/apply/", {**form, "tier": "general"})
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    page = clerk.get(f"/cases/{case.number}/").content.decode()
    assert "非本县台账人员" in page and "先行救助（立即从备用金支付）" in page and "乡镇审批 1920.00 元以内" in page
    response = clerk.post(f"/cases/{case.number}/temp/advance/", {"version": case.version, "amount": "800"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "advanced" and ReserveEntry.objects.get(case=case).amount == 800
    page = clerk.get(f"/cases/{case.number}/").content.decode()
    assert "请于 2026-06-15 前补齐材料" in page
    register = clerk.get("/cases/temp/").content.decode()
    assert "有 1 件先行救助尚未补齐材料" in register and "火灾" in register
    rows = sheet(clerk.get("/cases/temp/", {"export": "xlsx"}))
    assert rows[1][:3] == ["案件编号", "支付日期", "乡镇"] and rows[2][0] == case.number
    assert rows[2][5] != OUTSIDER and "*" in rows[2][5] and rows[2][10] == 800
    summary = sheet(clerk.get("/cases/temp/", {"export": "summary"}))
    assert summary[2] == ["急难型", "火灾", "一般困难", 1, 800, 0]
    advances = sheet(login(users["supervisor"]).get("/cases/temp/advances/", {"export": "xlsx"}))
    assert advances[2][0] == case.number and advances[2][3] != OUTSIDER
    assert "2026-06-15" in login(users["supervisor"]).get("/cases/temp/advances/").content.decode()


def test_bad_application_shows_messages_and_writes_nothing(users, today):
    clerk = login(users["clerk_a"])
    response = clerk.post("/cases/temp/apply/", {**temp_application(), "region": "", "cause": "fire", "requested_amount": "abc"})
    assert response.status_code == 200 and Case.objects.count() == 0
    assert "申请金额“abc”不是数字" in response.content.decode() or "请选择" in response.content.decode()


def test_amount_above_tier_is_refused_on_the_page(users, fund, today):
    case = temp.temp_receive(user=users["clerk_a"], data=temp_application(), today=DAY)
    client = login(users["clerk_a"])
    response = client.post(f"/cases/{case.number}/temp/advance/", {"version": case.version, "amount": "3000"}, follow=True)
    assert "超过乡镇审批额度 1920.00 元" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "received" and not ReserveEntry.objects.filter(kind="draw").exists()


def test_least_privilege(users, fund, today):
    case = temp.temp_receive(user=users["clerk_a"], data=temp_application(), today=DAY)
    other = login(users["clerk_b"])
    assert other.get(f"/cases/{case.number}/").status_code == 404
    assert other.post(f"/cases/{case.number}/temp/advance/", {"amount": "100"}).status_code == 404
    assert other.get("/cases/temp/", {"township": TOWNSHIP_A}).status_code == 404
    assert case.number not in other.get("/cases/temp/advances/").content.decode()
    supervisor = login(users["supervisor"])
    assert supervisor.post(f"/cases/{case.number}/temp/advance/", {"amount": "100"}).status_code == 403
    assert supervisor.get("/cases/temp/apply/").status_code == 403
    helper = login(users["helper_a1"])
    assert helper.post(f"/cases/{case.number}/temp/grant/", {"amount": "100"}).status_code == 403
    assert login(users["finance"]).get("/cases/temp/").status_code == 403
    assert not ReserveEntry.objects.filter(kind="draw").exists()
    # The village helper may receive in their own village only.
    b_case = {**temp_application(region=VILLAGE_B1)}
    response = login(users["helper_a1"]).post("/cases/temp/apply/", b_case)
    assert response.status_code == 200 and Case.objects.count() == 1
    assert VILLAGE_A1.startswith(TOWNSHIP_A)


def test_conference_list_and_export(users, today, register):
    clerk = users["clerk_a"]
    case = temp.temp_receive(
        user=clerk,
        data=temp_application(
            id_number=register["sun"], name="孙七", cause="medical", tier="major", expense="60000", household_income_12m="30000"
        ),
        today=DAY,
    )
    from doudi.cases import services

    case = temp.temp_refer(case=services.case_check(case=case, user=clerk, today=DAY), user=clerk)
    staff = login(users["staff"])
    response = staff.post(
        f"/cases/{case.number}/temp/conference/",
        {
            "version": case.version,
            "held_on": "2026-06-01",
            "attendees": "张三、李四、王五",
            "decision": "同意",
            "agreed": "1",
            "amount": "10000",
        },
        follow=True,
    )
    assert "已登记“一事一议”记录" in response.content.decode()
    rows = sheet(staff.get("/cases/temp/conferences/", {"export": "xlsx"}))
    assert rows[2][1] == case.number and rows[2][4] != register["sun"] and rows[2][8] == "同意"
    assert login(users["clerk_b"]).get("/cases/temp/conferences/").content.decode().count(case.number) == 0


def test_reserve_ledger_links_to_the_case(users, fund, today):
    case = temp.temp_receive(user=users["clerk_a"], data=temp_application(), today=DAY)
    temp.temp_advance(case=case, user=users["clerk_a"], amount="300", today=DAY)
    page = login(users["clerk_a"]).get("/payments/reserve/").content.decode()
    assert f'href="/cases/{case.number}/"' in page
