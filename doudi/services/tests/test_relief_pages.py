"""Disaster relief pages: every new URL refused to a village helper, finance and an uploader (403);
another township's clerk gets a 404 for township A's household and cannot act on it; the county's
forms write through the services (a refusal shows in Chinese, nothing written); ID numbers masked
on the pages and in the export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from doudi.services import relief
from doudi.services.models import Affected, Disaster, ReliefVisit
from doudi.services.tests.test_relief import event, new_household  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def affected(users, event):  # noqa: F811
    return relief.affected_add(user=users["clerk_a"], disaster=event, data=new_household())


def _urls(event, a):  # noqa: F811
    gets = [
        reverse("services:relief"),
        reverse("services:relief_away"),
        reverse("services:disaster", args=[event.pk]),
        reverse("services:affected", args=[a.pk]),
    ]
    posts = [
        reverse("services:disaster_new"),
        reverse("services:affected_new", args=[event.pk]),
        reverse("services:affected_import", args=[event.pk]),
        reverse("services:relief_run_new", args=[event.pk]),
        *[reverse("services:affected_act", args=[a.pk, act]) for act in ("update", "rent", "refer", "visit")],
    ]
    return gets, posts


@pytest.mark.parametrize("who", ["helper_a1", "finance", "uploader"])
def test_lesser_roles_refused_everywhere(client, users, event, affected, who):  # noqa: F811
    client.force_login(users[who])
    gets, posts = _urls(event, affected)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, {"reason": "x", "on": "2026-12-01", "note": "x"}).status_code == 403, url
    assert Affected.objects.count() == 1 and not ReliefVisit.objects.exists()


def test_other_township_sees_nothing_of_township_a(client, users, event, affected):  # noqa: F811
    client.force_login(users["clerk_b"])
    assert client.get(reverse("services:affected", args=[affected.pk])).status_code == 404
    for act in ("update", "rent", "refer", "visit"):
        url = reverse("services:affected_act", args=[affected.pk, act])
        assert client.post(url, {"reason": "x", "on": "2026-12-01", "note": "x", "relief_amount": "9"}).status_code == 404
    page = client.get(reverse("services:disaster", args=[event.pk])).content.decode()
    assert affected.name not in page  # the event is theirs too (an area), the household is not
    assert client.post(reverse("services:disaster_new"), {"name": "x"}).status_code == 403  # the county declares
    assert client.post(reverse("services:relief_run_new", args=[event.pk]), {"period": "2026-12"}).status_code == 403
    assert affected.name not in client.get(reverse("services:relief_away")).content.decode()
    affected.refresh_from_db()
    assert affected.relief_amount == 1500 and affected.case is None


def test_county_declares_and_pages_mask_ids(client, users, event, affected):  # noqa: F811
    client.force_login(users["staff"])
    response = client.post(
        reverse("services:disaster_new"),
        {"name": "风雹灾害", "kind": "hail", "on": "2026-11-01", "level": "none", "due": "2027-02-04", "areas": ["140521100"]},
    )
    assert response.status_code == 302 and Disaster.objects.filter(name="风雹灾害").exists()
    page = client.get(reverse("services:disaster", args=[event.pk])).content.decode()
    assert affected.name in page and affected.id_number not in page and affected.id_number[:6] in page
    assert ">中央自然灾害救灾资金<" in page  # funds by their Chinese names
    household = client.get(reverse("services:affected", args=[affected.pk])).content.decode()
    assert affected.id_number not in household and affected.bank_account not in household
    export = client.get(reverse("services:disaster", args=[event.pk]) + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert affected.name in cells and affected.id_number not in cells


def test_forms_refuse_in_chinese_nothing_written(client, users, event, affected):  # noqa: F811
    client.force_login(users["clerk_a"])
    response = client.post(
        reverse("services:affected_new", args=[event.pk]), new_household(bank_account="=1+1", id_number="x"), follow=True
    )
    assert "身份证号无效" in response.content.decode()
    response = client.post(reverse("services:affected_new", args=[event.pk]), new_household(), follow=True)
    assert "不能重复登记" in response.content.decode()
    upload = SimpleUploadedFile("名单.csv", "户主姓名,身份证号\n张三,123\n".encode("gb18030"))
    response = client.post(reverse("services:affected_import", args=[event.pk]), {"file": upload}, follow=True)
    assert "第2行" in response.content.decode() and "什么也没有写入" in response.content.decode()
    assert Affected.objects.count() == 1
    response = client.post(
        reverse("services:affected_act", args=[affected.pk, "visit"]), {"on": "2026-12-01", "note": "已走访"}, follow=True
    )
    assert "已登记走访" in response.content.decode() and ReliefVisit.objects.count() == 1
