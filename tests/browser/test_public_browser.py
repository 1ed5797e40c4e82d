"""Issue #14 item 6 in a browser. Phone (390×844): apply online with a draft that survives a
reload, then the number and deadline, the draft gone; track it. Desktop (1366×900): the
policy calculator and a village's printable 公示 list. No page scrolls sideways, and no
script is refused by the Content-Security-Policy."""

import pytest

from doudi.cases.models import Case
from doudi.public.tests.conftest import application, publicized, register, today  # noqa: F401 — fixtures
from tests.browser.conftest import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _csp_errors(page) -> list:
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def test_apply_with_draft_on_phone_then_calculator_and_publicity_on_desktop(browser, live_server, register, users, today):  # noqa: F811
    base = live_server.url
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    errors = _csp_errors(phone)
    phone.goto(f"{base}/public/apply/")
    phone.select_option("#id_category", "dibao")
    phone.fill("#id_name", "孙七")
    phone.fill("#id_id_number", register["sun"])
    phone.fill("#id_phone", "13800000000")
    phone.select_option("#id_region", "140521100201")
    phone.fill("#id_reason", "无固定收入，生活困难")
    phone.reload()  # the draft survives
    assert phone.input_value("#id_name") == "孙七" and phone.input_value("#id_region") == "140521100201"
    assert phone.input_value("#id_reason") == "无固定收入，生活困难"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.check("#id_promise")
    shoot(phone, "public-apply-phone")
    phone.click("#apply-form button[type=submit]")
    number = Case.objects.get().number
    assert number in phone.inner_text("#applied-number")
    assert Case.objects.get().due.isoformat() in phone.inner_text("#applied-deadline")
    assert phone.evaluate("window.localStorage.getItem('doudi-draft:public-apply')") is None
    phone.goto(f"{base}/public/track/")
    phone.fill("#id_number", number)
    phone.fill("#id_id_number", register["sun"])
    phone.click("#track-form button[type=submit]")
    assert "已受理，待核对" in phone.inner_text("#track-state")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(phone, "public-track-phone")
    assert not errors, errors
    phone.context.close()

    publicized(users["clerk_b"], application(register["zhou"], name="周八", region="140521101201"))
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    errors = _csp_errors(desk)
    desk.goto(f"{base}/public/calculator/")
    desk.select_option("#id_region", "140521100201")
    desk.fill("#id_elderly", "1")
    desk.click("#calc-form button[type=submit]")
    assert "特困人员救助供养" in desk.inner_text("#calc-benefits") and "估算" in desk.inner_text("#calc-estimate-note")
    shoot(desk, "public-calculator-desktop")
    desk.goto(f"{base}/public/publicity/")
    desk.click("#publicity-villages >> text=查看公示名单")
    assert "周*" in desk.inner_text("#publicity-list") and "周八" not in desk.content()
    desk.emulate_media(media="print")
    assert desk.is_hidden("header.top") and desk.is_visible("#publicity-list")
    shoot(desk, "public-publicity-print")
    assert desk.evaluate("document.documentElement.scrollWidth") <= 1366
    assert not errors, errors
    desk.context.close()
