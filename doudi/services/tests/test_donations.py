"""The donation account: gifts confirmed by a second person count in the balance by purpose;
spends on named people reserve the amount and are refused beyond it; the recorder can never
confirm their own write; the public thank-you list shows only donors who agreed, amounts only
where allowed, never recipients; another township is a 404, a lesser role a 403."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from doudi.core.models import AuditEntry
from doudi.services import donations as svc
from doudi.services.common import ServiceError
from doudi.services.models import Donation, DonationBalance, DonationSpend
from doudi.services.tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def gift(user, **changes):
    data = {
        "donor": "晋南爱心企业",
        "donor_kind": "org",
        "item": "money",
        "amount": "10000",
        "purpose": "winter",
        "on": "2026-11-30",
        "thanks": "1",
        "show_amount": "1",
    }
    data.update(changes)
    return svc.gift_record(user=user, data=data)[0]


def spend_data(person, **changes):
    data = {
        "township": TOWNSHIP_A,
        "id_number": person.id_number,
        "item": "money",
        "amount": "600",
        "purpose": "winter",
        "given": "慰问金 600 元",
        "reason": "冬季取暖困难",
        "on": "2026-12-01",
    }
    data.update(changes)
    return data


@pytest.fixture
def funded(users):
    g = gift(users["staff"])
    svc.gift_confirm(user=users["admin"], gift=g)
    return g


def balance():
    return DonationBalance.objects.get(county_id=COUNTY, purpose="winter", item="money")


def test_gift_counts_only_when_confirmed_by_another(users):
    g = gift(users["staff"])
    assert not DonationBalance.objects.filter(received__gt=0).exists()
    with pytest.raises(ServiceError, match="须由另一人"):
        svc.gift_confirm(user=users["staff"], gift=g)
    assert Donation.objects.get().state == "recorded"
    svc.gift_confirm(user=users["admin"], gift=g)
    assert balance().received == Decimal("10000.00")
    assert AuditEntry.objects.filter(entity="donation", action="confirm").exists()


def test_spend_on_two_named_people_then_confirmed(users, people, funded):
    a, _ = svc.spend_record(user=users["clerk_a"], data=spend_data(people["a"]))
    b, _ = svc.spend_record(user=users["staff"], data=spend_data(people["b"], township=TOWNSHIP_B, amount="400"))
    assert a.person == people["a"] and b.recipient_name == "陈大娘"
    row = balance()
    assert (row.reserved, row.spent, row.available) == (Decimal("1000"), 0, Decimal("9000"))
    with pytest.raises(ServiceError, match="无权"):  # a clerk cannot confirm
        svc.spend_confirm(user=users["clerk_a"], spend=a)
    with pytest.raises(ServiceError, match="须由另一人"):  # nor the county staff who recorded it
        svc.spend_confirm(user=users["staff"], spend=b)
    svc.spend_confirm(user=users["staff"], spend=a)
    svc.spend_refuse(user=users["admin"], spend=b, reason="重复申请")
    row = balance()
    assert (row.reserved, row.spent, row.balance) == (0, Decimal("600"), Decimal("9400"))


def test_spend_above_balance_refused_nothing_changed(users, people, funded):
    with pytest.raises(ServiceError, match="可用余额 10,000.00 元，不足支出 10,000.01 元"):
        svc.spend_record(user=users["clerk_a"], data=spend_data(people["a"], amount="10000.01"))
    with pytest.raises(ServiceError, match="可用余额 0.00 元"):  # another purpose has nothing
        svc.spend_record(user=users["clerk_a"], data=spend_data(people["a"], purpose="study"))
    with pytest.raises(ServiceError, match="可用余额"):  # nor are goods money
        svc.spend_record(user=users["clerk_a"], data=spend_data(people["a"], item="quilt", amount="1"))
    assert not DonationSpend.objects.exists() and balance().reserved == 0


def test_constraint_stands_behind_the_code(funded):
    with pytest.raises(IntegrityError), transaction.atomic():
        DonationBalance.objects.filter(pk=balance().pk).update(spent=Decimal("10000.01"))


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"amount": "-5"}, "应大于 0"),
        ({"amount": "1.234"}, "两位小数"),
        ({"amount": "abc"}, "不是有效的数字"),
        ({"donor": ""}, "请填写捐赠人"),
        ({"purpose": "x"}, "请选择捐赠用途"),
        ({"on": "2099-01-01"}, "不能晚于今天"),
        ({"item": "quilt", "goods": ""}, "请填写物资说明"),
    ],
)
def test_bad_gift_refused(users, changes, message):
    with pytest.raises(ServiceError, match=message):
        gift(users["staff"], **changes)
    assert not Donation.objects.exists()


def test_bad_spend_refused(users, people, funded):
    for changes, message in [
        ({"id_number": "123"}, "身份证号无效"),
        ({"given": ""}, "请填写发放内容"),
        ({"township": "999999999"}, "未知的乡镇"),
        ({"reason": ""}, "请填写救助事由"),
    ]:
        with pytest.raises(ServiceError, match=message):
            svc.spend_record(user=users["clerk_a"], data=spend_data(people["a"], **changes))
    with pytest.raises(ServiceError, match="不在您的管辖范围"):
        svc.spend_record(user=users["clerk_b"], data=spend_data(people["a"]))
    with pytest.raises(ServiceError, match="县民政局"):  # gifts are the county's
        gift(users["clerk_a"])
    assert not DonationSpend.objects.exists()


def test_same_form_twice_records_once(users):
    data = {"donor": "张三", "donor_kind": "person", "item": "money", "amount": "100", "purpose": "general", "on": "2026-11-30"}
    first, created = svc.gift_record(user=users["staff"], data=data, token="t1")
    again, created2 = svc.gift_record(user=users["staff"], data=data, token="t1")
    assert created and not created2 and first.pk == again.pk and Donation.objects.count() == 1


def test_thank_you_list_is_public_and_discreet(client, users, people, funded):
    quiet = gift(users["staff"], donor="李四", amount="5000", show_amount="")
    hidden = gift(users["staff"], donor="王五匿名", thanks="")
    unconfirmed = gift(users["staff"], donor="赵六未确认")
    for g in (quiet, hidden):
        svc.gift_confirm(user=users["admin"], gift=g)
    spend, _ = svc.spend_record(user=users["clerk_a"], data=spend_data(people["a"]))
    svc.spend_confirm(user=users["staff"], spend=spend)
    response = client.get(reverse("services:thanks", args=[COUNTY]))  # no login
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "晋南爱心企业" in page and "10,000.00 元" in page
    assert "李四" in page and "5,000" not in page and "5000" not in page
    assert "王五匿名" not in page and "赵六未确认" not in page and unconfirmed.state == "recorded"
    assert "刘老汉" not in page and people["a"].id_number not in page
    assert client.get(reverse("services:thanks", args=[TOWNSHIP_A])).status_code == 404


def test_pages_and_review_through_the_web(client, users, people, funded):
    client.force_login(users["clerk_a"])
    response = client.post(reverse("services:spend_new"), spend_data(people["a"], token="x1"), follow=True)
    assert "须由另一人复核确认" in response.content.decode()
    spend = DonationSpend.objects.get()
    assert client.get(reverse("services:spend", args=[spend.pk])).status_code == 200
    assert client.post(reverse("services:spend_act", args=[spend.pk, "confirm"])).status_code == 403
    client.force_login(users["staff"])
    page = client.get(reverse("services:donations")).content.decode()
    assert 'class="cards"' in page and "待复核" in page and "<script>" not in page
    client.post(reverse("services:spend_act", args=[spend.pk, "confirm"]), {"version": spend.version})
    assert DonationSpend.objects.get().state == "confirmed"
    export = client.get(reverse("services:spends") + "?export=xlsx")
    assert export.status_code == 200
    over = client.post(reverse("services:spend_new"), spend_data(people["a"], amount="99999", token="x2"), follow=True)
    assert "不足支出" in over.content.decode() and DonationSpend.objects.count() == 1


def test_other_township_404_and_lesser_roles_403(client, users, people, funded):
    spend, _ = svc.spend_record(user=users["clerk_a"], data=spend_data(people["a"]))
    client.force_login(users["clerk_b"])
    assert client.get(reverse("services:spend", args=[spend.pk])).status_code == 404
    assert client.get(reverse("services:gift", args=[funded.pk])).status_code == 404  # the county's gifts
    assert "刘老汉" not in client.get(reverse("services:spends")).content.decode()
    assert client.post(reverse("services:gift_new"), {}).status_code in (302, 200)  # refused by the service
    assert Donation.objects.count() == 1
    for name in ("helper_a1", "finance", "uploader"):
        client.force_login(users[name])
        for url in (
            reverse("services:donations"),
            reverse("services:gifts"),
            reverse("services:spends"),
            reverse("services:spend", args=[spend.pk]),
        ):
            assert client.get(url).status_code == 403, (name, url)
        assert client.post(reverse("services:spend_new"), spend_data(people["a"])).status_code == 403
    client.force_login(users["supervisor"])
    assert client.get(reverse("services:spend", args=[spend.pk])).status_code == 200
    assert client.post(reverse("services:spend_act", args=[spend.pk, "confirm"])).status_code == 403
    assert DonationSpend.objects.get().state == "recorded"
