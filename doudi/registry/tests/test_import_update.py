"""A file that changes existing households records every change in the history."""

import subprocess
import sys

import pytest

from conftest import COUNTY, VILLAGE_A1, benefit_row, household_row, member_row, person_id, write_registry
from doudi.core.models import AuditEntry
from doudi.registry.models import Benefit, Household, HouseholdMove, Person
from doudi.registry.services import registry_import


def test_changes_and_moves_are_recorded(users, small_registry, tmp_path):
    registry_import(paths=[small_registry["folder"]])
    ids = small_registry["ids"]
    folder = write_registry(
        tmp_path / "update",
        [household_row("H001", 金融资产="5000"), household_row("H004", VILLAGE_A1)],
        [member_row("H001", "张三", ids["张三"], 月工资性收入="800"), member_row("H004", "李四", ids["李四"])],
        [benefit_row("H001", amount="650")],
    )
    summary = registry_import(paths=[folder], user=users["clerk_a"])
    assert (
        summary["households_new"],
        summary["households_changed"],
        summary["persons_changed"],
        summary["persons_moved"],
        summary["benefits_changed"],
    ) == (1, 1, 2, 1, 1)
    household = Household.objects.get(code="H001")
    assert str(household.financial_assets) == "5000.00" and household.version == 2
    change = AuditEntry.objects.get(entity="household", action="update")
    assert change.changes == {"financial_assets": ["1000.00", "5000.00"]} and change.user == users["clerk_a"]
    assert AuditEntry.objects.get(entity="person", action="update", entity_key=ids["张三"]).changes == {
        "income_wage": ["0.00", "800.00"]
    }
    li = Person.objects.get(id_number=ids["李四"])
    assert li.household.code == "H004" and li.relation == "head"
    move = HouseholdMove.objects.get(person=li)
    assert (move.from_household.code, move.to_household.code) == ("H001", "H004")
    assert str(Benefit.objects.get(household=household, category="dibao").monthly_amount) == "650.00"
    assert AuditEntry.objects.filter(household_code="H001", entity="benefit", action="update").exists()


def test_cli_import_success_and_failure(users, small_registry, tmp_path, settings):
    """The console script on a bad file exits non-zero with the row named, no traceback."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # the CLI runs against a file database; covered on SQLite
    database = tmp_path / "cli.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "PATH": "/usr/bin:/bin"}
    doudi = [sys.executable, "-m", "doudi.cli"]
    unmigrated = subprocess.run(
        [*doudi, "import", "registry", str(small_registry["folder"])], env=env, capture_output=True, text=True
    )
    assert unmigrated.returncode != 0 and "doudi migrate" in unmigrated.stderr
    assert subprocess.run([*doudi, "migrate", "-v0"], env=env).returncode == 0
    regions = tmp_path / "regions.csv"
    regions.write_text(
        "区划代码,名称,级别,上级区划代码\n140521,沁水县,县,1405\n140521100,龙港镇,乡镇,140521\n"
        "140521100201,东关村,村,140521100\n140521100202,西关村,村,140521100\n140521101,中村镇,乡镇,140521\n"
        "140521101201,中村村,村,140521101\n",
        encoding="utf-8",
    )
    assert subprocess.run([*doudi, "import", "regions", str(regions)], env=env).returncode == 0
    ok = subprocess.run([*doudi, "import", "registry", str(small_registry["folder"])], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "新增家庭 3" in ok.stdout
    bad = tmp_path / "bad"
    write_registry(bad, [household_row("H9")], [member_row("H9", "某", person_id(COUNTY, "19500312", 1)[:-1] + "0")], [])
    failed = subprocess.run([*doudi, "import", "registry", str(bad)], env=env, capture_output=True, text=True)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert "成员.csv 第2行 「身份证号」列" in failed.stderr and "未写入任何数据" in failed.stderr


def test_regions_file_level_and_parent_must_agree_with_the_code_and_renames_are_recorded(db, tmp_path):
    """The code says level and parent; a file that says otherwise is refused (nothing written);
    a renamed region keeps its code and the old name is in the change log (interfaces §7)."""
    from doudi.core.models import AuditEntry, Region
    from doudi.core.services import regions_load
    from doudi.core.tabular.errors import ImportRejected

    path = tmp_path / "区划.csv"
    path.write_text("区划代码,名称,级别,上级代码\n140521,沁水县,县,1405\n140521100,龙港镇,乡镇,140521\n", encoding="utf-8")
    assert regions_load(path=path) == 2
    path.write_text("区划代码,名称,级别,上级代码\n140521100,龙港镇,村,140521\n140521101,中村镇,乡镇,140522\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        regions_load(path=path)
    text = " ".join(e.message for e in refused.value.errors)
    assert "级别「村」" in text and "上级区划代码「140522」" in text and not Region.objects.filter(code="140521101").exists()
    path.write_text("区划代码,名称,级别,上级区划代码\n140521100,龙港镇（新）,township,\n", encoding="utf-8")
    regions_load(path=path)
    assert Region.objects.get(code="140521100").name == "龙港镇（新）"
    assert AuditEntry.objects.get(entity="region").changes == {"name": ["龙港镇", "龙港镇（新）"]}
