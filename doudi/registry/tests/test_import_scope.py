"""Issue 12 A1: an import touches only the importer's region subtree; a township import's
new or higher benefits wait for county confirmation; finance sees import account changes."""

import pytest
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1, benefit_row, household_row, member_row, person_id, write_registry
from doudi.core.models import AuditEntry, User
from doudi.core.roles import Role
from doudi.core.services import user_create
from doudi.core.tabular.errors import ImportRejected
from doudi.registry.models import Benefit, Household, HouseholdMove, PendingBenefitChange, Person
from doudi.registry.services import registry_import

NEW_ACCOUNT = "6228480099998888777"
OLD_ACCOUNT = "6228480012345678901"
NEWCOMER = person_id(COUNTY, "19700101", 11)


@pytest.fixture
def loaded(users, small_registry, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    registry_import(paths=[small_registry["folder"]])  # command line: no user, no limits
    return small_registry


def login(client, name):
    client.force_login(User.objects.get(username=name))
    return client


def refused(folder, user) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        registry_import(paths=[folder], user=user)
    return [str(e) for e in caught.value.errors]


def test_other_township_household_rows_are_refused(users, loaded, tmp_path):
    ids = loaded["ids"]
    folder = write_registry(
        tmp_path / "b",
        [household_row("H003", VILLAGE_B1, 金融资产="9")],
        [member_row("H003", "赵六", ids["赵六"], 银行账号=NEW_ACCOUNT)],
        [benefit_row("H003", "低保边缘", amount="0")],
    )
    audit = AuditEntry.objects.count()
    messages = refused(folder, users["clerk_a"])
    assert any("家庭.csv" in m and "第2行" in m and "H003" in m and "不在您的管辖范围" in m for m in messages)
    assert any("成员.csv" in m and "第2行" in m and "不在您的管辖范围" in m for m in messages)
    assert any("保障.csv" in m and "第2行" in m and "不在您的管辖范围" in m for m in messages)
    zhao = Person.objects.get(id_number=ids["赵六"])
    assert zhao.bank_account == OLD_ACCOUNT and zhao.version == 1
    assert str(Household.objects.get(code="H003").financial_assets) == "1000.00"
    assert AuditEntry.objects.count() == audit and PendingBenefitChange.objects.count() == 0


def test_moving_another_townships_household_into_own_region_is_refused(users, loaded, tmp_path):
    """The household's current region counts too, not only the one the file gives it."""
    folder = write_registry(tmp_path / "m", [household_row("H003", VILLAGE_A1)], [], [])
    messages = refused(folder, users["clerk_a"])
    assert any("第2行" in m and "H003" in m for m in messages)
    assert Household.objects.get(code="H003").region_id == VILLAGE_B1


def test_new_household_in_another_township_is_refused(users, loaded, tmp_path):
    folder = write_registry(tmp_path / "n", [household_row("H009", VILLAGE_B1)], [member_row("H009", "孙七", NEWCOMER)], [])
    messages = refused(folder, users["clerk_a"])
    assert any("家庭.csv" in m and "第2行" in m and "行政区划代码" in m for m in messages)
    assert not Household.objects.filter(code="H009").exists()


def test_member_from_another_township_is_not_moved(users, loaded, tmp_path):
    ids = loaded["ids"]
    folder = write_registry(tmp_path / "p", [], [member_row("H001", "赵六", ids["赵六"], "其他")], [])
    messages = refused(folder, users["clerk_a"])
    assert any("成员.csv" in m and "第2行" in m and "不在您的管辖范围" in m for m in messages)
    assert Person.objects.get(id_number=ids["赵六"]).household.code == "H003"
    assert not HouseholdMove.objects.exists()


def test_village_scoped_importer_cannot_touch_the_next_village(users, loaded, tmp_path):
    """A user limited to a village cannot touch the next village either (prefix rule)."""
    clerk_v = user_create(username="clerk_v", password="pass-x", role=Role.TOWNSHIP_CLERK, region_code=VILLAGE_A1)
    folder = write_registry(tmp_path / "v", [household_row("H002", "140521100202", 金融资产="7")], [], [])
    messages = refused(folder, clerk_v)
    assert any("H002" in m for m in messages)


def test_township_import_benefit_rises_wait_for_county(client, users, loaded, tmp_path):
    ids = loaded["ids"]
    folder = write_registry(
        tmp_path / "t",
        [household_row("H010", VILLAGE_A1)],
        [member_row("H010", "钱八", NEWCOMER)],
        [
            benefit_row("H010", amount="800"),
            benefit_row("H001", amount="1000"),
            benefit_row("H002", "特困", ids["王五"], "1200", mode="分散"),
        ],
    )
    summary = registry_import(paths=[folder], user=users["clerk_a"])
    assert summary["benefits_pending"] == 2 and summary["benefits_new"] == 0 and summary["benefits_changed"] == 1
    assert Household.objects.filter(code="H010").exists()  # non-benefit rows apply as before
    assert not Benefit.objects.filter(household__code="H010").exists()
    assert str(Benefit.objects.get(household__code="H001").monthly_amount) == "900.00"
    assert str(Benefit.objects.get(category="tekun").monthly_amount) == "1200.00"  # lowering applies at once
    assert PendingBenefitChange.objects.filter(status="pending").count() == 2
    # The same file again adds no second request.
    assert registry_import(paths=[folder], user=users["clerk_a"])["benefits_pending"] == 0
    assert PendingBenefitChange.objects.count() == 2

    page = login(client, "admin").get(reverse("import_pending")).content.decode()
    assert "H010" in page and "H001" in page
    for pending in PendingBenefitChange.objects.all():
        response = client.post(reverse("import_pending_decide", args=[pending.pk]), {"decision": "confirm"})
        assert response.status_code == 302
    assert str(Benefit.objects.get(household__code="H001", until__isnull=True).monthly_amount) == "1000.00"
    new = Benefit.objects.get(household__code="H010")
    assert str(new.monthly_amount) == "800.00" and new.until is None
    assert set(PendingBenefitChange.objects.values_list("status", flat=True)) == {"confirmed"}
    confirmed = AuditEntry.objects.filter(entity="benefit", user=users["admin"])
    assert {e.household_code for e in confirmed} == {"H001", "H010"}


def test_rejected_pending_benefit_changes_nothing(client, users, loaded, tmp_path):
    folder = write_registry(tmp_path / "r", [], [], [benefit_row("H001", amount="2000")])
    registry_import(paths=[folder], user=users["clerk_a"])
    pending = PendingBenefitChange.objects.get()
    login(client, "staff").post(reverse("import_pending_decide", args=[pending.pk]), {"decision": "reject", "note": "金额不符"})
    pending.refresh_from_db()
    assert pending.status == "rejected" and pending.decided_by == users["staff"]
    assert str(Benefit.objects.get(household__code="H001").monthly_amount) == "900.00"
    assert AuditEntry.objects.filter(entity="pending_benefit", user=users["staff"]).exists()


def test_lesser_roles_and_other_townships_cannot_see_or_confirm(client, users, loaded, tmp_path):
    folder = write_registry(tmp_path / "s", [], [], [benefit_row("H001", amount="2000")])
    registry_import(paths=[folder], user=users["clerk_a"])
    pending = PendingBenefitChange.objects.get()
    decide = reverse("import_pending_decide", args=[pending.pk])
    for name in ("helper_a1", "finance", "uploader"):
        assert login(client, name).get(reverse("import_pending")).status_code == 403
        assert client.post(decide, {"decision": "confirm"}).status_code == 403
    # The importing township sees its own request waiting, but may not confirm it.
    assert "H001" in login(client, "clerk_a").get(reverse("import_pending")).content.decode()
    assert client.post(decide, {"decision": "confirm"}).status_code == 403
    assert "H001" not in login(client, "clerk_b").get(reverse("import_pending")).content.decode()
    assert client.post(decide, {"decision": "confirm"}).status_code == 403
    user_create(username="staff_b", password="pass-x", role=Role.COUNTY_STAFF, region_code=TOWNSHIP_B)
    assert "H001" not in login(client, "staff_b").get(reverse("import_pending")).content.decode()
    assert client.post(decide, {"decision": "confirm"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending" and str(Benefit.objects.get(household__code="H001").monthly_amount) == "900.00"


def test_finance_sees_import_account_changes_masked(client, users, loaded, tmp_path):
    ids = loaded["ids"]
    folder = write_registry(tmp_path / "a", [], [member_row("H001", "张三", ids["张三"], 银行账号=NEW_ACCOUNT)], [])
    registry_import(paths=[folder], user=users["clerk_a"])
    response = login(client, "finance").get(reverse("import_account_changes"))
    page = response.content.decode()
    assert response.status_code == 200 and "H001" in page and "8777" in page and "8901" in page
    assert NEW_ACCOUNT not in page and OLD_ACCOUNT not in page and ids["张三"] not in page
    assert login(client, "helper_a1").get(reverse("import_account_changes")).status_code == 403


def test_county_admin_import_works_as_before(users, loaded, tmp_path):
    ids = loaded["ids"]
    folder = write_registry(
        tmp_path / "c",
        [household_row("H003", VILLAGE_B1, 金融资产="9"), household_row("H011", VILLAGE_B1)],
        [member_row("H003", "赵六", ids["赵六"], 银行账号=NEW_ACCOUNT), member_row("H011", "周九", NEWCOMER)],
        [benefit_row("H011", amount="800"), benefit_row("H001", amount="1000")],
    )
    summary = registry_import(paths=[folder], user=users["admin"])
    assert (summary["benefits_new"], summary["benefits_changed"], summary.get("benefits_pending", 0)) == (1, 1, 0)
    assert Person.objects.get(id_number=ids["赵六"]).bank_account == NEW_ACCOUNT
    assert str(Benefit.objects.get(household__code="H001").monthly_amount) == "1000.00"
    assert not PendingBenefitChange.objects.exists()


def test_web_import_result_names_refused_rows_and_links_pending(client, users, loaded, tmp_path):
    from doudi.registry.tests.test_import_preview_version import upload

    ids = loaded["ids"]
    bad = write_registry(tmp_path / "wb", [household_row("H003", VILLAGE_B1)], [member_row("H003", "赵六", ids["赵六"])], [])
    login(client, "clerk_a")
    page = client.get(reverse("import_preview", args=[upload(client, bad)])).content.decode()
    assert "不在您的管辖范围" in page and "确认导入" not in page
    good = write_registry(tmp_path / "wg", [], [], [benefit_row("H001", amount="1000")])
    token = upload(client, good)
    client.post(reverse("import_preview", args=[token]))
    page = client.get(reverse("import_preview", args=[token])).content.decode()
    assert "待县级确认" in page and reverse("import_pending") in page
