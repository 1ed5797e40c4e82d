"""临时救助备用金 in a browser, on a desktop (1366×900) and a phone (390×844): county staff
allocates to a township and a second person (staff2) confirms it before the balance moves; the
township's clerk draws for someone from outside the county (待复核), an overdraw is refused with
the form kept, county staff confirms the draw; the clerk of another township does not see the
first one's reserve. Nothing scrolls sideways."""

import pytest

from conftest import person_id
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}


def _as(browser, viewport, base, username):
    context = browser.new_context(locale="zh-CN", viewport=viewport, device_scale_factor=1)
    context.set_default_timeout(15000)
    page = context.new_page()
    login(page, base, username, f"pass-{username}")
    page.goto(f"{base}/payments/reserve/")
    return context, page


def _no_sideways_scroll(page):
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width


def _draw(page, amount, name="外地务工人员", id_number=None):
    form = "#reserve-draw-form"
    page.fill(f"{form} [name=on]", "2026-11-20")
    page.fill(f"{form} [name=recipient_name]", name)
    page.fill(f"{form} [name=recipient_id_number]", id_number or person_id("110101", "19900101", 7))
    page.fill(f"{form} [name=amount]", amount)
    page.fill(f"{form} [name=cause]", "突发火灾，住房受损")
    page.check(f"{form} [name=advance]")
    page.click(f"{form} button[type=submit]")


def _confirm_first_waiting(page):
    page.click("#reserve-waiting .reserve-decide button:has-text('复核通过')")
    page.wait_for_selector(".msg.success")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_allocate_confirm_draw_and_refuse_overdraw(browser, live_server, users, viewport):
    base, opened = live_server.url, []
    try:
        context, page = _as(browser, viewport, base, "staff")
        opened.append(context)
        form = "#reserve-allocation-form"
        page.select_option(f"{form} [name=township]", "140521100")
        page.fill(f"{form} [name=on]", "2026-11-01")
        page.fill(f"{form} [name=amount]", "5000")
        page.fill(f"{form} [name=ref]", "沁民发〔2026〕演示号")
        page.click(f"{form} button[type=submit]")
        assert "待另一人复核后计入余额" in page.inner_text(".msg.success")
        assert page.locator("#reserve-waiting").count() == 0  # the maker is not offered their own entry

        context, page = _as(browser, viewport, base, "staff2")
        opened.append(context)
        assert "待您复核（1 笔）" in page.inner_text("#reserve-waiting")
        _confirm_first_waiting(page)
        assert "5000.00" in page.inner_text("#reserve-balances")
        _no_sideways_scroll(page)

        context, page = _as(browser, viewport, base, "clerk_a")
        opened.append(context)
        _draw(page, "1200")
        assert "待另一人复核" in page.inner_text(".msg.success")
        assert "外地务工人员" in page.inner_text("#reserve-entries") and "待复核" in page.inner_text("#reserve-entries")
        _draw(page, "6000", name="超额申请人")
        assert "余额" in page.inner_text("#reserve-draw-form .msg.error")
        assert page.input_value("#reserve-draw-form [name=recipient_name]") == "超额申请人"
        assert page.input_value("#reserve-draw-form [name=amount]") == "6000"
        assert "超额申请人" not in page.inner_text("#reserve-entries")
        _no_sideways_scroll(page)
        shoot(page, f"reserve-overdraw-refused-{viewport['width']}")

        context, page = _as(browser, viewport, base, "staff")
        opened.append(context)
        _confirm_first_waiting(page)
        balances = page.inner_text("#reserve-balances")
        assert "1200.00" in balances and "3800.00" in balances

        context, page = _as(browser, viewport, base, "clerk_b")
        opened.append(context)
        assert "龙港镇" not in page.inner_text("#reserve-balances")
        assert "外地务工人员" not in page.content()
    finally:
        for context in opened:
            context.close()
