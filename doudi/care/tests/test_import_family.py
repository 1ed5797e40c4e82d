"""分开居住的家庭成员 from the register import (成员 column, docs/import-format.md): validated with the
row named, all or nothing, stored for the 附件1 question 2, audited, replaced only where an import
made them; a second import of the same file changes nothing."""

import pytest
from django.urls import reverse

from doudi.care import services
from doudi.care.models import FamilyContact
from doudi.care.tests.test_import_groups import HEAD, KID, WIFE, _folder
from doudi.core.models import AuditEntry
from doudi.core.tabular.errors import ImportRejected
from doudi.registry.models import Person
from doudi.registry.services import registry_import

pytestmark = pytest.mark.django_db
COLUMN = "分开居住的家庭成员"


def contacts():
    return set(
        FamilyContact.objects.filter(active=True).values_list("person__name", "name", "relation", "duty", "phone", "address")
    )


def test_column_stored_shown_audited_and_reimport_quiet(client, users, tmp_path):
    cell = "张大（儿子，赡养，13800000001，太原市小店区）；张二（女儿，赡养）"
    folder = _folder(tmp_path, {COLUMN: [cell, "", ""]})
    summary = registry_import(paths=[folder], user=users["admin"])
    assert summary["family_contacts_changed"] == 1
    assert contacts() == {
        ("张三", "张大", "儿子", "support", "13800000001", "太原市小店区"),
        ("张三", "张二", "女儿", "support", "", ""),
    }
    entry = next(e for e in AuditEntry.objects.filter(entity_key=HEAD, entity="person") if "分开居住的家庭成员" in e.changes)
    assert entry.batch == summary["batch"]
    assert "family_contacts_changed" not in registry_import(paths=[folder], user=users["admin"])
    head = Person.objects.get(id_number=HEAD)
    client.force_login(users["admin"])
    page = client.get(reverse("care:visit_new", args=[head.pk])).content.decode()
    assert "family-apart" in page and "张大" in page and "13800000001" in page


def test_reimport_replaces_only_imported(users, tmp_path):
    registry_import(paths=[_folder(tmp_path / "1", {COLUMN: ["张大（儿子，赡养）", "", ""]})])
    head = Person.objects.get(id_number=HEAD)
    services.family_contact_add(user=users["clerk_a"], person=head, name="张小妹", relation="女儿", duty="support")
    summary = registry_import(paths=[_folder(tmp_path / "2", {COLUMN: ["张大（儿子，赡养，13900000000）", "", ""]})])
    assert summary["family_contacts_changed"] == 1
    assert {(c[1], c[4]) for c in contacts()} == {("张大", "13900000000"), ("张小妹", "")}
    registry_import(paths=[_folder(tmp_path / "3", {COLUMN: ["", "", ""]})])
    assert {c[1] for c in contacts()} == {"张小妹"}  # the one typed in stays
    registry_import(paths=[_folder(tmp_path / "4", None)])  # no column: nothing changes
    assert {c[1] for c in contacts()} == {"张小妹"}


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("张大", "应写作 姓名（关系，义务"),
        ("张大（儿子，照顾）", "义务应为赡养、抚养或扶养"),
        ("张大（儿子，赡养，12ab）", "联系电话「12ab」格式不对"),
        ("张大（儿子）", "缺少关系或义务"),
    ],
)
def test_bad_cell_names_the_row_nothing_written(users, tmp_path, cell, message):
    folder = _folder(tmp_path, {COLUMN: ["张大（儿子，赡养）", cell, ""], "精神障碍患者": ["是", "", ""]})
    with pytest.raises(ImportRejected) as refused:
        registry_import(paths=[folder], user=users["admin"])
    errors = [e for e in refused.value.errors if COLUMN in (e.column or "")]
    assert errors and errors[0].row == 3 and message in errors[0].message
    assert not FamilyContact.objects.exists() and not Person.objects.filter(id_number__in=[HEAD, WIFE, KID]).exists()
