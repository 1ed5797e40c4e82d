"""Every register page is scoped: a township clerk sees only that township, and a
household or person elsewhere is a 404 (indistinguishable from a missing one)."""

import pytest
from django.urls import reverse

from doudi.core.models import UnmaskLog
from doudi.registry.models import Person
from doudi.registry.services import registry_import

WHY = {"reason": "identity"}  # 核对身份 (core/unmasking.py)


@pytest.fixture
def loaded(users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    return small_registry


def login(client, name):
    from doudi.core.models import User

    client.force_login(User.objects.get(username=name))
    return client


def test_household_list_shows_only_own_township(client, loaded):
    page = login(client, "clerk_a").get(reverse("household_list")).content.decode()
    assert "H001" in page and "H002" in page and "H003" not in page
    page = login(client, "clerk_b").get(reverse("household_list")).content.decode()
    assert "H003" in page and "H001" not in page


def test_other_township_household_and_person_are_not_found(client, loaded):
    login(client, "clerk_b")
    zhang = Person.objects.get(name="张三")
    assert client.get(reverse("household_detail", args=["H001"])).status_code == 404
    assert client.get(reverse("household_detail", args=["NOPE"])).status_code == 404
    assert client.get(reverse("person_detail", args=[zhang.pk])).status_code == 404
    assert client.post(reverse("person_unmask", args=[zhang.pk, "id_number"]), WHY).status_code == 404
    assert UnmaskLog.objects.count() == 0


@pytest.mark.parametrize("query", ["张三", "zs", "ZS"])
def test_search_by_name_pinyin_and_id_is_scoped(client, loaded, query):
    link = reverse("person_detail", args=[Person.objects.get(name="张三").pk])
    assert link in login(client, "clerk_a").get(reverse("person_search"), {"q": query}).content.decode()
    assert link not in login(client, "clerk_b").get(reverse("person_search"), {"q": query}).content.decode()


def test_search_by_lowercase_and_15_digit_id(client, loaded):
    number = loaded["ids"]["张三"]
    legacy = number[:6] + number[8:17]
    page = login(client, "clerk_a").get(reverse("household_list"), {"q": legacy}).content.decode()
    assert "H001" in page and "H002" not in page


def test_village_helper_sees_only_village_and_masked_ids(client, loaded):
    login(client, "helper_a1")
    page = client.get(reverse("household_list")).content.decode()
    assert "H001" in page and "H002" not in page
    detail = client.get(reverse("household_detail", args=["H001"])).content.decode()
    number = loaded["ids"]["张三"]
    assert number not in detail and number[:6] + "********" + number[-4:] in detail
    zhang = Person.objects.get(name="张三")
    assert client.post(reverse("person_unmask", args=[zhang.pk, "id_number"]), WHY).status_code == 403
    assert UnmaskLog.objects.count() == 0


def test_unmasking_is_logged(client, loaded, users):
    zhang = Person.objects.get(name="张三")
    response = login(client, "clerk_a").post(reverse("person_unmask", args=[zhang.pk, "id_number"]), WHY)
    assert response.status_code == 200 and zhang.id_number in response.content.decode()
    log = UnmaskLog.objects.get()
    assert (log.user, log.person_id_number, log.field, log.reason) == (users["clerk_a"], zhang.id_number, "id_number", "identity")
    assert login(client, "clerk_a").post(reverse("person_unmask", args=[zhang.pk, "bank_account"]), WHY).status_code == 403
    assert login(client, "finance").post(reverse("person_unmask", args=[zhang.pk, "bank_account"]), WHY).status_code == 200


def test_department_uploader_cannot_open_register(client, loaded):
    login(client, "uploader")
    for url in (
        reverse("household_list"),
        reverse("person_search"),
        reverse("household_detail", args=["H001"]),
        reverse("import_upload"),
    ):
        assert client.get(url).status_code == 403


def test_anonymous_is_sent_to_login(client, loaded):
    response = client.get(reverse("household_list"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_home_counts_by_category_and_township(client, loaded):
    page = login(client, "admin").get(reverse("home")).content.decode()
    assert "龙港镇" in page and "中村镇" in page and "特困" in page and "低保" in page
    page = login(client, "clerk_b").get(reverse("home")).content.decode()
    assert "龙港镇" not in page and "低保边缘" in page


def test_export_xlsx_contains_only_scoped_rows(client, loaded, tmp_path):
    from python_calamine import CalamineWorkbook

    response = login(client, "clerk_a").get(reverse("household_list"), {"export": "xlsx"})
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    codes = [row[0] for row in rows[2:-1]]  # the last row is the 合计 of the amounts
    assert codes == ["H001", "H002"] and rows[-1][0] == "合计"
    assert "*" in rows[2][5]


def test_household_page_shows_history(client, loaded):
    page = login(client, "admin").get(reverse("household_detail", args=["H001"])).content.decode()
    assert "变更记录" in page and "新建" in page
