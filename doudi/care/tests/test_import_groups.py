"""Special-group columns of the register import (docs/interfaces.md §4) stored as flags through the
registry's after-write hook (the registry does not import care): set, audited with the
import's batch, removed only when an import had set them, untouched when the column is absent;
a preview stores nothing."""

import csv

import pytest

from conftest import COUNTY, benefit_row, household_row, member_row, person_id, write_registry
from doudi.care import services
from doudi.care.models import PersonGroup
from doudi.core.models import AuditEntry
from doudi.core.tabular.errors import ImportRejected
from doudi.registry.models import Person
from doudi.registry.services import registry_import

pytestmark = pytest.mark.django_db
HEAD, WIFE, KID = (person_id(COUNTY, "19500312", 1), person_id(COUNTY, "19520101", 2), person_id(COUNTY, "20150101", 3))


def _folder(tmp_path, columns: dict | None):
    folder = write_registry(
        tmp_path / "r",
        [household_row("H001")],
        [member_row("H001", "张三", HEAD), member_row("H001", "李四", WIFE, "配偶"), member_row("H001", "张小", KID, "孙子女")],
        [benefit_row("H001")],
    )
    if columns:
        path = folder / "成员.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        for name, values in columns.items():
            rows[0].append(name)
            for row, value in zip(rows[1:], values):
                row.append(value)
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
    return folder


def flags():
    return set(PersonGroup.objects.filter(active=True).values_list("person__name", "group"))


def test_columns_become_flags_audited_and_reimport_is_quiet(users, tmp_path):
    folder = _folder(
        tmp_path,
        {"特殊困难老年人": ["独居；空巢", "计生特殊", ""], "困境儿童": ["", "", "留守儿童"], "精神障碍患者": ["否", "是", ""]},
    )
    summary = registry_import(paths=[folder], user=users["admin"])
    assert summary["special_groups_changed"] == 3
    assert flags() == {
        ("张三", "elderly_alone"),
        ("张三", "elderly_empty_nest"),
        ("李四", "elderly_family_planning"),
        ("李四", "mental_disorder"),
        ("张小", "child_left_behind"),
    }
    entry = AuditEntry.objects.get(entity_key=HEAD, entity="person")
    assert entry.batch == summary["batch"] and entry.changes["特殊群体"] == ["", "独居老年人、空巢老年人"]
    assert entry.user == users["admin"]
    again = registry_import(paths=[folder], user=users["admin"])
    assert "special_groups_changed" not in again


def test_import_removes_only_what_an_import_set(users, tmp_path):
    registry_import(paths=[_folder(tmp_path, {"特殊困难老年人": ["独居", "", ""]})])
    head = Person.objects.get(id_number=HEAD)
    services.group_set(user=users["clerk_a"], person=head, group="elderly_disabled", active=True, note="入户核实")
    registry_import(paths=[_folder(tmp_path / "2", {"特殊困难老年人": ["", "", ""]})])
    assert flags() == {("张三", "elderly_disabled")}  # the hand-set flag stays, the imported one goes
    # A file without the columns changes no flag.
    registry_import(paths=[_folder(tmp_path / "3", None)])
    assert flags() == {("张三", "elderly_disabled")}


def test_preview_and_refused_import_store_nothing(users, tmp_path):
    folder = _folder(tmp_path, {"困境儿童": ["", "", "孤儿"]})
    preview = registry_import(paths=[folder], dry_run=True, user=users["admin"])
    assert preview["special_groups_changed"] == 1 and not PersonGroup.objects.exists()
    bad = _folder(tmp_path / "bad", {"困境儿童": ["", "", "流浪儿童"]})
    with pytest.raises(ImportRejected):
        registry_import(paths=[bad])
    assert not PersonGroup.objects.exists()
