"""Issue #5's browser test: county staff builds and checks a monthly payroll, finance
approves it, staff sends it, downloads the 一卡通 bank file, imports a return file with two failures and
sees them re-issued in next month's run."""

import csv
import io

import pytest

from doudi.payments.models import PayrollRun, RunTransition
from doudi.payments.tests.conftest import money_county  # noqa: F401 - fixture
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _sync_jobs(settings):
    settings.DOUDI_JOBS_SYNC = True


def _logout(page):
    page.click("text=退出")
    page.wait_for_url("**/login/")


def _build_and_open(page, period):
    """Builds the period's 低保 payroll from the payroll page and opens the run."""
    page.click("header >> text=发放花名册")
    page.fill("#id_period", period)
    page.select_option("#id_category", "dibao")
    page.click("#build-form button[type=submit]")
    page.wait_for_selector("#job-progress[data-status=done]")
    assert "生成 1 个花名册" in page.inner_text("#job-progress")
    page.click("text=查看结果")
    page.click("#run-table tbody tr >> nth=0 >> a")


def test_build_check_approve_export(page, live_server, money_county):
    base = live_server.url
    login(page, base, "staff", "pass-staff")
    _build_and_open(page, "2025-01")
    assert page.inner_text("#total-people") == "11" and "3350.00" in page.inner_text("#total-amount")
    assert "龙港镇" in page.inner_text("#control-totals")
    shoot(page, "payroll-draft")
    # Maker-checker: the builder is told a second person checks; staff2 does.
    assert "须由另一人复核" in page.inner_text("#second-person") and page.locator("#do-check").count() == 0
    run_url = page.url
    _logout(page)

    login(page, base, "staff2", "pass-staff2")
    page.goto(run_url)
    page.click("#do-check")
    assert page.inner_text("#run-state") == "已复核"
    _logout(page)

    login(page, base, "finance", "pass-finance")
    page.goto(run_url)
    page.click("#do-approve")
    assert page.inner_text("#run-state") == "财政已审批"
    _logout(page)

    login(page, base, "staff", "pass-staff")
    page.goto(run_url)
    page.click("#do-send")
    assert page.inner_text("#run-state") == "已报送银行"
    with page.expect_download() as info:
        page.click(".bank-file >> nth=0")
    content = open(info.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == 6 and rows[0]["收款人"] == "户主1" and rows[0]["金额"] == "510.00"
    shoot(page, "payroll-sent")
    run = PayrollRun.objects.get(item="dibao")
    assert list(RunTransition.objects.filter(run=run).values_list("to_state", flat=True)) == [
        "draft",
        "checked",
        "approved",
        "sent",
    ]

    # The bank answers: two failures. They show on the run and are re-issued next month.
    answer = io.StringIO()
    writer = csv.writer(answer)
    writer.writerow(["流水号", "处理结果", "失败原因"])
    for index, row in enumerate(rows):
        writer.writerow([row["流水号"], "失败" if index < 2 else "成功", "账户已销户" if index < 2 else ""])
    page.select_option("#id_layout", "generic")
    page.set_input_files(
        "#id_file", files=[{"name": "回盘.csv", "mimeType": "text/csv", "buffer": answer.getvalue().encode("utf-8")}]
    )
    page.click("#return-form button[type=submit]")
    assert page.inner_text("#run-state") == "已对账"
    assert page.locator("text=账户已销户").count() == 2
    shoot(page, "payroll-returned")

    _build_and_open(page, "2025-02")
    assert page.locator("text=（补发）").count() == 2
    shoot(page, "payroll-reissued")
