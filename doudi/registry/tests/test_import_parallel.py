"""The two-core parse of large files gives exactly what the serial parse gives: the same
rows written, the same errors in the same order."""
import pytest

from conftest import COUNTY, benefit_row, household_row, member_row, person_id, write_registry
from doudi.registry.importing import parallel
from doudi.registry.importing.errors import ImportRejected
from doudi.registry.models import Benefit, Household, Person
from doudi.registry.services import registry_import


def snapshot():
    return (sorted(Household.objects.values_list("code", "region_id", "financial_assets")),
            sorted(Person.objects.values_list("id_number", "name", "household__code", "relation", "income_transfer")),
            sorted(Benefit.objects.values_list("household__code", "category", "monthly_amount")))


def import_with(monkeypatch, threshold, paths):
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", threshold)
    return registry_import(paths=paths)


@pytest.mark.django_db(transaction=True)
def test_parallel_parse_writes_what_serial_parse_writes(monkeypatch, users, small_registry):
    serial = import_with(monkeypatch, 10**12, [small_registry["folder"]])
    serial_rows = snapshot()
    Benefit.objects.all().delete(), Person.objects.all().delete(), Household.objects.all().delete()
    forked = import_with(monkeypatch, 0, [small_registry["folder"]])
    assert forked == {**serial, "batch": forked["batch"]} and snapshot() == serial_rows


def bad_folder(tmp_path):
    good = person_id(COUNTY, "19500312", 1)
    return write_registry(
        tmp_path / "bad",
        [household_row("H001"), household_row("H002", 金融资产="很多")],
        [member_row("H001", "张三", good), member_row("H002", "李四", "140521195003120011")],
        [benefit_row("H001", 保障类别="低保户口")],
    )


def errors_with(monkeypatch, threshold, folder):
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", threshold)
    with pytest.raises(ImportRejected) as caught:
        registry_import(paths=[folder])
    return [str(e) for e in caught.value.errors]


@pytest.mark.django_db
def test_parallel_parse_reports_the_same_errors_in_the_same_order(monkeypatch, users, tmp_path):
    folder = bad_folder(tmp_path)
    serial = errors_with(monkeypatch, 10**12, folder)
    assert len(serial) == 3 and "家庭.csv" in serial[0] and "成员.csv" in serial[1] and "保障.csv" in serial[2]
    assert errors_with(monkeypatch, 0, folder) == serial
    assert Household.objects.count() == 0
