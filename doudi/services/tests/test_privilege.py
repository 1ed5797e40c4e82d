"""Least privilege on every URL: another township's clerk gets a 404 for the records of
township A (and cannot act on them), a lesser role (village helper, finance, uploader) a
403 on every page, the supervisor reads but cannot write; ID numbers are masked on the pages
and in the exports."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from doudi.services import goods, hotline, institutions
from doudi.services.models import Finding
from doudi.services.tests.conftest import PDF_BYTES, TOWNSHIP_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(users, people, homes):
    clerk = users["clerk_a"]
    home = homes["a"]
    resident = institutions.resident_add(
        user=clerk, institution=home, data={"id_number": people["a"].id_number, "since": "2024-11-01"}
    )
    inspection = institutions.inspection_add(
        user=clerk, institution=home, data={"kind": "festival", "on": "2025-01-06", "inspectors": "张三"}
    )
    finding = institutions.finding_add(user=clerk, inspection=inspection, data={"area": "fire", "description": "灭火器过期"})
    plan = institutions.plan_upload(user=clerk, institution=home, upload=SimpleUploadedFile("p.pdf", PDF_BYTES), title="预案")
    order = hotline.order_create(
        user=clerk,
        data={
            "kind": "help",
            "channel": "hotline",
            "caller_name": "刘老汉",
            "caller_id_number": people["a"].id_number,
            "township": TOWNSHIP_A,
            "need": f"身份证 {people['a'].id_number} 求助",
        },
    )
    goods.goods_receive(
        user=clerk, data={"township": TOWNSHIP_A, "kind": "stove", "quantity": "3", "on": "2026-11-30", "source": "采购"}
    )
    goods.goods_issue(
        user=clerk,
        data={"township": TOWNSHIP_A, "kind": "stove", "quantity": "1", "on": "2026-11-30", "id_number": people["a"].id_number},
    )
    return {
        "home": home,
        "resident": resident,
        "inspection": inspection,
        "finding": finding,
        "plan": plan,
        "order": order,
        "person": people["a"],
    }


def _detail_urls(r):
    pk = r["home"].pk
    return [
        reverse("services:institution", args=[pk]),
        reverse("services:institution_edit", args=[pk]),
        reverse("services:plan", args=[pk, r["plan"].pk]),
        reverse("services:order", args=[r["order"].pk]),
    ]


def _post_urls(r):
    pk = r["home"].pk
    return [
        reverse("services:resident_add", args=[pk]),
        reverse("services:resident_leave", args=[pk, r["resident"].pk]),
        reverse("services:inspection_add", args=[pk]),
        reverse("services:finding_add", args=[pk, r["inspection"].pk]),
        reverse("services:plan_upload", args=[pk]),
        reverse("services:duty_add", args=[pk]),
        reverse("services:finding_fix", args=[r["finding"].pk]),
        reverse("services:order_act", args=[r["order"].pk, "answer"]),
        reverse("services:order_case", args=[r["order"].pk]),
    ]


LISTS = [
    "services:institutions",
    "services:residents",
    "services:findings",
    "services:duties",
    "services:orders",
    "services:order_times",
    "services:goods",
    "services:goods_entries",
    "services:goods_weekly",
]


def test_other_township_gets_404(client, records, users):
    client.force_login(users["clerk_b"])
    for url in _detail_urls(records):
        assert client.get(url).status_code == 404, url
    for url in _post_urls(records):
        assert client.post(url, {"fix_note": "x", "fixed_on": "2025-01-08", "answer": "x"}).status_code == 404, url
    for name in LISTS:
        text = client.get(reverse(name)).content.decode()
        assert "刘老汉" not in text and "龙港镇敬老院" not in text, name
    assert Finding.objects.get().state == "open"
    # Goods of township A cannot be moved by township B either.
    response = client.post(
        reverse("services:goods_issue"),
        {"township": TOWNSHIP_A, "kind": "stove", "quantity": "1", "on": "2026-11-30", "id_number": records["person"].id_number},
        follow=True,
    )
    assert "不在您的管辖范围内" in response.content.decode()
    client.force_login(users["clerk_a"])
    assert all(client.get(url).status_code == 200 for url in _detail_urls(records))


def test_lesser_roles_get_403(client, records, users):
    for name in ("helper_a1", "finance", "uploader"):
        client.force_login(users[name])
        for url in (
            [reverse(n) for n in LISTS]
            + _detail_urls(records)
            + [reverse("services:institution_new"), reverse("services:order_new")]
        ):
            assert client.get(url).status_code == 403, (name, url)
        for url in _post_urls(records) + [reverse("services:goods_receive"), reverse("services:goods_issue")]:
            assert client.post(url, {}).status_code == 403, (name, url)
    client.force_login(users["supervisor"])  # reads everything, writes nothing
    for url in [reverse(n) for n in LISTS] + _detail_urls(records)[:1]:
        assert client.get(url).status_code == 200, url
    for url in _post_urls(records) + [reverse("services:institution_new"), reverse("services:order_new")]:
        assert client.post(url, {}).status_code == 403, url


def test_id_numbers_masked_on_pages_and_exports(client, records, users):
    number = records["person"].id_number
    client.force_login(users["clerk_a"])
    pages = [
        reverse("services:institution", args=[records["home"].pk]),
        reverse("services:order", args=[records["order"].pk]),
        reverse("services:residents"),
        reverse("services:orders"),
        reverse("services:goods_entries"),
    ]
    for url in pages:
        text = client.get(url).content.decode()
        assert number not in text and number[:6] in text, url
    for name in ("services:residents", "services:orders", "services:goods_entries"):
        response = client.get(reverse(name) + "?export=xlsx&state=all")
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        assert not any(number in c for c in cells), name
        assert any(c.startswith(number[:6]) and "*" in c for c in cells), name
    # A full export needs a role that may unmask and a reason; the helper may not.
    assert client.get(reverse("services:residents") + "?export=xlsx&unmasked=1").status_code == 400
    client.force_login(users["supervisor"])
    assert client.get(reverse("services:orders") + "?export=xlsx&unmasked=1&reason=核查").status_code == 403
