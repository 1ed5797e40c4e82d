"""Issue 16 end to end on a 390×844 phone: a village helper opens today's visits, fills the
附件1 form with both signatures drawn on the screen and a hazard; the draft survives a
reload; the network drops (Playwright's set_offline) and the send is kept on the phone, then
goes out when the network is back. A township clerk on a desktop gives the problem to its
owner and closes it with what was done; coverage and found/solved counts change."""

import pytest
from django.urls import reverse

from doudi.care.models import Problem, Visit
from doudi.care.tests.conftest import care_county  # noqa: F401 - fixture
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OFFLINE = "网络已断开，草稿已保存在本机，恢复网络后自动提交"


def _context(browser, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport, device_scale_factor=1)
    context.set_default_timeout(15000)
    return context, context.new_page()


def _no_sideways_scroll(page):
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width


def _sign(page, selector):
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(selector).bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 30)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 30 + (step % 3) * 20)
    page.mouse.up()


def test_helper_records_visit_offline_and_clerk_closes_problem(browser, live_server, care_county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    context, page = _context(browser, PHONE)
    login(page, base, "helper_a1", "pass-helper_a1")
    page.goto(f"{base}{reverse('care:duties')}")
    _no_sideways_scroll(page)
    assert page.locator("#duty-table tbody tr").count() == 2  # 老张 (特困) and 王户主 (低保), never visited
    assert page.evaluate("() => getComputedStyle(document.querySelector('#duty-table tbody tr')).display") == "flex"
    shoot(page, "phone-care-duties")
    page.click("#duty-table tr:has-text('老张') >> text=登记走访")
    page.wait_for_selector("#visit-form")
    _no_sideways_scroll(page)
    assert page.is_checked("#visit-form input[name=categories][value=tekun]")  # ticked from the register

    page.check("#id_q1_1")
    page.check("#id_q2_0")
    page.check("#id_q3_0")
    page.fill("#id_q3_note", "烟囱堵塞，需清理")
    page.fill("#id_record", "入户查看取暖情况")
    page.reload()  # the draft comes back from localStorage
    assert page.input_value("#id_q3_note") == "烟囱堵塞，需清理" and page.is_checked("#id_q3_0")
    assert "已恢复本机保存的草稿" in page.inner_text("#draft-status")
    page.check("#id_q4_1")
    _sign(page, "[data-signature=visitor_signature] canvas")
    _sign(page, "[data-signature=person_signature] canvas")
    assert page.input_value("#id_person_signature").startswith("data:image/png;base64,")
    shoot(page, "phone-care-visit-form")

    context.set_offline(True)
    page.click("#visit-submit")
    page.wait_for_selector(f"#draft-status:has-text('{OFFLINE}')")
    assert page.evaluate("() => Object.keys(localStorage).some(k => k.startsWith('care-visit-draft:'))")
    assert not Visit.objects.exists()
    shoot(page, "phone-care-offline")
    context.set_offline(False)  # the 'online' event sends the draft
    page.wait_for_url(f"{base}/care/visits/*/")
    visit = Visit.objects.get()
    assert (visit.name, visit.q3, visit.q3_note) == ("老张", True, "烟囱堵塞，需清理")
    assert visit.person_signature.read().startswith(b"\x89PNG")
    assert not page.evaluate("() => Object.keys(localStorage).some(k => k.startsWith('care-visit-draft:'))")
    _no_sideways_scroll(page)  # the printable 附件1 page at 390 px
    assert "困难群众走访排查记录表" in page.inner_text("#paper-form")
    shoot(page, "phone-care-visit-printed")
    context.close()

    problem = Problem.objects.get()
    context, page = _context(browser, DESKTOP)
    login(page, base, "clerk_a", "pass-clerk_a")
    page.goto(f"{base}{reverse('care:coverage')}")
    assert "发现 1 / 解决 0" in page.inner_text("#weekly-table")
    assert page.inner_text("#coverage-table tr[data-village='140521100201'] td >> nth=3") == "1"
    page.goto(f"{base}{reverse('care:problem', args=[problem.pk])}")
    page.select_option("#id_owner", "township")
    page.click("#assign-form button")
    page.click("#solve-form button")  # without what was done the browser does not send it (the server refuses too)
    assert page.evaluate("() => document.querySelector('#id_outcome').validity.valueMissing")
    assert Problem.objects.get().state == "assigned"
    page.fill("#id_outcome", "村委会组织清理烟囱")
    page.click("#solve-form button")
    assert page.inner_text("#problem-state") == "已解决"
    page.goto(f"{base}{reverse('care:coverage')}")
    assert "发现 1 / 解决 1" in page.inner_text("#weekly-table")
    shoot(page, "desktop-care-coverage")
    context.close()
