"""Issue #3's browser tests: a clerk opens 测算 from a household, adds and removes rows
without a reload, changes an income and reads the decision with its 文号."""

import pytest

from doudi.registry.services import registry_import
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    return small_registry


def test_clerk_assesses_a_household_from_the_register(page, live_server, county):
    base = live_server.url
    login(page, base, "clerk_a", "pass-clerk_a")
    page.goto(f"{base}/households/H001/")
    page.click("#assess-link")
    page.wait_for_selector("#assess-form")
    assert page.input_value("#id_members-1-name") == "李四"
    page.fill("#id_month", "2025-01")

    # Rows come and go without a page reload (htmx); the marker survives only if no reload happens.
    page.evaluate("window.__noReload = true")
    page.click("#add-vehicles")
    page.wait_for_selector("#id_vehicles-0-value")
    page.fill("#id_vehicles-0-value", "80000")
    page.click("#add-members")
    page.wait_for_selector("#id_members-2-name")
    page.locator("#members-2 legend button").click()
    assert page.locator("#id_members-2-name").count() == 0
    assert page.evaluate("window.__noReload") is True

    page.click("#assess-submit")
    page.wait_for_selector("#assess-result")
    assert "城乡最低生活保障" in page.inner_text("#refused") and "拥有不予豁免的机动车" in page.inner_text("#refused")

    page.locator("#vehicles-0 button").click()
    page.fill("#id_members-0-income_wage", "2000")
    page.click("#assess-submit")
    page.wait_for_load_state()
    print("DEBUG", page.locator(".field-error, .msg.error").all_inner_texts())
    page.wait_for_selector("#assess-result")
    # H001 already holds dibao: income now above the standard starts the 渐退 (taper) period.
    assert "渐退第 1 / 3 个月" in page.inner_text("#granted")
    assert "本人月收入不低于低保标准，视为有收入来源" in page.inner_text("#refused")
    explain = page.inner_text("#explain")
    assert "农村低保标准" in explain and "沁民发〔2024〕21号（演示）" in explain
    assert page.input_value("#id_members-0-income_wage") == "2000"
    shoot(page, "assess-result")

    page.emulate_media(media="print")
    assert not page.locator("#assess-form").is_visible() and page.locator("#explain").is_visible()


def test_staff_simulates_a_raise_of_the_rural_standard_and_exports(page, live_server, county):
    base = live_server.url
    login(page, base, "staff", "pass-staff")
    page.click("header >> text=政策测算")
    page.fill("#id_month", "2025-02")
    page.select_option("#id_changes-0-parameter", "dibao.standard.rural")
    page.select_option("#id_changes-0-how", "percent")
    page.fill("#id_changes-0-amount", "5")
    page.fill("#id_changes-0-start", "2025-02")
    page.click("#add-changes")
    page.wait_for_selector("#id_changes-1-parameter")
    page.locator("#changes-1 button").click()
    shoot(page, "simulate-form")
    page.click("#simulate-submit")
    page.wait_for_selector("#job-progress[data-status=done]")
    page.click("text=查看结果")
    page.wait_for_selector("#sim-table")
    assert "农村低保标准（元/人·月）：提高 5%" in page.inner_text("#sim-changes")
    table = page.inner_text("#sim-table")
    assert "龙港镇" in table and "合计" in table
    page.wait_for_selector("#sim-chart svg")
    shoot(page, "simulation-result")
    with page.expect_download() as download:
        page.click("#sim-export")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_staff_runs_a_monthly_evaluation_and_filters_differences(page, live_server, county, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    base = live_server.url
    login(page, base, "staff", "pass-staff")
    page.click("header >> text=批量评估")
    page.select_option("#id_region", "140521")
    page.fill("#id_month", "2025-01")
    page.click("#evaluation-submit")
    page.wait_for_selector("#job-progress[data-status=done]")
    page.click("text=查看结果")
    page.wait_for_selector("#differences")
    total = page.locator("#differences tbody tr[class^=change-]").count()
    assert total > 0
    page.select_option("#change", "stop")
    page.click("#difference-filter button[type=submit]")
    page.wait_for_selector("#differences")
    stops = page.locator("#differences tbody tr.change-stop").count()
    assert stops == page.locator("#differences tbody tr[class^=change-]").count() <= total
    shoot(page, "evaluation-differences")
    with page.expect_download() as download:
        page.click("#difference-export")
    assert download.value.suggested_filename.endswith(".xlsx")
