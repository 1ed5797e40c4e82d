"""照料服务协议 (issue 16 item 5): sign with a signed copy checked by its bytes, end before start
refused with the typed form kept, replacement of a carer with a reason (history kept), the
expiring and missing lists, 政府购买服务 with provider and hours, least privilege."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import COUNTY, person_id
from doudi.care import agreements
from doudi.care.models import CareAgreement
from doudi.core.models import AuditEntry
from doudi.core.roles import Role
from doudi.core.services import user_create

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
CARER_ID = person_id(COUNTY, "19800101", 21)


def pdf(name="协议.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def today():
    return timezone.localdate()


def form(**changes):
    data = {
        "kind": "carer",
        "carer_name": "张侄子",
        "carer_id_number": CARER_ID,
        "carer_phone": "13900000000",
        "carer_relation": "侄子",
        "duties": "日常起居、做饭洗衣、就医陪护",
        "starts_on": (today() - dt.timedelta(days=300)).isoformat(),
        "ends_on": (today() + dt.timedelta(days=20)).isoformat(),
        "signed_copy": pdf(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def table(client, url):
    """The list's table only (a flash message above it may name the person too)."""
    return client.get(url).content.decode().split('id="agreement-table"')[1]


def sign(client, person, **changes):
    return client.post(reverse("care:agreement_new", args=[person.pk]), form(**changes))


def test_clerk_signs_agreement_listed_as_expiring_then_missing_goes(client, care_county, users):
    zhang = care_county["老张"]
    client.force_login(users["clerk_a"])
    missing = client.get(reverse("care:agreements") + "?tab=missing").content.decode()
    assert "老张" in missing and zhang.id_number not in missing
    response = sign(client, zhang)
    agreement = CareAgreement.objects.get()
    assert response.status_code == 302 and response.url == reverse("care:agreement", args=[agreement.pk])
    assert (agreement.carer_id_number, agreement.signed_copy_type, agreement.region_code) == (
        CARER_ID,
        "application/pdf",
        zhang.household.region_id,
    )
    assert AuditEntry.objects.filter(entity_key=zhang.id_number, changes__has_key="照料服务协议").exists()
    assert "老张" not in table(client, reverse("care:agreements") + "?tab=missing")
    # Ends in 20 days: inside the default 30-day reminder, outside a 10-day one.
    expiring = client.get(reverse("care:agreements")).content.decode()
    assert "张侄子" in expiring and "30 天" in expiring
    assert "张侄子" not in table(client, reverse("care:agreements") + "?days=10")
    detail = client.get(reverse("care:agreement", args=[agreement.pk])).content.decode()
    assert CARER_ID not in detail and agreements.idnumber.mask(CARER_ID) in detail and "有效" in detail
    copy = client.get(reverse("care:agreement_copy", args=[agreement.pk]))
    assert copy.status_code == 200 and copy["Content-Type"] == "application/pdf" and b"".join(copy.streaming_content) == PDF
    # A renewal (starting after the current term) takes it off the expiring list.
    start = agreement.ends_on + dt.timedelta(days=1)
    assert (
        sign(
            client, zhang, starts_on=start.isoformat(), ends_on=(start + dt.timedelta(days=365)).isoformat(), carer_name="张二侄"
        ).status_code
        == 302
    )
    assert "张侄子" not in table(client, reverse("care:agreements"))


def test_reminder_data_for_the_home_page(care_county, users):
    clerk = users["clerk_a"]
    items = {i["label"]: i["count"] for i in agreements.reminders(clerk, today())}
    assert items["缺少有效照料服务协议的分散供养特困人员"] == 1
    assert agreements.reminders(users["helper_a1"], today()) == []


def test_provider_agreement_with_hours(client, care_county, users):
    client.force_login(users["clerk_a"])
    response = sign(
        client,
        care_county["老张"],
        kind="provider",
        carer_name="",
        carer_id_number="",
        carer_phone="",
        carer_relation="",
        provider="县夕阳红居家养老服务中心",
        hours_per_month="40",
        signed_copy=SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
    )
    assert response.status_code == 302
    agreement = CareAgreement.objects.get()
    assert (agreement.provider, str(agreement.hours_per_month), agreement.signed_copy_type) == (
        "县夕阳红居家养老服务中心",
        "40.0",
        "image/png",
    )
    assert "每月 40.0 小时" in client.get(reverse("care:agreements") + "?tab=current").content.decode()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"ends_on": "2020-01-01", "starts_on": "2020-02-01"}, "协议终止日期不能早于开始日期"),
        ({"ends_on": ""}, "请填写协议终止日期"),
        ({"signed_copy": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")}, "不是 JPEG、PNG 图片或 PDF 文件"),
        ({"signed_copy": None}, "请上传签字的协议"),
        ({"carer_id_number": "140521198001010000"}, "照料人身份证号不正确"),
        ({"carer_relation": ""}, "个人照料须填写照料人姓名和与特困人员的关系"),
        ({"duties": ""}, "请填写照料内容"),
        ({"carer_phone": "abc"}, "联系电话「abc」格式不对"),
        ({"kind": "provider", "provider": "某中心", "hours_per_month": "-3"}, "每月服务时长应大于 0"),
        ({"kind": "provider", "provider": "", "hours_per_month": "3"}, "政府购买服务须填写服务机构"),
    ],
)
def test_bad_agreement_refused_form_kept_nothing_saved(client, care_county, users, changes, message):
    client.force_login(users["clerk_a"])
    response = sign(client, care_county["老张"], **changes)
    text = response.content.decode()
    assert response.status_code == 400 and message in text, text[:3000]
    assert 'value="日常起居' in text or "日常起居" in text  # what was typed is kept
    assert not CareAgreement.objects.exists()


def test_only_dispersed_tekun_and_no_overlap(client, care_county, users):
    client.force_login(users["clerk_a"])
    assert "只有分散供养特困人员需要签订照料服务协议" in sign(client, care_county["王户主"]).content.decode()
    assert sign(client, care_county["老张"]).status_code == 302
    response = sign(client, care_county["老张"], carer_name="另一人")
    assert response.status_code == 400 and "请用“更换照料人”" in response.content.decode()
    assert CareAgreement.objects.count() == 1


def test_replacing_a_carer_ends_the_old_agreement_with_reason(client, care_county, users):
    client.force_login(users["clerk_a"])
    sign(client, care_county["老张"])
    old = CareAgreement.objects.get()
    url = reverse("care:agreement_replace", args=[old.pk])
    data = form(
        carer_name="李邻居",
        carer_relation="邻居",
        carer_id_number=person_id(COUNTY, "19750505", 31),
        replace_on=today().isoformat(),
        end_reason="",
        starts_on=None,
    )
    response = client.post(url, data)
    assert response.status_code == 400 and "请选择更换照料人的原因" in response.content.decode()
    data.update(end_reason="other", end_note="", signed_copy=pdf())
    assert "原因为“其他”时请写明情况" in client.post(url, data).content.decode()
    data.update(end_reason="illness", end_note="照料人住院", signed_copy=pdf())
    response = client.post(url, data)
    assert response.status_code == 302
    old.refresh_from_db()
    new = CareAgreement.objects.exclude(pk=old.pk).get()
    assert old.ended_on == today() and old.end_reason == "illness" and old.replaced_by == new
    assert new.starts_on == today() and new.carer_name == "李邻居" and new.valid_on(today()) and not old.valid_on(today())
    history = client.get(reverse("care:agreement", args=[new.pk])).content.decode()
    assert "张侄子" in history and "已更换" in history and "照料人患病" in history
    assert AuditEntry.objects.filter(reason__startswith="更换照料人：照料人患病").exists()
    # An ended agreement cannot be replaced again.
    assert client.post(url, {**data, "signed_copy": pdf()}).status_code == 400


def test_least_privilege(client, care_county, users):
    client.force_login(users["clerk_a"])
    sign(client, care_county["老张"])
    agreement = CareAgreement.objects.get()
    urls = [reverse("care:agreement", args=[agreement.pk]), reverse("care:agreement_copy", args=[agreement.pk])]
    other_helper = user_create(
        username="helper_a2", password="pass-helper_a2", role=Role.VILLAGE_HELPER, region_code="140521100202"
    )
    for user in (users["clerk_b"], other_helper):
        client.force_login(user)
        assert all(client.get(url).status_code == 404 for url in urls)
        assert "老张" not in table(client, reverse("care:agreements") + "?tab=current")
    client.force_login(users["clerk_b"])
    assert client.post(reverse("care:agreement_new", args=[care_county["老张"].pk]), form()).status_code == 404
    # The village's helper reads but may not sign or replace (403).
    client.force_login(users["helper_a1"])
    assert all(client.get(url).status_code == 200 for url in urls)
    assert client.get(reverse("care:agreement_new", args=[care_county["老张"].pk])).status_code == 403
    assert client.post(reverse("care:agreement_replace", args=[agreement.pk]), form()).status_code == 403
    client.force_login(users["finance"])
    assert client.get(reverse("care:agreements")).status_code == 403
    # Masked ID numbers in the export too.
    client.force_login(users["clerk_a"])
    export = client.get(reverse("care:agreements") + "?tab=current&export=xlsx")
    assert export.status_code == 200


def test_forms_and_lists_open(client, care_county, users):
    client.force_login(users["clerk_a"])
    sign(client, care_county["老张"])
    agreement = CareAgreement.objects.get()
    for url in (
        reverse("care:agreement_new", args=[care_county["老张"].pk]),
        reverse("care:agreement_replace", args=[agreement.pk]),
        reverse("care:person", args=[care_county["老张"].pk]),
        reverse("care:children"),
        reverse("care:directors"),
        reverse("care:placement") + "?tab=done",
        reverse("care:agreements") + "?tab=missing&export=xlsx",
    ):
        assert client.get(url).status_code == 200, url
    person_page = client.get(reverse("care:person", args=[care_county["老张"].pk])).content.decode()
    assert "张侄子" in person_page and 'id="new-agreement"' in person_page
