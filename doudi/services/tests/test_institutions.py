"""Institutions: the record, residents from the register, inspection findings tracked to
fixed (refused without a fix note or date, nothing changed), the 应急预案 PDF checked by its
bytes and served through the scoped view, and the duty roster."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from doudi.services import institutions
from doudi.services.common import ServiceError
from doudi.services.models import Finding, FindingStep, Institution, Resident
from doudi.services.tests.conftest import PDF_BYTES, PNG_BYTES, TOWNSHIP_A, institution_data

pytestmark = pytest.mark.django_db


def test_create_through_the_page_and_bad_input_refused(client, users):
    client.force_login(users["clerk_a"])
    response = client.post(reverse("services:institution_new"), institution_data())
    institution = Institution.objects.get()
    assert response.status_code == 302 and institution.winter_beds == 5 and institution.get_heating_display() == "燃煤取暖"
    for bad, message in (
        (institution_data(name="另一院", nursing_beds="50"), "护理型床位（50）不能多于床位总数（40）"),
        (institution_data(name="另一院", beds="-3"), "床位总数应为 0 至"),
        (institution_data(name="另一院", phone="=cmd"), "联系电话"),
        (institution_data(name="另一院", kind="zoo"), "请选择机构类型"),
        (institution_data(), "已有名为「龙港镇敬老院」的机构"),
    ):
        response = client.post(reverse("services:institution_new"), bad)
        assert response.status_code == 400 and message in response.content.decode(), message
    assert Institution.objects.count() == 1
    # A township clerk cannot put an institution in another township.
    with pytest.raises(ServiceError, match="不在您的管辖范围内"):
        institutions.institution_save(user=users["clerk_a"], data=institution_data(name="外镇", region="140521101"))


def test_residents_from_the_register(users, people, homes):
    clerk = users["clerk_a"]
    resident = institutions.resident_add(
        user=clerk, institution=homes["a"], data={"id_number": people["a"].id_number, "since": "2024-11-01"}
    )
    assert resident.person == people["a"]
    with pytest.raises(ServiceError, match="已入住龙港镇敬老院"):
        institutions.resident_add(
            user=clerk, institution=homes["a"], data={"id_number": people["a"].id_number, "since": "2024-11-02"}
        )
    with pytest.raises(ServiceError, match="台账中没有该身份证号的人员"):  # another township's person: not probed
        institutions.resident_add(
            user=clerk, institution=homes["a"], data={"id_number": people["b"].id_number, "since": "2024-11-01"}
        )
    with pytest.raises(ServiceError, match="身份证号无效"):
        institutions.resident_add(user=clerk, institution=homes["a"], data={"id_number": "123", "since": "2024-11-01"})
    with pytest.raises(ServiceError, match="离开日期不能早于入住日期"):
        institutions.resident_leave(user=clerk, resident=resident, data={"until": "2024-10-01"})
    institutions.resident_leave(user=clerk, resident=resident, data={"until": "2025-01-10"})
    assert Resident.objects.get().until == dt.date(2025, 1, 10)


def test_finding_goes_to_fixed_only_with_note_and_date(client, users, homes):
    clerk = users["clerk_a"]
    client.force_login(clerk)
    client.post(
        reverse("services:inspection_add", args=[homes["a"].pk]),
        {"kind": "festival", "on": "2025-01-06", "inspectors": "县民政局 张三、李四"},
    )
    inspection = homes["a"].inspections.get()
    client.post(
        reverse("services:finding_add", args=[homes["a"].pk, inspection.pk]),
        {"area": "gas", "description": "3号房煤炉烟囱堵塞，无一氧化碳报警器", "due": "2025-01-10"},
    )
    finding = Finding.objects.get()
    assert finding.state == "open" and finding.region_code == TOWNSHIP_A
    url = reverse("services:finding_fix", args=[finding.pk])
    for post, message in (
        ({"fix_note": "  ", "fixed_on": "2025-01-08"}, "请填写整改情况"),
        ({"fix_note": "已清理烟囱", "fixed_on": ""}, "请填写整改完成日期"),
        ({"fix_note": "已清理烟囱", "fixed_on": "2025-01-01"}, "不能早于发现隐患的检查日期"),
        ({"fix_note": "已清理烟囱", "fixed_on": "2099-01-01"}, "不能晚于今天"),
    ):
        response = client.post(url, post, follow=True)
        assert message in response.content.decode(), message
        finding.refresh_from_db()
        assert finding.state == "open" and finding.fix_note == "" and finding.version == 1
    client.post(url, {"fix_note": "已清理烟囱，安装一氧化碳报警器", "fixed_on": "2025-01-08", "version": "1"})
    finding.refresh_from_db()
    assert finding.state == "fixed" and finding.fixed_on == dt.date(2025, 1, 8)
    assert list(FindingStep.objects.filter(finding=finding).values_list("to_state", flat=True)) == ["open", "fixed"]
    with pytest.raises(ServiceError, match="已整改"):  # fixed twice: the workflow refuses
        institutions.finding_fix(user=clerk, finding=Finding.objects.get(), note="再次", fixed_on="2025-01-09")
    page = client.get(reverse("services:findings") + "?state=fixed").content.decode()
    assert "已清理烟囱" in page


def test_plan_pdf_by_magic_bytes_served_scoped(client, users, homes):
    client.force_login(users["clerk_a"])
    url = reverse("services:plan_upload", args=[homes["a"].pk])
    fake = SimpleUploadedFile("预案.pdf", PNG_BYTES, content_type="application/pdf")
    response = client.post(url, {"title": "消防应急预案", "file": fake}, follow=True)
    assert "不是 PDF 文件" in response.content.decode() and not homes["a"].plans.exists()
    empty = SimpleUploadedFile("预案.pdf", b"", content_type="application/pdf")
    assert "空文件" in client.post(url, {"title": "x", "file": empty}, follow=True).content.decode()
    client.post(url, {"title": "消防应急预案", "file": SimpleUploadedFile("p.exe", PDF_BYTES)})
    plan = homes["a"].plans.get()
    assert not plan.file.name.endswith(".exe")
    response = client.get(reverse("services:plan", args=[homes["a"].pk, plan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff" and b"".join(response.streaming_content) == PDF_BYTES
    client.force_login(users["clerk_b"])
    assert client.get(reverse("services:plan", args=[homes["a"].pk, plan.pk])).status_code == 404
    # Another institution's id with this plan's id: 404 too.
    assert client.get(reverse("services:plan", args=[homes["b"].pk, plan.pk])).status_code == 404


def test_duty_roster(client, users, homes):
    clerk = users["clerk_a"]
    institutions.duty_add(
        user=clerk,
        institution=homes["a"],
        data={"on": "2025-01-28", "post": "leader", "person": "王院长", "phone": "13800000002"},
    )
    with pytest.raises(ServiceError, match="值班电话"):
        institutions.duty_add(
            user=clerk, institution=homes["a"], data={"on": "2025-01-29", "post": "duty", "person": "小李", "phone": "abc"}
        )
    with pytest.raises(ServiceError, match="已登记"):
        institutions.duty_add(
            user=clerk,
            institution=homes["a"],
            data={"on": "2025-01-28", "post": "leader", "person": "王院长", "phone": "13800000002"},
        )
    client.force_login(users["staff"])
    page = client.get(reverse("services:duties") + "?start=2025-01-01&end=2025-02-28").content.decode()
    assert "王院长" in page and "带班领导" in page
    response = client.get(reverse("services:duties") + "?export=xlsx")
    assert response.status_code == 200
