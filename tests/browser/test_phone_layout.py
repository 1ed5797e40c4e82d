"""Issue 13 item 1, phone-first layout (docs/design.md §1.7): on a 390×844 phone the menu is
behind one 菜单 button, lists are cards, nothing scrolls sideways; on a 1366×900 desktop
the whole menu, grouped by task, shows. A county admin and a village helper."""

import datetime as dt

import pytest
from django.urls import reverse

from doudi.monitoring.models import ComparisonRun, Warning
from doudi.monitoring.rules import RULES
from doudi.payments.payroll import payroll_build
from doudi.payments.tests.conftest import money_county  # noqa: F401 - fixture
from doudi.registry.models import Person
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
MEASURE = """() => {
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const heading = document.querySelector('main h1');
  const rows = [...document.querySelectorAll('main table tbody tr')].filter(visible);
  const cells = [...document.querySelectorAll('main td[data-label]')].filter(visible);
  const buttons = [...document.querySelectorAll('main button, main .btn, header button')].filter(visible);
  return {
    scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
    headingTop: heading.getBoundingClientRect().top + window.scrollY,
    rows: rows.length, tallestRow: Math.max(0, ...rows.map(r => r.getBoundingClientRect().height)),
    listRows: rows.filter(r => r.closest('table.cards')).length,
    cardRows: rows.filter(r => r.closest('table.cards') && getComputedStyle(r).display === 'flex').length,
    narrowCells: cells.filter(c => c.clientWidth < parseFloat(getComputedStyle(c, '::before').width)).length,
    wrappedButtons: buttons.filter(b => {  // taller than one line of text: the label wrapped
      const s = getComputedStyle(b), line = parseFloat(s.lineHeight) || 1.6 * parseFloat(s.fontSize);
      return b.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom) > 1.5 * line;
    }).map(b => b.textContent.trim()),
  };
}"""


@pytest.fixture
def county(money_county, users, settings):
    settings.DOUDI_JOBS_SYNC = True
    payroll_build(period="2025-01", category="dibao")
    head = Person.objects.get(name="户主1")  # H101, in the helper's village
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
    return money_county


def _context(browser, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport, device_scale_factor=1)
    context.set_default_timeout(15000)
    return context, context.new_page()


def _check_phone_page(page, name, *, cards=True):
    m = page.evaluate(MEASURE)
    assert m["scrollWidth"] <= m["innerWidth"], (name, m)  # nothing scrolls sideways
    assert m["headingTop"] < 200, (name, m)  # the menu is collapsed
    assert m["tallestRow"] <= PHONE["height"], (name, m)
    assert not m["wrappedButtons"] and not m["narrowCells"], (name, m)
    if cards:
        assert m["listRows"] and m["cardRows"] == m["listRows"], (name, m)  # every list row is a card
    return m


def test_admin_on_desktop_and_phone(browser, live_server, county):
    base = live_server.url
    context, page = _context(browser, DESKTOP)
    login(page, base, "admin", "pass-admin")
    assert page.is_hidden("#site-menu > summary")
    for group in ("台账", "认定", "资金", "比对预警", "系统"):
        assert page.is_visible(f"#site-menu .menu-group-label:text-is('{group}')"), group
    page.click("header >> text=发放花名册")
    assert "3,350.00" in page.inner_text("#run-table")  # money with thousands separators
    assert page.get_attribute("#site-menu a:text-is('发放花名册')", "aria-current") == "page"
    shoot(page, "desktop-payroll")
    page.goto(f"{base}/households/")
    assert page.locator("#household-table tbody tr").count() == 8
    shoot(page, "desktop-households")
    context.close()

    context, page = _context(browser, PHONE)
    login(page, base, "admin", "pass-admin")
    _check_phone_page(page, "home", cards=False)
    assert page.is_visible("#site-menu > summary") and page.is_hidden("#site-menu >> text=发放花名册")
    page.click("#site-menu > summary")  # the 菜单 button opens the grouped menu
    assert page.is_visible("#site-menu >> text=发放花名册") and page.is_visible("#site-menu >> text=家庭台账")
    shoot(page, "phone-menu")
    page.click("#site-menu >> text=家庭台账")
    page.wait_for_url(f"{base}/households/")
    assert page.is_hidden("#site-menu >> text=发放花名册")  # closed again on the next page
    m = _check_phone_page(page, "households")
    assert m["rows"] == 8 and m["tallestRow"] < 300, m
    shoot(page, "phone-households")
    page.goto(f"{base}{reverse('payroll_list')}")
    _check_phone_page(page, "payroll-runs")
    assert "3,350.00" in page.inner_text("#run-table")
    page.click("#run-table tbody tr >> nth=0 >> a")
    _check_phone_page(page, "payroll-run")
    assert page.locator("#control-totals tbody tr").count() >= 1
    shoot(page, "phone-payroll-run")
    context.close()


def test_village_helper_on_phone_and_desktop(browser, live_server, county):
    base = live_server.url
    context, page = _context(browser, PHONE)
    login(page, base, "helper_a1", "pass-helper_a1")
    _check_phone_page(page, "helper-home", cards=False)
    page.click("#site-menu > summary")
    assert page.is_visible("#site-menu >> text=预警处理")
    page.keyboard.press("Escape")  # site.js: Esc closes the menu
    assert page.is_hidden("#site-menu >> text=预警处理")
    page.goto(f"{base}/households/")
    m = _check_phone_page(page, "helper-households")
    assert m["rows"] == 4, m  # H101, H103, H201, H301 in 东关村
    page.goto(f"{base}{reverse('warning_list')}")
    _check_phone_page(page, "helper-warnings")
    shoot(page, "phone-warnings")
    context.close()

    context, page = _context(browser, DESKTOP)
    login(page, base, "helper_a1", "pass-helper_a1")
    labels = page.locator("#site-menu .menu-group-label").all_inner_texts()
    assert labels == ["台账", "认定", "比对预警"], labels
    assert page.is_visible("header >> text=预警处理") and page.is_hidden("#site-menu > summary")
    context.close()


def test_money_and_menu_groups():
    from doudi.core.navigation import menu_groups
    from doudi.core.templatetags.layout import money

    assert [money(v) for v in (1234567.5, "1234567.5", 0, None, "-1234.565", "—")] == [
        "1,234,567.50",
        "1,234,567.50",
        "0.00",
        "",
        "-1,234.57",
        "—",
    ]
    entries = [
        {"label": "首页", "url": "/", "group": ""},
        {"label": "预警处理", "url": "/warnings/", "group": "比对预警"},
        {"label": "家庭台账", "url": "/households/", "group": "台账"},
    ]
    menu = menu_groups(entries, "/households/H001/")
    assert [g["label"] for g in menu["groups"]] == ["台账", "比对预警"] and [e["label"] for e in menu["top"]] == ["首页"]
    assert menu["groups"][0]["current"] and menu["groups"][0]["entries"][0]["current"] and not menu["top"][0]["current"]
