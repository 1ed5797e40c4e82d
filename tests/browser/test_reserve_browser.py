"""临时救助备用金 in a browser: county staff allocates to a township, its clerk draws for
someone from outside the county, an overdraw is refused with the form kept, and the
clerk of another township does not see the first one's reserve."""

import pytest

from conftest import person_id
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draw(page, amount, name="外地务工人员", id_number=None):
    form = "#reserve-draw-form"
    page.fill(f"{form} [name=on]", "2026-11-20")
    page.fill(f"{form} [name=recipient_name]", name)
    page.fill(f"{form} [name=recipient_id_number]", id_number or person_id("110101", "19900101", 7))
    page.fill(f"{form} [name=amount]", amount)
    page.fill(f"{form} [name=cause]", "突发火灾，住房受损")
    page.check(f"{form} [name=advance]")
    page.click(f"{form} button[type=submit]")


def test_allocate_draw_and_refuse_overdraw(page, live_server, users):
    base = live_server.url
    login(page, base, "staff", "pass-staff")
    page.click("header >> text=临时救助备用金")
    form = "#reserve-allocation-form"
    page.select_option(f"{form} [name=township]", "140521100")
    page.fill(f"{form} [name=on]", "2026-11-01")
    page.fill(f"{form} [name=amount]", "5000")
    page.fill(f"{form} [name=ref]", "沁民发〔2026〕演示号")
    page.click(f"{form} button[type=submit]")
    assert "5000.00" in page.inner_text("#reserve-balances")
    page.click("text=退出")
    page.wait_for_url("**/login/")

    login(page, base, "clerk_a", "pass-clerk_a")
    page.click("header >> text=临时救助备用金")
    _draw(page, "1200")
    balances = page.inner_text("#reserve-balances")
    assert "1200.00" in balances and "3800.00" in balances
    assert "外地务工人员" in page.inner_text("#reserve-entries")

    _draw(page, "4000", name="超额申请人")
    assert "余额" in page.inner_text("#reserve-draw-form .msg.error")
    assert page.input_value("#reserve-draw-form [name=recipient_name]") == "超额申请人"
    assert page.input_value("#reserve-draw-form [name=amount]") == "4000"
    assert "3800.00" in page.inner_text("#reserve-balances")
    assert "超额申请人" not in page.inner_text("#reserve-entries")
    shoot(page, "reserve-overdraw-refused")
    page.click("text=退出")
    page.wait_for_url("**/login/")

    login(page, base, "clerk_b", "pass-clerk_b")
    page.click("header >> text=临时救助备用金")
    assert "龙港镇" not in page.inner_text("#reserve-balances")
    assert "外地务工人员" not in page.content()
