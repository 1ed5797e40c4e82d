"""Issue 17 first slice in a browser. Desktop (1366×900): a township clerk fixes an
institution's inspection finding (refused first without a fix note), turns a hotline call
into a 临时救助 case, answers and closes the work order. Phone (390×844): the work-order list,
the institution page and the goods page fit the screen, lists as cards."""

import pytest
from django.urls import reverse

from doudi.cases.models import Case
from doudi.services import hotline, institutions
from doudi.services.models import Finding, WorkOrder
from doudi.services.tests.conftest import TOWNSHIP_A, VILLAGE_A1, homes, people  # noqa: F401 - fixtures
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}


def _context(browser, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport, device_scale_factor=1)
    context.set_default_timeout(15000)
    return context, context.new_page()


def _no_sideways_scroll(page):
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width


def test_finding_fixed_call_becomes_case_and_order_closes(browser, live_server, users, people, homes):  # noqa: F811
    clerk = users["clerk_a"]
    inspection = institutions.inspection_add(
        user=clerk, institution=homes["a"], data={"kind": "festival", "on": "2026-11-20", "inspectors": "县民政局"}
    )
    institutions.finding_add(user=clerk, inspection=inspection, data={"area": "gas", "description": "煤炉烟囱堵塞"})
    order = hotline.order_create(
        user=clerk,
        data={
            "kind": "help",
            "channel": "hotline",
            "caller_name": "刘老汉",
            "township": TOWNSHIP_A,
            "need": "家中断煤，屋里很冷",
        },
    )
    base = live_server.url
    context, page = _context(browser, DESKTOP)
    login(page, base, "clerk_a", "pass-clerk_a")
    page.goto(f"{base}{reverse('services:institution', args=[homes['a'].pk])}")
    page.click(".fix-form button[type=submit]")  # no fix note: refused, still open
    assert "请填写整改情况" in page.inner_text(".msg.error")
    page.fill(".fix-form input[name=fix_note]", "已清理烟囱，加装一氧化碳报警器")
    page.click(".fix-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    assert "已整改" in page.inner_text(f"#inspection-{inspection.pk}")
    assert Finding.objects.get().state == "fixed"

    page.goto(f"{base}{reverse('services:order', args=[order.pk])}")
    page.fill("#case-id", people["a"].id_number)
    page.select_option("#case-village", VILLAGE_A1)
    page.click("#case-form button[type=submit]")
    page.wait_for_selector("#order-case")
    case = Case.objects.get()
    assert case.channel == "hotline" and case.number in page.inner_text("#order-case")
    page.fill("#answer", f"已受理临时救助申请 {case.number}")
    page.click("#answer-form button[type=submit]")
    page.wait_for_selector("#close-form")
    page.click("#close-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    assert "已办结" in page.inner_text("#order-state")
    order.refresh_from_db()
    assert order.state == WorkOrder.State.CLOSED and order.answered_at and order.closed_at
    page.goto(f"{base}{reverse('services:order_times')}")
    assert "龙港镇" in page.inner_text("#times-table")
    shoot(page, "desktop-services-times")
    context.close()

    context, page = _context(browser, PHONE)
    login(page, base, "clerk_a", "pass-clerk_a")
    for url in (
        reverse("services:orders") + "?state=all",
        reverse("services:institution", args=[homes["a"].pk]),
        reverse("services:goods"),
    ):
        page.goto(f"{base}{url}")
        _no_sideways_scroll(page)
    page.goto(f"{base}{reverse('services:orders')}?state=all")
    assert page.evaluate("() => getComputedStyle(document.querySelector('#order-table tbody tr')).display") == "flex"
    shoot(page, "phone-services-orders")
    context.close()
