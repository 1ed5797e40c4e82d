"""In-kind goods: stock in, hand-outs to named people, never beyond stock (refused with a
Chinese message, nothing changed), one form one entry, and the weekly kinds and person-times
for 附件2 其他救助方式 (selectors.inkind_between)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from doudi.services import goods, selectors
from doudi.services.common import ServiceError
from doudi.services.models import GoodsBalance, GoodsEntry
from doudi.services.tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, person_id

pytestmark = pytest.mark.django_db
OUTSIDER = person_id(COUNTY, "19900101", 77)  # not in the register


def receive(user, qty="10", kind="stove", township=TOWNSHIP_A, on="2026-11-30", token=None):
    return goods.goods_receive(
        user=user, data={"township": township, "kind": kind, "quantity": qty, "on": on, "source": "县民政局调拨"}, token=token
    )[0]


def issue(user, id_number, qty="1", kind="stove", township=TOWNSHIP_A, on="2026-11-30", name="", token=None):
    return goods.goods_issue(
        user=user,
        data={"township": township, "kind": kind, "quantity": qty, "on": on, "id_number": id_number, "name": name},
        token=token,
    )


def test_hand_outs_never_beyond_stock(users, people):
    clerk = users["clerk_a"]
    receive(clerk, "5")
    entry, created = issue(clerk, people["a"].id_number, "4")
    assert created and entry.person == people["a"] and entry.recipient_name == "刘老汉"
    with pytest.raises(ServiceError, match="取暖炉具库存 1.00 台，不足发放 2.00 台"):
        issue(clerk, people["a"].id_number, "2")
    balance = GoodsBalance.objects.get(township_id=TOWNSHIP_A, kind="stove")
    assert balance.stock == Decimal("1.00") and GoodsEntry.objects.filter(direction="out").count() == 1
    with pytest.raises(ServiceError, match="库存 0"):  # nothing of that kind received yet
        issue(clerk, people["a"].id_number, "1", kind="quilt")
    # The database stands behind the service: issued above received is refused by the check constraint.
    with pytest.raises(IntegrityError), transaction.atomic():
        GoodsBalance.objects.filter(pk=balance.pk).update(issued=Decimal("99"))


def test_recipients_named_and_bad_input(users, people):
    clerk = users["clerk_a"]
    receive(clerk, "3", kind="coal")
    with pytest.raises(ServiceError, match="请填写领取人姓名"):
        issue(clerk, OUTSIDER, "1", kind="coal")
    entry, _ = issue(clerk, OUTSIDER, "0.5", kind="coal", name="外来务工人员甲")
    assert entry.person is None and entry.recipient_id_number == OUTSIDER and entry.quantity == Decimal("0.50")
    # Another township's register person: recorded by the name typed, the register not shown.
    entry, _ = issue(clerk, people["b"].id_number, "1", kind="coal", name="陈大娘")
    assert entry.person is None
    for data, message in (
        ({"quantity": "-1"}, "数量应大于 0"),
        ({"quantity": "abc"}, "不是有效的数字"),
        ({"quantity": "1.234"}, "两位小数"),
        ({"kind": "gold"}, "物资种类"),
        ({"township": TOWNSHIP_B}, "不在您的管辖范围内"),
        ({"on": "2099-01-01"}, "不能晚于今天"),
        ({"id_number": "123"}, "身份证号无效"),
    ):
        post = {
            "township": TOWNSHIP_A,
            "kind": "coal",
            "quantity": "1",
            "on": "2026-11-30",
            "id_number": people["a"].id_number,
            **data,
        }
        with pytest.raises(ServiceError, match=message):
            goods.goods_issue(user=clerk, data=post)
    with pytest.raises(ServiceError, match="请填写物资来源"):
        goods.goods_receive(user=clerk, data={"township": TOWNSHIP_A, "kind": "coal", "quantity": "1", "on": "2026-11-30"})
    assert GoodsBalance.objects.get(kind="coal").issued == Decimal("1.50")


def test_one_form_one_entry(client, users, people):
    client.force_login(users["clerk_a"])
    post = {"township": TOWNSHIP_A, "kind": "quilt", "quantity": "10", "on": "2026-11-30", "source": "采购", "token": "t1"}
    client.post(reverse("services:goods_receive"), post)
    response = client.post(reverse("services:goods_receive"), post, follow=True)
    assert "已提交过" in response.content.decode()
    assert GoodsBalance.objects.get(kind="quilt").received == Decimal("10")


def test_weekly_kinds_and_person_times(client, users, people):
    clerk, clerk_b = users["clerk_a"], users["clerk_b"]
    for kind in ("stove", "quilt", "rice"):
        receive(clerk, "10", kind=kind)
    receive(clerk_b, "10", kind="blanket", township=TOWNSHIP_B)
    issue(clerk, people["a"].id_number, kind="stove", on="2026-11-30")  # Monday
    issue(clerk, people["a"].id_number, kind="quilt", on="2026-12-01")
    issue(clerk, OUTSIDER, kind="quilt", name="甲", on="2026-12-02")
    issue(clerk, OUTSIDER, kind="rice", name="甲", on="2026-12-02")  # not one of 附件2's kinds
    issue(clerk, OUTSIDER, kind="stove", name="甲", on="2026-11-29")  # the week before
    issue(clerk_b, people["b"].id_number, kind="blanket", township=TOWNSHIP_B, on="2026-12-01")
    found = selectors.inkind_between(COUNTY, dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    assert found == {TOWNSHIP_A: {"stove": 1, "quilt": 2, "rice": 1}, TOWNSHIP_B: {"blanket": 1}}
    assert selectors.inkind_between(TOWNSHIP_B, dt.date(2026, 11, 30), dt.date(2026, 12, 6)) == {TOWNSHIP_B: {"blanket": 1}}
    client.force_login(users["staff"])
    page = client.get(reverse("services:goods_weekly") + "?week=2026-12-02").content.decode()
    assert "2026-11-30" in page and "取暖炉具、棉被" in page
    client.force_login(clerk_b)  # a township sees its own row only
    page = client.get(reverse("services:goods_weekly") + "?week=2026-12-02").content.decode()
    assert "中村镇" in page and "龙港镇" not in page


def test_hand_out_list_finds_by_id_number_name_or_source_within_dates(users, people):
    from doudi.services import selectors

    clerk = users["clerk_a"]
    receive(clerk, "5", on="2026-11-20")
    issue(clerk, people["a"].id_number, "1", on="2026-11-30")
    found = selectors.entries_for(clerk, direction="out", q=people["a"].id_number)
    assert [e.recipient_name for e in found] == ["刘老汉"]
    assert selectors.entries_for(clerk, direction="out", q="刘").count() == 1
    assert selectors.entries_for(clerk, q="调拨").get().direction == "in"  # the source of a receipt
    assert selectors.entries_for(clerk, start=dt.date(2026, 11, 25)).count() == 1
    assert selectors.entries_for(clerk, end=dt.date(2026, 11, 25)).get().direction == "in"
    assert not selectors.entries_for(users["clerk_b"]).exists()
