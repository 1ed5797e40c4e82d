"""Street rescue: a cold night's patrol meets a person who cannot say who they are, is given
food and a ride and placed at the station; a 寻亲公告 with a photo (JPEG/PNG by its bytes) prints,
the search's outcome with 公安 is recorded; a returnee is referred home; a cold-weather period
with too few patrols warns; bad input is refused; another township is a 404, a lesser role 403."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from doudi.services import rescue as svc
from doudi.services import selectors, views_rescue
from doudi.services.common import ServiceError
from doudi.services.models import Encounter, Patrol, Referral, SearchNotice
from doudi.services.tests.conftest import COUNTY, PDF_BYTES, PNG_BYTES, TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


def patrol(user, township=TOWNSHIP_A, when="2026-11-30T22:30", **changes):
    data = {
        "township": township,
        "started_at": when,
        "area": "火车站地下通道、桥洞",
        "weather": "cold",
        "temperature": "-12",
        "team": "张三、李四",
    }
    data.update(changes)
    return svc.patrol_add(user=user, data=data)


def met(user, p, **changes):
    data = {"unidentified": "1", "sex": "M", "age": "50", "place": "桥洞下", "food": "1", "clothing": "1", "placement": "station"}
    data.update(changes)
    return svc.encounter_add(user=user, patrol=p, data=data)


def notice_data(**changes):
    data = {
        "features": "身高约170厘米，偏瘦，山东口音，左手缺小指",
        "found_on": "2026-11-30",
        "found_at": "火车站地下通道",
        "shelter": "县救助管理站",
        "contact": "王站长 0359-1234567",
        "published_from": "2026-12-01",
        "published_until": "2026-12-31",
        "channels": "全国救助寻亲网",
    }
    data.update(changes)
    return data


@pytest.fixture
def found(users):
    clerk = users["clerk_a"]
    p = patrol(clerk)
    return {"patrol": p, "person": met(clerk, p)}


def test_cold_night_patrol_meets_person_placed_and_notice_prints(client, users, found):
    p, person = found["patrol"], found["person"]
    assert p.night and person.ride and person.help_labels == "食物、衣被、护送至救助站"
    notice = svc.notice_add(user=users["clerk_a"], data=notice_data(), encounter=person, photo=SimpleUploadedFile("x.bin", JPEG))
    assert notice.photo_type == "image/jpeg" and notice.township_id == TOWNSHIP_A
    svc.notice_police(
        user=users["clerk_a"],
        notice=notice,
        data={"police_checked_on": "2026-12-01", "police_result": "指纹、人像比对未见匹配，已采集DNA"},
    )
    client.force_login(users["clerk_a"])
    page = client.get(reverse("services:notice", args=[notice.pk])).content.decode()
    assert "寻亲公告" in page and "左手缺小指" in page and "data-print" in page and "指纹、人像比对" in page
    photo = client.get(reverse("services:notice_photo", args=[notice.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    svc.notice_outcome(
        user=users["clerk_a"],
        notice=notice,
        data={"outcome": "found", "outcome_on": "2026-12-02", "outcome_note": "其子从山东接回"},
    )
    with pytest.raises(ServiceError, match="已登记寻亲结果"):
        svc.notice_outcome(
            user=users["clerk_a"], notice=notice, data={"outcome": "not_found", "outcome_on": "2026-12-02", "outcome_note": "x"}
        )
    assert SearchNotice.objects.get().outcome == "found"


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"features": ""}, "请填写体貌特征"),
        ({"published_until": "2026-11-01"}, "截止日期不能早于发布日期"),
        ({"published_from": "2026-11-01"}, "发布日期不能早于发现日期"),
        ({"found_on": "2099-01-01"}, "不能晚于今天"),
        ({"shelter": ""}, "请填写现安置单位"),
    ],
)
def test_bad_notice_refused(users, found, changes, message):
    with pytest.raises(ServiceError, match=message):
        svc.notice_add(user=users["clerk_a"], data=notice_data(**changes), encounter=found["person"])
    assert not SearchNotice.objects.exists()


@pytest.mark.parametrize("payload,name", [(PDF_BYTES, "photo.jpg"), (b"GIF89a" + b"\x00" * 20, "a.png"), (b"", "e.jpg")])
def test_photo_judged_by_bytes(users, found, payload, name):
    with pytest.raises(ServiceError, match="JPEG 或 PNG|空文件"):
        svc.notice_add(
            user=users["clerk_a"], data=notice_data(), encounter=found["person"], photo=SimpleUploadedFile(name, payload)
        )
    notice = svc.notice_add(
        user=users["clerk_a"], data=notice_data(), encounter=found["person"], photo=SimpleUploadedFile("p.jpg", PNG_BYTES)
    )
    assert notice.photo_type == "image/png"


def test_identified_person_needs_no_notice_and_is_referred_home(users, found):
    person = met(users["clerk_a"], found["patrol"], unidentified="", name="王二", id_number="", placement="home")
    with pytest.raises(ServiceError, match="不需要发布寻亲公告"):
        svc.notice_add(user=users["clerk_a"], data=notice_data(), encounter=person)
    with pytest.raises(ServiceError, match="请填写转介说明"):
        svc.referral_add(user=users["clerk_a"], encounter=person, data={"home": "山东省某县", "on": "2026-12-01"})
    r = svc.referral_add(
        user=users["clerk_a"],
        encounter=person,
        data={
            "home": "山东省菏泽市某县某镇",
            "id_number": "110101199003070011",
            "on": "2026-12-01",
            "note": "已联系户籍地民政所，建议申请临时救助和低保",
        },
    )
    assert r.name == "王二" and r.home_code == "110101" and Referral.objects.count() == 1


def test_bad_patrol_and_person_refused(users):
    for changes, message in [
        ({"area": ""}, "请填写巡查区域"),
        ({"team": ""}, "请填写巡查人员"),
        ({"weather": "x"}, "请选择天气"),
        ({"started_at": "2099-01-01T10:00"}, "不能晚于现在"),
        ({"temperature": "-99"}, "气温应为"),
        ({"township": TOWNSHIP_B}, "不在您的管辖范围"),
    ]:
        with pytest.raises(ServiceError, match=message):
            patrol(users["clerk_a"], **changes)
    assert not Patrol.objects.exists()
    p = patrol(users["clerk_a"], when="2026-11-30T10:00")
    assert not p.night
    with pytest.raises(ServiceError, match="请填写姓名"):
        met(users["clerk_a"], p, unidentified="")
    with pytest.raises(ServiceError, match="请选择安置去向"):
        met(users["clerk_a"], p, placement="")
    assert not Encounter.objects.exists()


def test_cold_spell_with_too_few_patrols_warns(users):
    today = timezone.localdate()
    start = today - dt.timedelta(days=13)
    svc.spell_add(
        user=users["staff"], data={"region": COUNTY, "kind": "cold_wave", "start": start.isoformat(), "end": today.isoformat()}
    )
    for i in range(7):  # the first week: one patrol a day in A, three of them at night
        hour = "22:00" if i < 3 else "10:00"
        patrol(users["clerk_a"], when=f"{start + dt.timedelta(days=i)}T{hour}")
    warnings = {(w["township"].code, w["first"]): w for w in views_rescue.warnings_for(users["staff"])}
    assert (TOWNSHIP_A, start) not in warnings  # 7 patrols, 3 at night: enough
    second = warnings[(TOWNSHIP_A, start + dt.timedelta(days=7))]
    assert second["patrols"] == 0 and second["need"] == 7 and second["need_night"] == 3
    assert (TOWNSHIP_B, start) in warnings
    with pytest.raises(ServiceError, match="结束日期不能早于开始日期"):
        svc.spell_add(user=users["staff"], data={"region": COUNTY, "kind": "freeze", "start": "2026-12-02", "end": "2026-12-01"})


def test_other_township_404_lesser_roles_403(client, users, found):
    notice = svc.notice_add(
        user=users["clerk_a"], data=notice_data(), encounter=found["person"], photo=SimpleUploadedFile("p.png", PNG_BYTES)
    )
    p, person = found["patrol"], found["person"]
    details = [
        reverse("services:patrol", args=[p.pk]),
        reverse("services:encounter", args=[person.pk]),
        reverse("services:notice", args=[notice.pk]),
        reverse("services:notice_photo", args=[notice.pk]),
        reverse("services:notice_new", args=[person.pk]),
    ]
    posts = [
        reverse("services:encounter_new", args=[p.pk]),
        reverse("services:referral_new", args=[person.pk]),
        reverse("services:notice_act", args=[notice.pk, "outcome"]),
    ]
    lists = [reverse(n) for n in ("services:patrols", "services:encounters", "services:notices", "services:referrals")]
    client.force_login(users["clerk_b"])
    for url in details:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"outcome": "found", "outcome_on": "2026-12-02", "outcome_note": "x"}).status_code == 404, url
    for url in lists:
        assert "火车站地下通道" not in client.get(url).content.decode(), url
    assert SearchNotice.objects.get().outcome == "searching"
    for name in ("helper_a1", "finance", "uploader"):
        client.force_login(users[name])
        for url in details + lists:
            assert client.get(url).status_code == 403, (name, url)
        assert client.post(reverse("services:patrol_new"), {"township": TOWNSHIP_A}).status_code == 403
    client.force_login(users["supervisor"])
    assert client.get(details[2]).status_code == 200
    assert client.post(posts[0], {"place": "x", "placement": "left", "unidentified": "1"}).status_code == 403
    client.force_login(users["clerk_a"])
    for url in details + lists:
        assert client.get(url).status_code == 200, url
    page = client.get(lists[0]).content.decode()
    assert 'class="cards"' in page and "data-label" in page
    assert client.get(lists[1] + "?export=xlsx").status_code == 200


def test_notice_through_the_web(client, users, found):
    client.force_login(users["clerk_a"])
    url = reverse("services:notice_new", args=[found["person"].pk])
    bad = client.post(url, {**notice_data(features=""), "photo": SimpleUploadedFile("p.jpg", JPEG)})
    assert bad.status_code == 400 and "请填写体貌特征" in bad.content.decode()
    ok = client.post(url, {**notice_data(), "photo": SimpleUploadedFile("p.jpg", JPEG)})
    notice = SearchNotice.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("services:notice", args=[notice.pk])
    assert list(selectors.notices_for(users["supervisor"])) == [notice]
