"""Issue 13 items 2–3 in a browser, desktop 1366×900 and phone 390×844: a township clerk's
首页 is a to-do list; the clerk finds a person by the last 6 digits of the ID number with
the header search box; nothing scrolls sideways on the phone."""

import datetime as dt

import pytest

from doudi.payments.tests.conftest import money_county  # noqa: F401 - fixture
from doudi.registry.models import Person
from doudi.workbench.tests.conftest import plant_warning
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_clerk_home_todo_and_search_by_id_tail(browser, live_server, money_county, users, size):
    plant_warning(Person.objects.get(name="户主1"), dt.date(2020, 1, 1), "a")
    number = money_county["H101"]
    context = browser.new_context(locale="zh-CN", viewport=SIZES[size], device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(15000)
    base = live_server.url

    login(page, base, "clerk_a", "pass-clerk_a")
    card = page.locator("#todo a.stat", has_text="已超过核查期限的预警")
    assert card.locator(".n").inner_text() == "1"
    assert "合计" in page.inner_text("#township-counts") and "数据截至" in page.inner_text("#as-of")
    width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    if size == "phone":
        assert page.evaluate("document.querySelector('main h1').getBoundingClientRect().top") < 200  # menu collapsed
    shoot(page, f"{size}-workbench-home")

    page.fill("#site-search-q", number[-6:])
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search/?q=*")
    rows = page.locator("#search-results tbody tr")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "户主1" in text and number[:6] + "********" + number[-4:] in text and number not in page.content()
    width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    shoot(page, f"{size}-workbench-search")
    rows.first.locator("a").first.click()
    page.wait_for_url("**/persons/*/")
    context.close()
