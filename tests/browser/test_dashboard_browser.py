"""The leaders' dashboard in a real browser at desktop (1366×900) and phone (390×844) sizes:
every chart is drawn (ECharts from our own static files), no request leaves 127.0.0.1, and
the page does not scroll sideways."""

from urllib.parse import urlparse

import pytest

from doudi.reports.tests.test_festival import festival_county  # noqa: F401 - fixture
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_dashboard_draws_locally_without_sideways_scroll(browser, live_server, users, festival_county, size):  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.set_default_timeout(20000)
    hosts = []
    page.on("request", lambda request: hosts.append(urlparse(request.url).hostname))
    try:
        base = live_server.url
        login(page, base, "staff", "pass-staff")
        page.goto(f"{base}/reports/dashboard/")
        page.wait_for_selector("#dashboard[data-ready='1']")
        charts = page.locator("[data-chart]")
        assert charts.count() == 8
        for index in range(charts.count()):
            box = charts.nth(index)
            assert box.get_attribute("data-drawn") == "1"
            assert box.locator("canvas").count() >= 1
        assert "数据截至" in page.inner_text("#dashboard-status")
        scroll, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= width, f"horizontal scroll at {size}: {scroll} > {width}"
        shoot(page, f"dashboard-{size[0]}")
        assert set(hosts) <= {"127.0.0.1", "localhost"}, hosts
    finally:
        context.close()
