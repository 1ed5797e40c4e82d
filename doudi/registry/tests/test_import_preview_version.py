"""Issue 12 A8: confirming a web import must not overwrite a record a clerk changed after
the preview; the rows concerned are refused and named."""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from conftest import household_row, member_row, write_registry
from doudi.core.tabular.errors import ImportRejected
from doudi.registry.models import Household, Person
from doudi.registry.services import household_update, person_update, registry_import


@pytest.fixture
def loaded(users, small_registry, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    registry_import(paths=[small_registry["folder"]])
    return small_registry


def upload(client, folder: Path) -> str:
    """Posts 家庭/成员/保障.csv to the upload page; returns the preview token."""
    handles = [(folder / f"{sheet}.csv").open("rb") for sheet in ("家庭", "成员", "保障")]
    try:
        response = client.post(reverse("import_upload"), {"files": handles})
    finally:
        for handle in handles:
            handle.close()
    assert response.status_code == 302, response.content.decode()[:500]
    return response.url.rstrip("/").rsplit("/", 1)[-1]


def meta(token: str) -> dict:
    return json.loads((Path(django_settings.MEDIA_ROOT) / "imports" / token / "meta.json").read_text(encoding="utf-8"))


def test_person_edited_after_preview_is_not_overwritten(client, users, loaded, tmp_path):
    zhang_id = loaded["ids"]["张三"]
    folder = write_registry(tmp_path / "f", [], [member_row("H001", "张三", zhang_id, 月工资性收入="800")], [])
    client.force_login(users["clerk_a"])
    token = upload(client, folder)
    assert meta(token)["preview"]["ok"]
    zhang = Person.objects.get(id_number=zhang_id)
    person_update(
        user=users["clerk_a"], person=zhang, changes={"phone": "13900000000"}, reason="电话更正", expected_version=zhang.version
    )
    response = client.post(reverse("import_preview", args=[token]), follow=True)
    page = response.content.decode()
    applied = meta(token)["applied"]
    assert not applied["ok"]
    assert any(e["row"] == 2 and "在预览后已被修改，请重新预览" in e["message"] for e in applied["errors"])
    assert "第2行" in page and "在预览后已被修改，请重新预览" in page
    zhang.refresh_from_db()
    assert zhang.phone == "13900000000" and str(zhang.income_wage) == "0.00" and zhang.version == 2


def test_household_edited_after_preview_is_named(client, users, loaded, tmp_path):
    folder = write_registry(
        tmp_path / "h", [household_row("H001", 金融资产="5000"), household_row("H002", "140521100202", 金融资产="6000")], [], []
    )
    client.force_login(users["clerk_a"])
    token = upload(client, folder)
    h001 = Household.objects.get(code="H001")
    household_update(
        user=users["clerk_a"], household=h001, changes={"address": "东关村2号"}, reason="地址更正", expected_version=h001.version
    )
    client.post(reverse("import_preview", args=[token]))
    errors = meta(token)["applied"]["errors"]
    assert [(e["row"], e["message"]) for e in errors] == [(2, "户 H001 在预览后已被修改，请重新预览")]
    h001.refresh_from_db()
    assert h001.address == "东关村2号" and str(h001.financial_assets) == "1000.00"
    assert str(Household.objects.get(code="H002").financial_assets) == "1000.00"  # nothing written


def test_unchanged_records_confirm_normally(client, users, loaded, tmp_path):
    folder = write_registry(tmp_path / "ok", [household_row("H001", 金融资产="5000")], [], [])
    client.force_login(users["clerk_a"])
    token = upload(client, folder)
    client.post(reverse("import_preview", args=[token]))
    assert meta(token)["applied"]["ok"]
    assert str(Household.objects.get(code="H001").financial_assets) == "5000.00"


def test_service_checks_expected_versions(users, loaded, tmp_path):
    """The dry run reports the versions it saw; a real run given them refuses stale rows."""
    zhang_id = loaded["ids"]["张三"]
    folder = write_registry(tmp_path / "s", [], [member_row("H001", "张三", zhang_id, 月工资性收入="800")], [])
    seen = registry_import(paths=[folder], user=users["clerk_a"], dry_run=True)["versions"]
    zhang = Person.objects.get(id_number=zhang_id)
    person_update(user=users["admin"], person=zhang, changes={"phone": "1"}, reason="更正", expected_version=1)
    with pytest.raises(ImportRejected) as caught:
        registry_import(paths=[folder], user=users["clerk_a"], expected_versions=seen)
    assert "在预览后已被修改" in str(caught.value.errors[0])
    assert (
        registry_import(paths=[folder], user=users["clerk_a"])["persons_changed"] == 1
    )  # a run without a preview is not checked
