"""督办任务 in a real browser at desktop (1366×900) and phone (390×844) sizes: the county assigns
a task, the township reports it done with a photo (a file picked in the form), the county closes
it; the home to-do reminds the township of it; no sideways scroll."""

import datetime as dt

import pytest

from conftest import TOWNSHIP_A
from doudi.care.tests.conftest import PNG_BYTES
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways(page, size):
    scroll, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= width, f"horizontal scroll at {size}: {scroll} > {width}"


@pytest.mark.parametrize("size", [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_task_assigned_reported_with_a_photo_and_closed(browser, live_server, users, settings, tmp_path, size):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "排查现场.png"
    photo.write_bytes(PNG_BYTES)
    context = browser.new_context(locale="zh-CN", viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        base = live_server.url
        login(page, base, "staff", "pass-staff")
        page.goto(f"{base}/reports/supervision/tasks/")
        page.select_option("#unit", TOWNSHIP_A)
        page.fill("#description", "排查独居老人取暖设施")
        page.fill("#deadline", dt.date.today().isoformat())
        page.click("#task-form button[type=submit]")
        page.wait_for_selector("#finding-state[data-state='open']")
        task_url = page.url
        _no_sideways(page, size)
        context.clear_cookies()
        login(page, base, "clerk_a", "pass-clerk_a")
        page.goto(f"{base}/")
        assert "即将到期的督导整改和督办任务" in page.inner_text("body")
        page.goto(task_url)
        page.fill("#evidence", "已排查完毕")
        page.set_input_files("#report-files", str(photo))
        page.click("#report-form button[type=submit]")
        page.wait_for_selector("#finding-state[data-state='reported']")
        assert "排查现场.png" in page.inner_text("#finding-files")
        shoot(page, f"task-{size[0]}")
        _no_sideways(page, size)
        context.clear_cookies()
        login(page, base, "staff", "pass-staff")
        page.goto(task_url)
        page.click("#close-form button[type=submit]")
        page.wait_for_selector("#finding-state[data-state='closed']")
    finally:
        context.close()
