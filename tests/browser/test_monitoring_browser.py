"""Issue #4's browser test for warnings: county staff run the comparison from the web and
watch it finish; a township clerk sees the warnings, checks and confirms one (the benefit
is stopped) and dismisses another with a reason."""

import datetime as dt

import pytest

from doudi.datasets.services import dataset_import
from doudi.monitoring.models import Warning
from doudi.monitoring.tests.conftest import AS_OF, DATASETS, EXPECTED, _registry, write_dataset
from doudi.registry.models import Benefit
from doudi.registry.services import registry_import
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def planted_county(tmp_path, settings, users):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    settings.DOUDI_JOBS_SYNC = True
    registry_import(paths=[_registry(tmp_path / "reg")])
    for kind, rows in DATASETS.items():
        dataset_import(kind=kind, path=write_dataset(tmp_path / "ds", kind, rows), as_of=AS_OF)
    photo = tmp_path / "门前.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    return photo


def _logout(page):
    page.click("form.logout button")
    page.wait_for_url("**/login/**")


def test_staff_runs_comparison_and_clerk_confirms_and_dismisses(page, live_server, planted_county):
    base = live_server.url
    login(page, base, "staff", "pass-staff")
    page.click("text=数据比对")
    page.fill("#id_as_of", AS_OF.isoformat())
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("#job-progress[data-status=done]")
    assert f"新增预警 {len(EXPECTED)} 条" in page.inner_text("#job-progress")
    shoot(page, "compare-job-done")
    page.click("text=查看结果")
    summary = page.inner_text("#township-summary")
    assert "龙港镇" in summary and "中村镇" in summary
    _logout(page)

    login(page, base, "clerk_a", "pass-clerk_a")
    page.click("text=预警处理")
    table = page.inner_text("#warning-table")
    assert "张三" in table and "郑一" not in table  # 郑一 lives in the other township
    page.click("#warning-table >> text=张三")
    assert "死亡日期" in page.inner_text("#warning-facts")
    page.fill("#id_visited_on", dt.date.today().isoformat())
    page.fill("#id_notes", "入户核查：邻居和村委证实张三已于1月去世")
    page.set_input_files("#id_photos", str(planted_county))
    page.click("#visit-form button[type=submit]")
    assert "已登记入户核查" in page.inner_text("main")
    page.select_option("#id_outcome", "stop")
    page.fill("#id_reason", "户主死亡，停发低保，追回多发金额")
    page.check("#confirm-form input[name=benefits]")
    page.fill("#id_stop_on", "2025-06-30")
    page.click("#confirm-form button[type=submit]")
    assert "预警已确认并办结" in page.inner_text("main")
    assert "已确认" in page.inner_text("#warning-status")
    shoot(page, "warning-confirmed")
    assert Benefit.objects.get(household__code="H001", category="dibao").until == dt.date(2025, 6, 30)

    page.click("text=预警处理")
    page.click("#warning-table tr[data-rule=real_estate] a >> nth=0")
    page.click("#dismiss-form button[type=submit]")  # no reason: refused
    assert "排除预警必须填写原因" in page.inner_text("main")
    page.fill("#id_dismiss_reason", "第二套房屋已拆迁，有拆迁协议")
    page.click("#dismiss-form button[type=submit]")
    assert "预警已排除" in page.inner_text("main")
    assert Warning.objects.get(rule="real_estate").status == "dismissed"
    shoot(page, "warning-dismissed")
