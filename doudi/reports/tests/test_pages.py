"""The pages: each figure links to the list behind it (masked ID numbers), the .xlsx
downloads, submission over HTTP; least privilege — a township clerk sees only their own
township, a region outside the scope is a 404, helpers and uploaders are refused (403)."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from doudi.reports.models import ReportVersion
from doudi.reports.tests.conftest import EXPECTED, WEEK

pytestmark = pytest.mark.django_db


def _table(region=COUNTY):
    return reverse("reports:table", args=[WEEK, region])


def _drill(unit, figure, region=COUNTY):
    return reverse("reports:drill", args=[WEEK, region, unit, figure])


def test_table_links_every_figure_to_its_list(client, winter_county, users):
    client.force_login(users["staff"])
    page = client.get(_table()).content.decode()
    for figure in ("dibao", "tekun", "elderly", "children", "other", "assist_times", "amount", "inkind_times", "found", "solved"):
        assert f'href="{_drill(TOWNSHIP_A, figure)}"' in page and f'href="{_drill(COUNTY, figure)}"' in page
    persons = client.get(_drill(TOWNSHIP_A, "dibao")).content.decode()
    assert 'id="drill-count">3<' in persons and "老张" in persons
    number = winter_county["老张"].id_number
    assert number not in persons and number[:6] in persons  # masked as on every page
    draws = client.get(_drill(TOWNSHIP_A, "amount")).content.decode()
    assert 'id="drill-count">2<' in draws and "1500.50" in draws
    found = client.get(_drill(COUNTY, "found")).content.decode()
    assert f'id="drill-count">{EXPECTED[TOWNSHIP_A]["found"] + EXPECTED[TOWNSHIP_B]["found"]}<' in found
    assert "本周发放的御寒物资" in client.get(_drill(COUNTY, "inkind_times")).content.decode()


def test_download_and_submit_over_http(client, winter_county, users):
    client.force_login(users["clerk_a"])
    response = client.get(_table(TOWNSHIP_A) + "?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A6"].value == "龙港镇" and sheet["B6"].value == EXPECTED[TOWNSHIP_A]["dibao"]
    response = client.post(reverse("reports:submit", args=[WEEK, TOWNSHIP_A]), {"filler": "李经办", "phone": "13800000000"})
    assert response.status_code == 302 and ReportVersion.objects.get().submitted_by == users["clerk_a"]
    page = client.get(response["Location"]).content.decode()
    assert "第 1 版" in page and 'id="frozen-note"' in page
    refused = client.post(reverse("reports:submit", args=[WEEK, TOWNSHIP_A]), {"filler": "李经办", "phone": "1"})
    assert refused.status_code == 400 and "更正须写明原因" in refused.content.decode()


def test_clerk_sees_only_own_township(client, winter_county, users):
    client.force_login(users["clerk_a"])
    assert client.get(_table(TOWNSHIP_A)).status_code == 200
    for url in (
        _table(COUNTY),
        _table(TOWNSHIP_B),
        _table(COUNTY) + "?export=xlsx",
        _drill(TOWNSHIP_B, "dibao", TOWNSHIP_B),
        _drill(TOWNSHIP_B, "dibao", TOWNSHIP_A),
        reverse("reports:index") + f"?region={COUNTY}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("reports:submit", args=[WEEK, COUNTY]), {"filler": "x", "phone": "1"}).status_code == 404
    index = client.get(reverse("reports:index")).content.decode()
    assert "龙港镇" in index and 'id="units-status"' not in index


def test_lesser_roles_refused(client, winter_county, users):
    for name in ("helper_a1", "uploader", "finance"):
        client.force_login(users[name])
        assert client.get(reverse("reports:index")).status_code == 403
        assert client.get(_table(TOWNSHIP_A)).status_code == 403
    client.force_login(users["supervisor"])
    assert client.get(_table()).status_code == 200
    assert client.post(reverse("reports:submit", args=[WEEK, COUNTY]), {"filler": "x", "phone": "1"}).status_code == 403


def test_bad_period_on_the_page(client, winter_county, users):
    client.force_login(users["staff"])
    response = client.get(reverse("reports:table", args=["2025-W60", COUNTY]))
    assert response.status_code == 400 and "不存在" in response.content.decode()


def test_calendar_shows_overdue_to_the_county(client, winter_county, users):
    client.force_login(users["staff"])
    page = client.get(reverse("reports:index")).content.decode()
    assert 'id="calendar"' in page and "逾期未报" in page and 'id="units-status"' in page
