"""Issue #2's browser test: a township clerk finds a household and sees masked IDs;
another township's clerk is refused."""

import pytest
from playwright.sync_api import expect

from doudi.core.models import UnmaskLog
from doudi.registry.services import registry_import
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    return small_registry


def test_clerk_finds_household_sees_masked_id_and_other_clerk_is_refused(page, live_server, county):
    base = live_server.url
    number = county["ids"]["张三"]
    masked = number[:6] + "********" + number[-4:]

    login(page, base, "clerk_a", "pass-clerk_a")
    assert "龙港镇" in page.inner_text("#township-counts")
    page.click("text=家庭台账")
    page.fill("#q", "张三")
    page.click("#household-search button[type=submit]")
    page.wait_for_url("**/households/?q=*")
    rows = page.locator("#household-table tbody tr")
    expect(rows).to_have_count(1)  # waits for the results page instead of racing it
    rows.first.locator("a").click()
    page.wait_for_url(f"{base}/households/H001/")
    members = page.inner_text("#members")
    assert masked in members and number not in page.content()
    shoot(page, "household-masked")

    page.click("#members >> text=张三")
    page.select_option("#id_number-reason", "identity")  # 核对身份: no reason, no number
    page.click("text=显示完整号码")
    page.wait_for_selector(".unmasked")
    assert page.inner_text("#id-number") == number
    assert UnmaskLog.objects.filter(user__username="clerk_a", person_id_number=number).count() == 1

    page.click("text=退出")
    login(page, base, "clerk_b", "pass-clerk_b")
    response = page.goto(f"{base}/households/H001/")
    assert response.status == 404 and "不在您的管辖范围内" in page.inner_text("main")
    page.goto(f"{base}/households/?q=张三")
    assert page.locator("#household-table tbody tr").first.inner_text().strip() == "没有符合条件的家庭。"
    shoot(page, "other-clerk-refused")


def test_wrong_password_is_refused_in_chinese(page, live_server, users):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "clerk_a")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.inner_text("main")
