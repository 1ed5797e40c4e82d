import pytest

from doudi.core.models import AuditEntry
from doudi.core.tabular.errors import ImportRejected
from doudi.registry.models import Benefit, Household, Person
from doudi.registry.services import registry_import


def test_import_creates_households_members_and_benefits(users, small_registry):
    summary = registry_import(paths=[small_registry["folder"]])
    assert summary["households_new"] == 3 and summary["persons_new"] == 4 and summary["benefits_new"] == 3
    zhang = Person.objects.get(id_number=small_registry["ids"]["张三"])
    assert (zhang.name, zhang.sex, str(zhang.birth_date), zhang.name_initials) == (
        "张三",
        "F" if int(zhang.id_number[16]) % 2 == 0 else "M",
        "1950-03-12",
        "zs",
    )
    assert zhang.household.code == "H001" and zhang.household.region_id == "140521100201"
    tekun = Benefit.objects.get(category="tekun")
    assert tekun.person.name == "王五" and str(tekun.monthly_amount) == "1280.00" and tekun.support_mode == "dispersed"
    assert Benefit.objects.get(category="dibao").person is None
    assert AuditEntry.objects.filter(action="create", entity="household").count() == 3


def test_reimporting_the_same_file_changes_nothing(users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    audit_before = AuditEntry.objects.count()
    summary = registry_import(paths=[small_registry["folder"]])
    assert {k: v for k, v in summary.items() if k not in ("unchanged", "batch", "encoding_note")} == dict.fromkeys(
        [
            "households_new",
            "households_changed",
            "persons_new",
            "persons_changed",
            "persons_moved",
            "benefits_new",
            "benefits_changed",
        ],
        0,
    )
    assert AuditEntry.objects.count() == audit_before
    assert Household.objects.count() == 3 and Person.objects.count() == 4 and Benefit.objects.count() == 3


def test_rejected_file_writes_nothing(users, small_registry):
    folder = small_registry["folder"]
    text = (folder / "成员.csv").read_text(encoding="utf-8").replace("150", "一百五")
    (folder / "成员.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        registry_import(paths=[folder])
    messages = [str(e) for e in caught.value.errors]
    assert any("成员.csv" in m and "第2行" in m and "月转移性收入" in m and "应为数字" in m for m in messages)
    assert Household.objects.count() == 0 and Person.objects.count() == 0 and AuditEntry.objects.count() == 0
