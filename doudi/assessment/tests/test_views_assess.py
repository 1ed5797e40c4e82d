"""The 测算 page: permissions, scope, prefill from the register, decisions, form errors."""

import re

import pytest
from django.urls import reverse

from conftest import COUNTY, VILLAGE_A1, VILLAGE_B1, person_id
from doudi.registry.models import Household, Person
from doudi.registry.services import registry_import

URL = "/assessment/"
ZHANG = person_id(COUNTY, "19500312", 1)  # 74 in 2025-01


@pytest.fixture
def county(users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    return small_registry


def login(client, name):
    from doudi.core.models import User

    client.force_login(User.objects.get(username=name))
    return client


def form_data(**changes):
    """A one-person rural household in 东关村: 张三, 74, transfer income 150."""
    data = {
        "region": VILLAGE_A1,
        "hukou": "rural",
        "month": "2025-01",
        "financial": "1000",
        "properties": "1",
        "businesses": "0",
        "medical": "0",
        "education": "0",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-relation": "head",
        "members-0-name": "张三",
        "members-0-id_number": ZHANG,
        "members-0-self_care": "full",
        "members-0-income_transfer": "150",
        "members-0-capable_supporter": "on",
        "vehicles-TOTAL_FORMS": "0",
        "vehicles-INITIAL_FORMS": "0",
        "current-TOTAL_FORMS": "0",
        "current-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_roles_without_assess_are_refused_and_menu_shows_it(client, users):
    for name in ("finance", "supervisor", "uploader"):
        assert login(client, name).get(URL).status_code == 403
        client.logout()
    response = login(client, "helper_a1").get(URL)
    assert response.status_code == 200
    assert f'href="{URL}"' in response.content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_dibao_decision_with_amount_reasons_and_wenhao(client, users):
    response = login(client, "clerk_a").post(URL, form_data())
    html = response.content.decode()
    assert response.status_code == 200, html
    granted = html[html.index('id="granted"') : html.index('id="refused"')]
    # 640 (rural standard from 2024-07) − 150 income = 490 for one person; no increment below 80.
    assert "城乡最低生活保障" in granted and ">490<" in granted
    refused = html[html.index('id="refused"') : html.index('id="explain"')]
    assert "特困人员救助供养" in refused and "有具备履行能力的法定赡养、抚养、扶养义务人" in refused
    explain = html[html.index('id="explain"') :]
    assert "农村低保标准（元/人·月）" in explain and "沁民发〔2024〕21号（演示）" in explain and "640 元" in explain
    assert "「tekun」" not in html
    summary = html[html.index('id="assess-inputs"') : html.index('id="granted"')]
    assert "龙港镇 东关村，农村户籍" in summary and ZHANG[:6] + "********" + ZHANG[-4:] in summary


@pytest.mark.django_db
def test_higher_income_refuses_dibao_with_chinese_reason(client, users):
    html = login(client, "clerk_a").post(URL, form_data(**{"members-0-income_wage": "900"})).content.decode()
    refused = html[html.index('id="refused"') : html.index('id="explain"')]
    assert "城乡最低生活保障" in refused and "家庭月人均收入不低于低保标准" in refused


@pytest.mark.django_db
def test_bad_input_keeps_everything_typed_and_names_the_field(client, users):
    data = form_data(
        **{
            "members-0-income_wage": "六百",
            "members-0-id_number": "140521195003120019",
            "financial": "-5",
            "members-0-name": "张三丰",
        }
    )
    response = login(client, "clerk_a").post(URL, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "身份证号校验位错误" in html and "请输入金额（元）" in html and "金额不能为负数" in html
    assert 'value="张三丰"' in html and 'value="六百"' in html and 'value="140521195003120019"' in html
    assert 'id="assess-result"' not in html


@pytest.mark.django_db
def test_region_outside_scope_is_rejected(client, users):
    response = login(client, "clerk_a").post(URL, form_data(region=VILLAGE_B1))
    assert response.status_code == 400
    assert "所选村(社区)不在您的管辖范围内" in response.content.decode()


@pytest.mark.django_db
def test_half_filled_rows_are_reported_removed_rows_skipped(client, users):
    data = form_data(**{"vehicles-TOTAL_FORMS": "3", "vehicles-2-kind": "car", "members-TOTAL_FORMS": "4"})
    response = login(client, "clerk_a").post(URL, data)
    assert response.status_code == 400
    assert "请填写金额" in response.content.decode()  # vehicle 2 has no value; rows 0-1 were removed
    data["vehicles-2-value"] = "50000"
    html = client.post(URL, data).content.decode()
    assert 'id="assess-result"' in html, re.findall(r'class="(?:field-error|msg error)[^>]*>(.*?)</div>', html)
    assert "拥有不予豁免的机动车" in html[html.index('id="refused"') : html.index('id="explain"')]


@pytest.mark.django_db
def test_duplicate_members_and_disability_without_level(client, users):
    data = form_data(
        **{
            "members-TOTAL_FORMS": "2",
            "members-1-relation": "spouse",
            "members-1-name": "李四",
            "members-1-id_number": ZHANG,
            "members-1-self_care": "full",
            "members-1-disability_kind": "limb",
        }
    )
    html = login(client, "clerk_a").post(URL, data).content.decode()
    assert "残疾类别和残疾等级要同时填写" in html
    data["members-1-disability_level"] = "2"
    html = client.post(URL, data).content.decode()
    assert "在成员中重复出现" in html


@pytest.mark.django_db
def test_prefill_from_register_masks_ids_and_resolves_them(client, county):
    response = login(client, "clerk_a").get(URL, {"household": "H001", "month": "2025-01"})
    html = response.content.decode()
    assert response.status_code == 200
    number = county["ids"]["张三"]
    assert number not in html and number[:6] + "********" + number[-4:] in html
    assert 'value="李四"' in html and "已从台账带入家庭 H001" in html
    data = _posted_form(html)
    result = client.post(URL, data)
    assert result.status_code == 200, result.content.decode()[:3000]
    text = result.content.decode()
    assert 'id="assess-result"' in text and number not in text


@pytest.mark.django_db
def test_other_township_cannot_prefill_or_resolve_masked_ids(client, county):
    assert login(client, "clerk_b").get(URL, {"household": "H001"}).status_code == 404
    zhang = Person.objects.get(name="张三")
    masked = zhang.id_number[:6] + "********" + zhang.id_number[-4:]
    data = form_data(region="140521101201", **{"members-0-id_number": masked, "members-0-person_ref": str(zhang.pk)})
    html = client.post(URL, data).content.decode()
    assert "带 * 的号码只能来自台账" in html and zhang.id_number not in html


@pytest.mark.django_db
def test_assess_never_writes_the_register(client, county):
    before = list(Household.objects.values_list("code", "version")), list(Person.objects.values_list("id_number", "income_wage"))
    login(client, "clerk_a").post(URL, form_data(**{"members-0-income_wage": "5000"}))
    after = list(Household.objects.values_list("code", "version")), list(Person.objects.values_list("id_number", "income_wage"))
    assert before == after


@pytest.mark.django_db
def test_htmx_row_endpoint_returns_next_row_and_count(client, users):
    response = login(client, "clerk_a").get(reverse("assessment:assess_row", args=["members"]), {"members-TOTAL_FORMS": "2"})
    html = response.content.decode()
    assert 'name="members-2-name"' in html and 'value="3"' in html and 'hx-swap-oob="true"' in html
    assert login(client, "clerk_a").get(reverse("assessment:assess_row", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_household_page_links_to_assess(client, county):
    html = login(client, "clerk_a").get("/households/H001/").content.decode()
    assert f"{URL}?household=H001" in html


def _posted_form(html: str) -> dict:
    """The values a browser would post from the rendered form (inputs and selected options)."""
    form = html[html.index('id="assess-form"') :]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and ('type="checkbox"' not in tag or "checked" in tag):
            data[name.group(1)] = value.group(1) if value else ("on" if 'type="checkbox"' in tag else "")
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


@pytest.mark.django_db
def test_prefill_reads_the_register_as_the_batch_does(client, county):
    html = login(client, "clerk_a").get(URL, {"household": "H002", "month": "2025-01"}).content.decode()
    data = _posted_form(html)
    assert data["members-0-support_mode"] == "dispersed" and data["members-0-disability_kind"] == "limb"
    assert data["current-0-category"] == "tekun" and "*" in data["current-0-person"]
    granted = client.post(URL, data).content.decode()
    granted = granted[granted.index('id="granted"') : granted.index('id="refused"')]
    assert "特困人员救助供养" in granted and "分散供养" in granted


@pytest.mark.django_db
def test_month_without_parameters_is_explained_not_crashed(client, users):
    response = login(client, "clerk_a").post(URL, form_data(month="1990-01"))
    html = response.content.decode()
    assert response.status_code == 400 and "没有生效的值" in html and 'value="张三"' in html
