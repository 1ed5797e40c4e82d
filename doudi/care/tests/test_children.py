"""困境儿童 (issue 16 item 6): guardian or entrusted carer with their duty, 兜底监护 by the
bureau only when nobody can (with the reason), 结对帮扶 with a 儿童主任 of the child's village;
bad input refused with the typed form kept; least privilege."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import COUNTY, VILLAGE_A1, VILLAGE_A2, person_id
from doudi.care import services
from doudi.care.models import ChildDirector, ChildGuardian, ChildPairing
from doudi.care.tests.conftest import _person
from doudi.core.models import AuditEntry
from doudi.registry.models import Household

pytestmark = pytest.mark.django_db
GRANDPA = person_id(COUNTY, "19580303", 41)


@pytest.fixture
def child(care_county, users):
    home = Household.objects.create(code="C010", region_id=VILLAGE_A1, hukou="rural", address="东关村10号")
    birth = (timezone.localdate() - dt.timedelta(days=365 * 9)).strftime("%Y%m%d")
    kid = _person(home, "小明", birth, 51)
    services.group_set(user=users["clerk_a"], person=kid, group="child_left_behind", active=True, note="父母外出务工")
    return kid


@pytest.fixture
def director(users):
    return ChildDirector.objects.create(name="赵主任", region_code=VILLAGE_A1, phone="13700000000")


def guardian(**changes):
    data = {
        "kind": "entrusted",
        "name": "小明爷爷",
        "id_number": GRANDPA,
        "phone": "13600000000",
        "relation": "祖父",
        "duty": "日常生活照料、接送上学",
        "reason": "",
        "since": timezone.localdate().isoformat(),
    }
    data.update(changes)
    return data


def test_guardian_bureau_and_pairing(client, child, director, users):
    client.force_login(users["clerk_a"])
    url = reverse("care:guardian_add", args=[child.pk])
    assert client.post(url, guardian()).status_code == 302
    assert (
        client.post(
            url,
            guardian(
                kind="guardian",
                name="小明父亲",
                id_number=person_id(COUNTY, "19850101", 43),
                relation="父亲",
                duty="监护职责：委托照护并定期联系",
            ),
        ).status_code
        == 302
    )
    # The bureau is the fallback only when nobody can: refused while a guardian is there.
    response = client.post(url, guardian(kind="bureau", name="", id_number="", relation="", duty="", reason="父母均在外"))
    assert response.status_code == 400 and "该儿童已有监护人" in response.content.decode()
    father = ChildGuardian.objects.get(kind="guardian")
    assert (
        client.post(
            reverse("care:guardian_end", args=[father.pk]), {"reason": "", "ended_on": timezone.localdate().isoformat()}
        ).status_code
        == 400
    )
    assert (
        client.post(
            reverse("care:guardian_end", args=[father.pk]),
            {"reason": "父亲服刑，无其他监护人", "ended_on": timezone.localdate().isoformat()},
        ).status_code
        == 302
    )
    response = client.post(url, guardian(kind="bureau", name="", id_number="", relation="", duty="", reason=""))
    assert "民政部门兜底监护须写明无人监护的原因" in response.content.decode()
    assert (
        client.post(
            url, guardian(kind="bureau", name="", id_number="", relation="", duty="", reason="父亲服刑、母亲失联")
        ).status_code
        == 302
    )
    bureau = ChildGuardian.objects.get(kind="bureau")
    assert bureau.name == "县民政局" and bureau.active
    pair = reverse("care:child_pair", args=[child.pk])
    assert client.post(pair, {"director": director.pk, "since": timezone.localdate().isoformat()}).status_code == 302
    assert ChildPairing.objects.get().director == director
    page = client.get(reverse("care:child", args=[child.pk])).content.decode()
    assert "民政部门兜底监护" in page and "赵主任" in page and GRANDPA not in page and child.id_number not in page
    listing = client.get(reverse("care:children") + "?missing=pairing").content.decode()
    assert "小明" not in listing.split('id="child-table"')[1]
    assert AuditEntry.objects.filter(entity_key=child.id_number, changes__has_key="结对帮扶").exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"id_number": "123"}, "身份证号不正确"),
        ({"relation": ""}, "请填写姓名和与儿童的关系"),
        ({"duty": ""}, "请填写应履行的责任"),
        ({"since": "2999-01-01"}, "开始日期应为今天或以前的日期"),
        ({"phone": "电话"}, "联系电话「电话」格式不对"),
    ],
)
def test_bad_guardian_refused_typed_form_kept(client, child, users, changes, message):
    client.force_login(users["clerk_a"])
    response = client.post(reverse("care:guardian_add", args=[child.pk]), guardian(**changes))
    text = response.content.decode()
    assert response.status_code == 400 and message in text and not ChildGuardian.objects.exists()
    assert "小明爷爷" in text  # what was typed is kept


def test_adult_or_unflagged_person_is_not_a_difficult_child(client, care_county, users):
    client.force_login(users["clerk_a"])
    response = client.post(reverse("care:guardian_add", args=[care_county["老张"].pk]), guardian())
    assert response.status_code == 400 and "已成年" in response.content.decode()


def test_director_of_another_village_cannot_be_paired(client, child, users):
    other = ChildDirector.objects.create(name="钱主任", region_code=VILLAGE_A2)
    client.force_login(users["clerk_a"])
    response = client.post(reverse("care:child_pair", args=[child.pk]), {"director": other.pk, "since": "2024-01-01"})
    assert response.status_code == 400 and "请选择负责本村的儿童主任" in response.content.decode()
    assert not ChildPairing.objects.exists()


def test_directors_registered_in_scope(client, users):
    client.force_login(users["clerk_a"])
    url = reverse("care:directors")
    assert client.post(url, {"name": "赵主任", "kind": "director", "region_code": VILLAGE_A1, "phone": ""}).status_code == 302
    response = client.post(url, {"name": "孙主任", "kind": "director", "region_code": "140521101201"})
    assert response.status_code == 400 and "管辖范围内" in response.content.decode()
    response = client.post(url, {"name": "李督导", "kind": "supervisor", "region_code": VILLAGE_A1})
    assert "儿童督导员负责乡镇" in response.content.decode()
    assert list(ChildDirector.objects.values_list("name", flat=True)) == ["赵主任"]
    client.force_login(users["helper_a1"])
    assert client.post(url, {"name": "x", "kind": "director", "region_code": VILLAGE_A1}).status_code == 403


def test_least_privilege(client, child, director, users):
    client.force_login(users["clerk_a"])
    client.post(reverse("care:guardian_add", args=[child.pk]), guardian())
    row = ChildGuardian.objects.get()
    client.force_login(users["clerk_b"])
    assert client.get(reverse("care:child", args=[child.pk])).status_code == 404
    assert client.post(reverse("care:guardian_add", args=[child.pk]), guardian()).status_code == 404
    assert client.post(reverse("care:guardian_end", args=[row.pk]), {"reason": "x", "ended_on": "2024-01-01"}).status_code == 404
    assert "小明" not in client.get(reverse("care:children")).content.decode()
    assert "赵主任" not in client.get(reverse("care:directors")).content.decode()
    client.force_login(users["helper_a1"])
    assert client.get(reverse("care:child", args=[child.pk])).status_code == 200
    assert client.post(reverse("care:guardian_add", args=[child.pk]), guardian()).status_code == 403
    assert (
        client.post(reverse("care:child_pair", args=[child.pk]), {"director": director.pk, "since": "2024-01-01"}).status_code
        == 403
    )
    assert ChildGuardian.objects.count() == 1 and not ChildPairing.objects.exists()
