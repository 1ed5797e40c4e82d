"""The header search (issue 13 item 3): within the user's scope, ranked, masked; a bank
account only for roles that may see accounts; filters kept when paging."""

import pytest
from django.urls import reverse

from conftest import TOWNSHIP_A, TOWNSHIP_B
from doudi.payments.tests.conftest import card
from doudi.registry import selectors
from doudi.registry.models import Person

pytestmark = pytest.mark.django_db


def _search(client, user, **params):
    client.force_login(user)
    return client.get(reverse("search"), params)


def _names(response) -> list[str]:
    return [r["person"].name for r in response.context["page"].object_list]


@pytest.fixture
def people(county):
    """张三 (H101's head renamed) and 张三丰 in township A, a phone number on 张三."""
    Person.objects.filter(name="户主1").update(name="张三", name_initials="zs", phone="13912345678")
    Person.objects.filter(name="孩子1").update(name="张三丰", name_initials="zsf")
    return county


def test_clerk_finds_by_last_six_digits_masked(client, users, people):
    number = people["H101"]
    response = _search(client, users["clerk_a"], q=number[-6:])
    assert _names(response) == ["张三"]
    page = response.content.decode()
    assert number not in page and number[:6] + "********" + number[-4:] in page
    assert _names(_search(client, users["clerk_a"], q=number[-4:])) == ["张三"]


def test_other_township_finds_nothing(client, users, people):
    number = people["H101"]
    for q in (number, number[-6:], "张三", "zhangsan", "zs", "H101", "13912345678", "19600101"):
        assert _names(_search(client, users["clerk_b"], q=q)) == [], q
    assert "户主4" in _names(_search(client, users["clerk_b"], q="户主"))


def test_birth_date_pinyin_code_and_phone(client, users, people):
    clerk = users["clerk_a"]
    assert _names(_search(client, clerk, q="19600101")) == ["张三"]
    assert _names(_search(client, clerk, q="1960-01-01")) == ["张三"]
    assert _names(_search(client, clerk, q="zhangsan")) == ["张三", "张三丰"]
    assert _names(_search(client, clerk, q="zhangsanfeng")) == ["张三丰"]
    assert _names(_search(client, clerk, q="zsf")) == ["张三丰"]
    assert _names(_search(client, clerk, q="H101")) == ["张三", "张三丰"]  # the head first
    assert _names(_search(client, clerk, q="13912345678")) == ["张三"]


def test_ranked_exact_id_then_name_then_partial(users, people):
    rows = selectors.person_find(users["clerk_a"], "张三")
    assert [(r["person"].name, r["match"]) for r in rows] == [("张三", "姓名"), ("张三丰", "姓名开头")]
    rows = selectors.person_find(users["clerk_a"], people["H101"])
    assert rows[0]["match"] == "身份证号" and len(rows) == 1
    ranks = [r["rank"] for r in selectors.person_find(users["admin"], "H10")]
    assert ranks == sorted(ranks)


def test_bank_account_only_with_unmask_bank(client, users, people):
    account = card(1)  # 户主1 (张三)'s card
    assert _names(_search(client, users["finance"], q=account)) == ["张三"]
    refused = _search(client, users["clerk_a"], q=account)
    assert _names(refused) == [] and "按银行账号查找仅限可查看银行账号的角色" in refused.content.decode()
    assert selectors.person_find(users["clerk_a"], account, accounts=False) == []


def test_search_needs_the_register(client, users, people):
    assert _search(client, users["uploader"], q="张三").status_code == 403


def test_filters_kept_when_paging(client, users, people, monkeypatch):
    from doudi.workbench import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    response = _search(client, users["admin"], q="户主", region=TOWNSHIP_B)
    assert _names(response) == ["户主4"]
    page = response.content.decode()
    assert f'value="{TOWNSHIP_B}" selected' in page
    assert f"region={TOWNSHIP_B}" in page and "page=2" in page  # the next page keeps q and the township
    outside = _search(client, users["clerk_a"], q="户主", region=TOWNSHIP_B)
    assert "户主4" not in _names(outside)  # a township outside the scope is ignored, not searched


def test_household_list_keeps_the_township_from_home(client, users, people):
    client.force_login(users["admin"])
    home = client.get(reverse("home")).content.decode()
    assert f"?region={TOWNSHIP_A}" in home
    page = client.get(reverse("household_list"), {"region": TOWNSHIP_A}).content.decode()
    assert f'<option value="{TOWNSHIP_A}" selected>' in page  # kept for the next search, not silently dropped
    assert "H104" not in page and "H101" in page
