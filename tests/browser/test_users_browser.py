"""Issue 12 B in a browser, at 1366×900 and 390×844: a clerk the county administrator created
signs in with the one-time password and is sent to set their own first; then, on a person's
page, 显示完整号码 asks why — 其他 without a note is refused next to the button (nothing shown,
nothing logged), with a note the number is shown and logged; the supervisor finds it on the
unmask log, filtered by reason."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from doudi.core.models import UnmaskLog
from doudi.core.services_users import user_add
from doudi.registry.models import Person
from doudi.registry.services import registry_import
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
NEW = "Qinshui-Bao-2026"


def _no_sideways_scroll(page):
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_forced_password_then_unmask_with_a_reason(browser, live_server, users, small_registry, size):
    registry_import(paths=[small_registry["folder"]])
    _, password = user_add(
        actor=users["admin"], username="clerk_new", full_name="新经办", role="township_clerk", region_code="140521100"
    )
    zhang = Person.objects.get(name="张三")
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport=PHONE if size == "phone" else DESKTOP, device_scale_factor=1)
    context.set_default_timeout(15000)
    page = context.new_page()

    page.goto(f"{base}/login/")
    page.fill("#id_username", "clerk_new")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{reverse('password_change')}")
    assert "请先设置您自己的新密码" in page.inner_text("#password-forced")
    page.goto(f"{base}{reverse('household_list')}")  # any page leads back here
    page.wait_for_url(f"{base}{reverse('password_change')}?next=*")
    _no_sideways_scroll(page)
    shoot(page, f"{size}-password-forced")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", NEW)
    page.fill("#id_new_password2", NEW)
    page.click("#password-change button[type=submit]")
    page.wait_for_url(f"{base}{reverse('household_list')}")

    page.goto(f"{base}{reverse('person_detail', args=[zhang.pk])}")
    _no_sideways_scroll(page)
    page.select_option("#id_number-reason", "other")
    page.click("#id_number-unmask button[type=submit]")
    page.wait_for_selector("#id_number-unmask-error .msg.error")
    assert "须写明" in page.inner_text("#id_number-unmask-error")
    assert zhang.id_number not in page.content() and not UnmaskLog.objects.exists()
    page.fill("#id_number-note", "信访件核对")
    page.click("#id_number-unmask button[type=submit]")
    page.wait_for_selector("#id-number .unmasked")
    assert page.inner_text("#id-number") == zhang.id_number
    expect(page.locator("#id_number-unmask")).to_be_hidden()  # asking again means a new reason
    log = UnmaskLog.objects.get()
    assert (log.user.username, log.reason, log.note) == ("clerk_new", "other", "信访件核对")
    shoot(page, f"{size}-unmasked-with-reason")
    page.context.clear_cookies()

    login(page, base, "supervisor", "pass-supervisor")
    page.goto(f"{base}{reverse('unmask_log')}?reason=other")
    table = page.inner_text("#unmask-table")
    assert "新经办" in table and "信访件核对" in table and zhang.id_number not in page.content()
    _no_sideways_scroll(page)
    context.close()
