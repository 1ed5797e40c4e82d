"""Issue 13 items 4–5 in a browser, at 1366×900 and 390×844: print of a 130-row list holds
130 rows (not the 50 on screen), with title, unit, date and 制表人; and a county admin and a
township clerk walking every page of the main menu meet no developer words (rule codes,
parameter keys, model codes) and no server file paths."""

import datetime as dt

import pytest
from django.urls import reverse

from conftest import VILLAGE_A2
from doudi.monitoring.models import ComparisonRun, Warning
from doudi.monitoring.rules import RULES
from doudi.payments.payroll import payroll_build
from doudi.payments.tests.conftest import money_county  # noqa: F401 - fixture
from doudi.registry.models import Benefit, Household, Person
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
DEVELOPER_WORDS = ("/work/", "doudi/", ".yaml", "fund_shares", "dibao_", "compare.", "overpayment", "Traceback")
# The county admin's 参数管理 names the parameter files it edits and, until one is set, the
# server folder setting (its own tests ask for them): an administrator's page, not a clerk's.
FILE_NAMES_ALLOWED = ("/assessment/parameters/",)


@pytest.fixture
def county(money_county, users, settings):
    settings.DOUDI_JOBS_SYNC = True
    payroll_build(period="2025-01", category="dibao")
    head = Person.objects.get(name="户主1")
    run = ComparisonRun.objects.create(as_of=dt.date(2025, 1, 31), engine="duckdb")
    Warning.objects.create(
        rule=next(iter(RULES)),
        person=head,
        household=head.household,
        region_code=head.household.region_id,
        township_code=head.household.region_id[:9],
        level="red",
        fingerprint="f1",
        deadline=dt.date(2025, 2, 20),
        first_run=run,
        last_run=run,
    )
    missing = 130 - Household.objects.filter(region_id=VILLAGE_A2).count()
    for i in range(missing):  # 西关村 then holds 130 households
        household = Household.objects.create(code=f"W{i:04d}", region_id=VILLAGE_A2, hukou="rural", address=f"西关{i}号")
        Benefit.objects.create(household=household, category="dibao", since=dt.date(2024, 1, 1), monthly_amount=300 + i)
    return money_county


def _context(browser, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport, device_scale_factor=1)
    context.set_default_timeout(15000)
    return context, context.new_page()


def _menu_urls(page, base) -> list[str]:
    hrefs = page.eval_on_selector_all("#site-menu nav a", "links => links.map(a => a.getAttribute('href'))")
    return sorted({h for h in hrefs if h and h.startswith("/") and not h.startswith("/logout")})


def _words_on(page) -> list[str]:
    text = page.evaluate("() => document.body.innerText")
    allowed = page.url.split("?")[0].endswith(FILE_NAMES_ALLOWED)
    return [w for w in DEVELOPER_WORDS if w in text and not (allowed and w in (".yaml", "doudi/"))]


def _print_whole_list(page, base, size: str):
    page.goto(f"{base}{reverse('household_list')}?region={VILLAGE_A2}")
    assert "共 130 户" in page.inner_text("main")
    assert page.locator("#household-table tbody tr").count() == 50  # one screen of the list
    page.click("#print-list")
    page.wait_for_selector("#print-head")
    assert page.locator("#household-table tbody tr").count() == 130
    head = page.inner_text("#print-head")
    for word in ("家庭台账", "单位：户", "西关村", f"截至：{dt.date.today().isoformat()}", "制表人：", "共 130 户"):
        assert word in head, (word, head)
    assert page.locator(".pager").count() == 0 and page.is_visible("#do-print")
    page.emulate_media(media="print")  # what the printer gets: the rows, not the buttons
    assert page.locator("#household-table tbody tr:visible").count() == 130 and page.is_hidden("#do-print")
    page.emulate_media(media="screen")
    shoot(page, f"{size}-households-print")


@pytest.mark.parametrize("viewport,size", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_print_holds_the_whole_list_and_no_developer_words(browser, live_server, county, viewport, size):
    base = live_server.url
    found: dict[str, list[str]] = {}
    for username in ("admin", "clerk_a"):
        context, page = _context(browser, viewport)
        login(page, base, username, f"pass-{username}")
        if username == "admin":
            _print_whole_list(page, base, size)
            page.goto(f"{base}/")
        urls = _menu_urls(page, base)
        assert len(urls) >= 8, urls
        for url in urls:
            response = page.goto(f"{base}{url}")
            assert response.status < 500, (username, url)
            words = _words_on(page)
            if words:
                found[f"{username} {url}"] = words
        if username == "admin":  # 开始比对 is the county's: the engine is its setting, rules by their names
            page.goto(f"{base}{reverse('compare_start')}")
            assert page.is_visible("#id_engine") and "deceased" not in page.inner_text("main")
        context.close()
    assert not found, found
