"""Issue #4's browser test for 部门数据报送: an uploader uploads a department file, sees
the preview with a row error, confirms, and finds the import with its problem rows."""

import pytest

from conftest import COUNTY, person_id
from doudi.datasets.models import DatasetImport
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def death_file(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    path = tmp_path / "死亡人员.csv"
    path.write_text(
        "身份证号,姓名,死亡日期\n"
        f"{person_id(COUNTY, '19500312', 1)},张三,2024-05-01\n"
        f"{person_id(COUNTY, '19451111', 21)[:6]}{person_id(COUNTY, '19451111', 21)[8:17]},赵六,2024-06-01\n"
        f"{person_id(COUNTY, '19520101', 2)},李四,六月\n",
        encoding="utf-8",
    )
    return path


def test_uploader_previews_a_row_error_and_confirms(page, live_server, users, death_file):
    base = live_server.url
    login(page, base, "uploader", "pass-uploader")
    page.click("#my-uploads-all" if page.locator("#my-uploads-all").count() else "text=全部报送记录")
    page.click("#dataset-upload-link")
    page.select_option("#kind", "death")
    page.fill("#as_of", "2024-12-31")
    page.set_input_files("#file", str(death_file))
    page.click("#dataset-upload-form button[type=submit]")
    page.wait_for_selector("#dataset-summary")
    assert "接收 2 行，拒收 1 行" in page.inner_text("#dataset-summary")
    issues = page.inner_text("#dataset-issues")
    assert "死亡日期" in issues and "应为日期" in issues and "不接收" in issues
    assert DatasetImport.objects.count() == 0
    shoot(page, "dataset-preview")

    page.click("#confirm-dataset")
    page.wait_for_selector("#dataset-record")
    assert "死亡人员 第1版" in page.inner_text("h1")
    record = DatasetImport.objects.get()
    assert (record.rows, record.rejected, record.legacy_ids, record.channel) == (2, 1, 1, "web")
    assert "应为日期" in page.inner_text("#issue-table")
    shoot(page, "dataset-imported")

    page.click("text=返回报送记录")
    assert "死亡人员" in page.inner_text("#dataset-table")
