"""批量评估 pages: who may start and view, scoped differences, filters, sorting, export."""

import io

import pytest
from openpyxl import load_workbook

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from doudi.assessment.models import Difference, EvaluationRun
from doudi.assessment.services import evaluation_run
from doudi.core.models import Job, User

URL = "/assessment/evaluations/"


def login(client, name):
    client.force_login(User.objects.get(username=name))
    return client


@pytest.mark.django_db
def test_staff_starts_an_evaluation_job_and_lands_on_its_differences(client, register):
    response = login(client, "staff").post(URL, {"region": COUNTY, "month": "2025-01"})
    job = Job.objects.get(kind="evaluation")
    assert response.status_code == 302 and job.status == "done", job.error
    run = EvaluationRun.objects.get()
    assert job.result["url"] == f"{URL}{run.pk}/"
    html = client.get(job.result["url"]).content.decode()
    assert run.differences.exists() and html.count('class="change-') == run.differences.count()
    listing = client.get(URL).content.decode()
    assert "2025-01" in listing and "沁水县" in listing


@pytest.mark.django_db
def test_bad_month_is_refused_with_input_kept(client, register):
    response = login(client, "staff").post(URL, {"region": COUNTY, "month": "2025-1"})
    assert response.status_code == 400 and "应为 YYYY-MM 格式" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_clerk_views_but_cannot_start_and_sees_only_own_township(client, register):
    run = evaluation_run(month="2025-01", region_code=COUNTY, user=register["admin"])
    html = login(client, "clerk_a").get(URL).content.decode()
    assert 'id="evaluation-form"' not in html
    assert client.post(URL, {"region": TOWNSHIP_A, "month": "2025-01"}).status_code == 403
    html = client.get(f"{URL}{run.pk}/").content.decode()
    assert "H003" not in html  # township B's household
    mine = run.differences.filter(township_code=TOWNSHIP_A).count()
    assert html.count('class="change-') == mine
    assert login(client, "finance").get(URL).status_code == 403


@pytest.mark.django_db
def test_township_run_is_hidden_from_the_other_township(client, register):
    run = evaluation_run(month="2025-01", region_code=TOWNSHIP_A, user=register["admin"])
    assert login(client, "clerk_b").get(f"{URL}{run.pk}/").status_code == 404
    assert login(client, "clerk_a").get(f"{URL}{run.pk}/").status_code == 200


@pytest.mark.django_db
def test_filters_sort_and_export(client, register):
    run = evaluation_run(month="2025-01", region_code=COUNTY, user=register["admin"])
    login(client, "staff")
    for change in ("start", "stop", "change_amount"):
        html = client.get(f"{URL}{run.pk}/", {"change": change}).content.decode()
        assert html.count(f'class="change-{change}"') == run.differences.filter(change=change).count()
        assert html.count('class="change-') == run.differences.filter(change=change).count()
    html = client.get(f"{URL}{run.pk}/", {"township": TOWNSHIP_B, "sort": "-new_amount"}).content.decode()
    assert html.count('class="change-') == run.differences.filter(township_code=TOWNSHIP_B).count()
    response = client.get(f"{URL}{run.pk}/", {"export": "xlsx", "category": "dibao"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    # title, header, the rows, 合计
    assert sheet.cell(2, 1).value == "乡镇" and sheet.max_row - 3 == run.differences.filter(category="dibao").count()
    assert all(sheet.cell(r, 5).value == "低保" for r in range(3, sheet.max_row)) and sheet.cell(sheet.max_row, 1).value == "合计"
    assert Difference.objects.count() == run.differences.count()
