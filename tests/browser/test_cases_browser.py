"""Issue #14's browser test: a township clerk receives an application at the window and
takes it through 核对, 入户调查, 民主评议 (the county holds it) and 公示; after the 公示 the county confirms it and the
benefit starts (desktop). On a phone, the county refuses another case and opens the
printable refusal notice."""

import datetime as dt

import pytest

from doudi.cases import services
from doudi.cases.models import Case
from doudi.cases.tests.conftest import DAY, application, register, today  # noqa: F401 — fixtures
from doudi.registry.models import Benefit
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.click("form.logout button")
    page.wait_for_url("**/login/**")


def test_apply_to_enrolled_desktop_and_refusal_on_phone(page, browser, live_server, register, today, users, monkeypatch):  # noqa: F811
    from doudi.cases import clock

    real = clock.value
    monkeypatch.setattr(clock, "value", lambda name, *a: True if name == "cases.democratic_review" else real(name, *a))
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, base, "clerk_a", "pass-clerk_a")
    page.goto(f"{base}/cases/apply/")
    page.select_option("#id_category", "dibao")
    page.fill("#id_id_number", register["sun"])
    page.fill("#id_name", "孙七")
    page.select_option("#id_region", "140521100201")
    page.fill("#id_reason", "无固定收入，生活困难")
    page.click("#apply-form button[type=submit]")
    assert "剩余 30 个工作日" in page.inner_text("#case-clock")
    page.click("#form-check button[type=submit]")
    assert "符合城乡最低生活保障条件" in page.inner_text("#rules-check")
    page.fill("#notes", "入户查看：一人居住，无务工收入")
    page.click("#form-survey button[type=submit]")
    assert page.locator("#form-publicize").count() == 0  # 民主评议 first
    page.fill("#participants", "9")
    page.select_option("#result", "agree")
    page.fill("#minutes", "村民代表 7 人、村“两委”2 人参加，一致同意")
    page.click("#form-deliberate button[type=submit]")
    assert page.inner_text("#case-state") == "已民主评议" and "一致同意" in page.inner_text("#deliberations")
    page.click("#form-publicize button[type=submit]")
    assert page.inner_text("#case-state") == "公示中"
    shoot(page, "case-publicity-desktop")
    number = Case.objects.get().number
    _logout(page)

    today(DAY + dt.timedelta(days=10))  # the 7 days of 公示 are over
    login(page, base, "staff", "pass-staff")
    page.click("text=案件工作台")
    page.click("#case-tabs >> text=待我办理")
    page.click(f"#case-table >> text={number}")
    page.click("#form-approve button[type=submit]")
    assert page.inner_text("#case-state") == "已纳入保障"
    assert Benefit.objects.get(household__code="H010", category="dibao").since == dt.date(2026, 7, 1)
    shoot(page, "case-enrolled-desktop")

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    refused = services.case_receive(user=users["clerk_a"], data=application(register["zhao"], name="赵六"), today=DAY)
    services.case_check(case=refused, user=users["clerk_a"], today=DAY)
    login(phone, base, "staff", "pass-staff")
    phone.goto(f"{base}/cases/{refused.number}/")
    phone.fill("#refuse-reason", "家庭拥有两辆小汽车，财产状况不符合低保条件")
    phone.click("#form-refuse button[type=submit]")
    assert phone.inner_text("#case-state") == "不予保障"
    phone.click("text=打印不予保障告知书")
    assert "家庭拥有两辆小汽车" in phone.inner_text("#refusal-reasons")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(phone, "case-refusal-notice-phone")
    phone.context.close()
