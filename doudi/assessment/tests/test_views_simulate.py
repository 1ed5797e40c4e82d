"""The 政策测算 page: who may use it, what the form refuses, which jobs a user sees."""

import pytest

from conftest import COUNTY
from doudi.core.models import Job, User

URL = "/assessment/simulate/"


def login(client, name):
    client.force_login(User.objects.get(username=name))
    return client


def form_data(**changes):
    data = {
        "region": COUNTY,
        "month": "2025-02",
        "changes-TOTAL_FORMS": "1",
        "changes-INITIAL_FORMS": "0",
        "changes-0-parameter": "dibao.standard.rural",
        "changes-0-how": "percent",
        "changes-0-amount": "5",
        "changes-0-start": "2025-02",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_only_county_roles_may_simulate(client, users):
    for name in ("clerk_a", "helper_a1", "finance", "supervisor"):
        assert login(client, name).get(URL).status_code == 403, name
    html = login(client, "staff").get(URL).content.decode()
    assert "政策测算" in html and ">农村低保标准（元/人·月）</option>" in html and "（dibao.standard.rural）" not in html
    assert 'value="140521"' in html


@pytest.mark.django_db
def test_bad_changes_are_refused_and_input_kept(client, users):
    data = form_data(
        **{
            "changes-0-amount": "-100",
            "month": "2025-13",
            "changes-TOTAL_FORMS": "2",
            "changes-1-parameter": "dibao.taper.months",
            "changes-1-how": "value",
            "changes-1-amount": "2.5",
            "changes-1-start": "2025-02",
        }
    )
    response = login(client, "staff").post(URL, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "下调幅度不能达到或超过 100%" in html
        and "应为 YYYY-MM 格式" in html
        and "低保渐退期（月，0为不实行渐退）应为整数" in html
    )
    assert 'value="2.5"' in html and 'value="-100"' in html
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_no_change_and_foreign_region_are_refused(client, users):
    data = form_data(**{"changes-TOTAL_FORMS": "1"})
    for key in [k for k in data if k.startswith("changes-0-")]:
        del data[key]
    html = login(client, "staff").post(URL, data).content.decode()
    assert "请至少填写一项参数调整" in html
    html = client.post(URL, form_data(region="500240")).content.decode()
    assert "所选区划不在您的管辖范围内" in html and not Job.objects.exists()


@pytest.mark.django_db
def test_results_of_other_counties_jobs_are_hidden(client, users):
    from doudi.core.models import Region

    Region.objects.create(code="500240", name="石柱县", level="county", parent=None)
    other = User.objects.create(username="cq", role="county_staff", region_id="500240")
    job = Job.objects.create(kind="simulation", label="石柱县 测算", target="x:y", created_by=other, status="done")
    assert login(client, "staff").get(f"{URL}{job.pk}/").status_code == 404
    assert "石柱县 测算" not in client.get(URL).content.decode()


@pytest.mark.django_db
def test_row_endpoint_adds_a_change_row(client, users):
    html = login(client, "staff").get(f"{URL}row/", {"changes-TOTAL_FORMS": "1", "month": "2025-03"}).content.decode()
    assert 'name="changes-1-parameter"' in html and 'value="2025-03"' in html and 'value="2"' in html


@pytest.mark.django_db
def test_result_page_shows_table_totals_and_chart_data(client, users):
    rows = [
        {
            "township": "140521100",
            "township_name": "龙港镇",
            "category": "dibao",
            "persons_before": 10,
            "persons_after": 12,
            "entering": 3,
            "leaving": 1,
            "budget_before": "4900.00",
            "budget_after": "6120.50",
        },
        {
            "township": "140521101",
            "township_name": "中村镇",
            "category": "dibao",
            "persons_before": 5,
            "persons_after": 5,
            "entering": 0,
            "leaving": 0,
            "budget_before": "2000.00",
            "budget_after": "2100.00",
        },
        {
            "township": "140521101",
            "township_name": "中村镇",
            "category": "tekun",
            "persons_before": 2,
            "persons_after": 2,
            "entering": 0,
            "leaving": 0,
            "budget_before": "2560.00",
            "budget_after": "2688.00",
        },
    ]
    job = Job.objects.create(
        kind="simulation",
        label="沁水县 2025-02 政策测算",
        target="x:y",
        created_by=users["staff"],
        status="done",
        params={
            "region_code": COUNTY,
            "month": "2025-02",
            "changes": [{"parameter": "dibao.standard.rural", "from": "2025-02-01", "value": None, "percent": "5"}],
        },
        result={"rows": rows},
    )
    html = login(client, "admin").get(f"{URL}{job.pk}/").content.decode()
    assert "农村低保标准（元/人·月）：提高 5%，自 2025-02-01 起" in html
    table = html[html.index('id="sim-table"') :]
    assert "龙港镇" in table and "特困" in table
    total = table[table.index('class="total"') :]
    assert ">17<" in total and ">19<" in total and ">9460.00<" in total and ">10908.50<" in total and ">1448.50<" in total
    assert '"labels": ["\\u9f99\\u6e2f\\u9547", "\\u4e2d\\u6751\\u9547"]' in html and "4788.0" in html


@pytest.mark.django_db
def test_start_runs_the_simulation_job_and_the_result_exports(client, users, small_registry):
    from doudi.registry.services import registry_import

    registry_import(paths=[small_registry["folder"]])
    response = login(client, "staff").post(
        URL, form_data(month="2025-01", **{"changes-0-start": "2025-01", "changes-0-amount": "60"})
    )
    job = Job.objects.get(kind="simulation")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done", job.error
    assert job.params["changes"] == [{"parameter": "dibao.standard.rural", "from": "2025-01-01", "value": None, "percent": "60"}]
    assert job.result["url"] == f"{URL}{job.pk}/" and "调整后" in job.result["summary"]
    html = client.get(job.result["url"]).content.decode()
    assert "龙港镇" in html and "提高 60%" in html
    assert job.result["totals"]["budget_after"] != job.result["totals"]["budget_before"]
    export = client.get(job.result["url"], {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats") and b"".join(export.streaming_content)[:2] == b"PK"
    login(client, "clerk_a")
    assert client.get(job.result["url"]).status_code == 403


def test_simulation_limited_to_chosen_categories(client, register):
    data = form_data(month="2025-01", **{"changes-0-start": "2025-01", "changes-0-amount": "60"})
    login(client, "staff").post(URL, data)
    login(client, "staff").post(URL, {**data, "categories": ["tekun"]})
    full, only = Job.objects.filter(kind="simulation").order_by("pk")
    assert only.status == "done", only.error
    assert only.params["categories"] == ["tekun"]
    assert {row["category"] for row in full.result["rows"]} > {"tekun"}
    assert only.result["rows"] == [row for row in full.result["rows"] if row["category"] == "tekun"]
    response = client.post(URL, {**data, "categories": ["no_such"]})
    assert response.status_code == 400 and "未知的保障类别" in response.content.decode()
    assert Job.objects.count() == 2
