"""Disaster relief in a browser, on a desktop (1366×900) and a phone (390×844): county staff declares
a disaster event, adds an affected household new to the register (a bad bank account refused first,
the form's data not written), and builds the event's relief run, which shows on the event page with
its due date and links to the payroll run. Nothing scrolls sideways."""

import pytest

from conftest import COUNTY, TOWNSHIP_A, VILLAGE_A2, person_id
from doudi.services.models import Affected
from doudi.services.tests.test_relief import card
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}


def _no_sideways_scroll(page):
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_declare_event_add_household_build_run(browser, live_server, users, viewport):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport=viewport, device_scale_factor=1)
    context.set_default_timeout(15000)
    try:
        page = context.new_page()
        login(page, base, "staff", "pass-staff")
        page.goto(f"{base}/services/relief/")
        form = "#disaster-form"
        page.fill(f"{form} [name=name]", "2026年11月低温雨雪冰冻灾害")
        page.select_option(f"{form} [name=kind]", "freeze")
        page.fill(f"{form} [name=on]", "2026-11-18")
        page.select_option(f"{form} [name=level]", "4")
        page.fill(f"{form} [name=due]", "2027-02-04")
        page.select_option(f"{form} [name=areas]", [TOWNSHIP_A])
        page.click(f"{form} button[type=submit]")
        assert "2027-02-04 前发放到位" in page.inner_text(".msg.success")
        _no_sideways_scroll(page)

        form = "#affected-form"
        page.fill(f"{form} [name=name]", "赵受灾")
        page.fill(f"{form} [name=id_number]", person_id(COUNTY, "19700101", 31))
        page.select_option(f"{form} [name=village]", VILLAGE_A2)
        page.fill(f"{form} [name=bank_account]", "=HYPERLINK(1)")
        page.fill(f"{form} [name=persons]", "3")
        page.select_option(f"{form} [name=house]", "collapsed")
        page.select_option(f"{form} [name=placement]", "away")
        page.check(f"{form} [name=needs][value=heating]")
        page.fill(f"{form} [name=relief_amount]", "1500")
        page.click(f"{form} button[type=submit]")
        assert "银行账号不能以" in page.inner_text(".msg.error")
        assert not Affected.objects.exists()

        page.fill(f"{form} [name=name]", "赵受灾")
        page.fill(f"{form} [name=id_number]", person_id(COUNTY, "19700101", 31))
        page.select_option(f"{form} [name=village]", VILLAGE_A2)
        page.fill(f"{form} [name=bank_account]", card(31))
        page.fill(f"{form} [name=relief_amount]", "1500")
        page.click(f"{form} button[type=submit]")
        assert "已登记受灾户 赵受灾" in page.inner_text(".msg.success")
        assert "赵受灾" in page.inner_text("#affected-table")
        assert person_id(COUNTY, "19700101", 31) not in page.inner_text("#affected-table")  # masked

        page.fill("#relief-run-form [name=period]", "2026-12")
        page.click("#relief-run-form button[type=submit]")
        assert "已生成2026-12救灾资金花名册：1 户，1500.00 元" in page.inner_text(".msg.success")
        runs = page.inner_text("#relief-runs")
        assert "2026-12" in runs and "草稿" in runs and "2027-02-04" in runs
        _no_sideways_scroll(page)
        shoot(page, f"relief-run-built-{viewport['width']}")
        page.click("#relief-runs a:has-text('2026-12')")
        main = page.inner_text("main")
        assert "救灾资金发放（2026年11月低温雨雪冰冻灾害）" in main and "中央自然灾害救灾资金" in main
        assert "（补发）" not in main  # the relief is booked to the event's month, not a back payment
    finally:
        context.close()
