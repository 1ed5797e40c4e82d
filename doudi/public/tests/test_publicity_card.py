"""The policy calculator (the rules with the county's parameters, nothing stored), the online
公示 (masked, minors never listed, withdrawn after its days, printable), the 明白卡 (login,
region scope, QR code) and its masked status page. Least privilege: no public page shows a
full ID number, an address or a minor."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from conftest import COUNTY, person_id
from doudi.cases.models import Case
from doudi.public.masking import age_on, is_minor, mask_name
from doudi.public.models import HouseholdToken
from doudi.public.tests.conftest import application, publicized
from doudi.registry.services import registry_import

pytestmark = pytest.mark.django_db
FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")


def test_masking():
    assert [mask_name(n) for n in ("张", "张三", "张小三", "欧阳小三", " ")] == ["张", "张*", "张*三", "欧**三", ""]
    assert age_on("140521200806020012", dt.date(2026, 6, 1)) == 17 and is_minor("140521200806020012", dt.date(2026, 6, 1))
    assert not is_minor("140521200806010012", dt.date(2026, 6, 1)) and is_minor("garbage", dt.date(2026, 6, 1))


def test_calculator_estimates_with_the_county_parameters_and_stores_nothing(client, regions, today):
    before = (Case.objects.count(), HouseholdToken.objects.count())
    answers = {
        "region": "140521100201",
        "hukou": "rural",
        "size": "1",
        "income": "0",
        "assets": "0",
        "elderly": "1",
        "elderly80": "0",
        "children": "0",
        "disabled_severe": "0",
        "disabled_other": "0",
        "bedridden": "0",
    }
    page = client.get(reverse("public:calculator"), answers).content.decode()
    assert "特困人员救助供养" in page and "这只是估算" in page and "2026-06" in page
    assert re.search(r"合计每月约 <strong>\d+</strong> 元", page) and "网上申请" in page
    rich = client.get(reverse("public:calculator"), {**answers, "income": "9000", "elderly": "0"}).content.decode()
    assert "暂不符合" in rich and "家庭月人均收入不低于低保标准" in rich
    family = {
        **answers,
        "size": "4",
        "income": "1200",
        "elderly": "1",
        "elderly80": "1",
        "children": "2",
        "disabled_severe": "1",
        "supporter": "on",
    }
    page = client.get(reverse("public:calculator"), family).content.decode()
    assert "城乡最低生活保障" in page and "重度残疾人护理补贴" in page and "高龄津贴" in page
    wrong = client.get(reverse("public:calculator"), {**answers, "elderly": "2"}).content.decode()
    assert "老人和孩子的人数合计不能超过家庭人口" in wrong and "这只是估算" not in wrong
    unknown = client.get(reverse("public:calculator"), {**answers, "region": "140521100299"}).content.decode()
    assert "未知的村（居）" in unknown
    assert (Case.objects.count(), HouseholdToken.objects.count()) == before


def test_publicity_masked_no_minor_no_address_then_withdrawn(client, register, users, today):
    case = publicized(users["clerk_a"], application(register["sun"]))
    minor_id = person_id(COUNTY, "20120101", 51)
    minor = publicized(users["clerk_a"], application(minor_id, category="orphan", name="钱小九"))
    assert case.state == minor.state == "publicity"
    listing = client.get(reverse("public:publicity")).content.decode()
    assert "东关村" in listing and ">1<" in listing  # the minor is not counted
    url = reverse("public:publicity_village", args=["140521100201"])
    page = client.get(url).content.decode()
    assert "孙*" in page and "孙七" not in page and "140521********" in page and "data-print" in page
    assert "钱" not in page and minor_id[:6] + "*" * 8 + minor_id[-4:] not in page
    assert not FULL_ID.search(page) and "东关村1号" not in page
    today(case.publicity_end)
    assert "孙*" in client.get(url).content.decode()
    today(case.publicity_end + dt.timedelta(days=1))  # the 公示's days are over: withdrawn by itself
    assert "孙*" not in client.get(url).content.decode()
    assert "东关村" not in client.get(reverse("public:publicity")).content.decode()
    assert client.get(reverse("public:publicity_village", args=["140521100"])).status_code == 404


@pytest.fixture
def enrolled(users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    return small_registry["ids"]


def test_card_needs_login_and_region(client, users, enrolled, today):
    url = reverse("public:card", args=["H001"])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    client.force_login(users["clerk_b"])
    assert client.get(url).status_code == 404
    client.force_login(users["uploader"])
    assert client.get(url).status_code == 403
    assert not HouseholdToken.objects.exists()


def test_card_and_its_masked_status_page(client, users, enrolled, today):
    client.force_login(users["clerk_a"])
    page = client.get(reverse("public:card", args=["H001"])).content.decode()
    token = HouseholdToken.objects.get(household__code="H001").token
    assert "社会救助明白卡" in page and "城乡最低生活保障" in page and "900" in page and "<svg" in page
    assert "12345" in page and "龙港镇" in page and "民政局监督电话" in page and "<script" not in page.split("<main>")[1]
    assert client.get(reverse("public:card", args=["H001"])).context["status_url"].endswith(f"/public/s/{token}/")
    assert len(token) >= 20
    client.logout()
    status = client.get(reverse("public:status", args=[token]))
    body = status.content.decode()
    assert status.status_code == 200 and "张*" in body and "城乡最低生活保障" in body and "900" in body
    assert "张三" not in body and "李四" not in body and "东关村1号" not in body and not FULL_ID.search(body)
    assert "6228" not in body and "H001" not in body
    assert client.get(reverse("public:status", args=["x" * 24])).status_code == 404
    renew = reverse("public:card_renew", args=["H001"])
    assert client.post(renew).status_code == 302 and HouseholdToken.objects.get().token == token  # anonymous: login
    client.force_login(users["clerk_b"])
    assert client.post(renew).status_code == 404
    client.force_login(users["clerk_a"])
    assert client.get(renew).status_code == 405
    assert client.post(renew).status_code == 302
    assert client.get(reverse("public:status", args=[token])).status_code == 404  # the old QR code no longer opens
    assert "张*" in client.get(reverse("public:status", args=[HouseholdToken.objects.get().token])).content.decode()


def test_public_pages_keep_the_security_headers(client, regions):
    for name in ("home", "apply", "track", "calculator", "publicity"):
        response = client.get(reverse(f"public:{name}"))
        assert response.status_code == 200 and "script-src 'self'" in response["Content-Security-Policy"]
        assert "<script>" not in response.content.decode() and " onclick=" not in response.content.decode()
    assert "no-store" in client.get(reverse("public:track"))["Cache-Control"]


def test_status_page_of_a_minor_head_and_rate_limit(client, users, tmp_path, regions, today, settings):
    from conftest import benefit_row, household_row, member_row, write_registry

    child = person_id(COUNTY, "20150101", 61)
    folder = write_registry(
        tmp_path / "minor",
        [household_row("H100")],
        [member_row("H100", "孙小明", child)],
        [benefit_row("H100", "孤儿", child, "1200", mode="分散")],
    )
    registry_import(paths=[folder])
    from doudi.public import selectors
    from doudi.registry.models import Household

    token = selectors.token_for(Household.objects.get(code="H100"))
    assert selectors.token_for(Household.objects.get(code="H100")) == token
    body = client.get(reverse("public:status", args=[token])).content.decode()
    assert "孙" not in body and "未成年人" in body and "孤儿" in body
    settings.DOUDI_PUBLIC_PAGES_PER_MINUTE = 1
    assert client.get(reverse("public:status", args=[token])).status_code == 429
