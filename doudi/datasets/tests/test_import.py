import datetime as dt

import pyarrow.parquet as pq
import pytest
import xlsxwriter
from django.conf import settings

from conftest import COUNTY, person_id
from doudi.core.models import AuditEntry
from doudi.core.tabular.errors import ImportRejected
from doudi.datasets import selectors, storage
from doudi.datasets.models import DatasetImport, DatasetRowIssue
from doudi.datasets.services import dataset_import
from doudi.datasets.tests.conftest import write_csv

DEATH = ["身份证号", "姓名", "死亡日期"]
VEHICLE = ["身份证号", "姓名", "号牌号码", "车辆类型", "初次登记日期"]


def _x_id() -> str:
    return next(n for n in (person_id(COUNTY, "19600101", s) for s in range(1, 999)) if n.endswith("X"))


def _files() -> list:
    return sorted(p.name for p in (settings.DATA_DIR / "datasets").rglob("*") if p.is_file())


@pytest.mark.django_db
def test_dirty_death_file_is_normalised_kept_and_reported(tmp_path, users):
    valid, x_id = person_id(COUNTY, "19500312", 1), _x_id()
    legacy18 = person_id(COUNTY, "19451111", 21)
    legacy15 = legacy18[:6] + legacy18[8:17]
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in valid[:-1]) + valid[-1]
    typo = valid[:15] + str((int(valid[15]) + 1) % 10) + valid[16:]
    path = write_csv(
        tmp_path / "死亡.csv",
        DEATH,
        [
            [valid, "张三", "2024-05-01"],
            [x_id.lower(), " 李 四 ", "2024/06/02"],
            [legacy15, "赵六", "20240703"],
            [fullwidth, "王五", "2024-08-01"],
            [typo, "孙七", "2024-09-01"],  # kept: matched later by name + birth date
            ["12345", "", "2024-09-01"],  # rejected: no usable ID and no name
            [valid, "张三", "二〇二四年"],  # rejected: bad date
            [valid, "张三", "2024-05-01"],  # exact duplicate
        ],
    )
    result = dataset_import(kind="death", path=path, as_of="2024-12-31", user=users["uploader"], channel="web")
    assert result["status"] == "imported" and result["version"] == 1
    assert (result["rows"], result["rejected"], result["invalid_ids"], result["legacy_ids"], result["duplicates"]) == (
        5,
        2,
        1,
        1,
        1,
    )
    record = DatasetImport.objects.get()
    assert record.region_code == COUNTY and record.user == users["uploader"] and record.role == "dept_uploader"
    table = pq.read_table(settings.DATA_DIR / "datasets" / record.storage).to_pylist()
    by_row = {r["row_no"]: r for r in table}
    assert by_row[2]["id_status"] == "valid" and by_row[2]["death_date"] == dt.date(2024, 5, 1)
    assert by_row[3]["id_number"] == x_id and by_row[3]["id_status"] == "normalised" and by_row[3]["name"] == "李四"
    assert by_row[4]["id_number"] == legacy18 and by_row[4]["id_status"] == "legacy15"
    assert by_row[4]["death_date"] == dt.date(2024, 7, 3)
    assert by_row[5]["id_number"] == valid and by_row[5]["id_status"] == "normalised"
    assert by_row[6]["id_number"] is None and by_row[6]["id_status"] == "invalid" and by_row[6]["id_clean"] == typo
    assert by_row[6]["birth_date"] == dt.date(1950, 3, 12) and by_row[6]["name_key"] == "sunqi"
    assert set(by_row) == {2, 3, 4, 5, 6}
    issues = {(i.row_no, i.kept): i.message for i in DatasetRowIssue.objects.all()}
    assert "将按姓名、出生日期和区划比对" in issues[(6, True)]
    assert "姓名为空" in issues[(7, False)] and "应为日期" in issues[(8, False)] and "第2行完全相同" in issues[(9, False)]
    entry = AuditEntry.objects.get(entity="dataset")
    assert entry.entity_key == "death#1" and entry.user == users["uploader"] and entry.changes["rows"] == 5


@pytest.mark.django_db
def test_same_file_twice_changes_nothing(tmp_path, regions):
    path = write_csv(tmp_path / "d.csv", DEATH, [[person_id(COUNTY, "19500312", 1), "张三", "2024-05-01"]])
    first = dataset_import(kind="death", path=path, as_of="2024-12-31")
    again = dataset_import(kind="death", path=path, as_of="2025-01-31")
    assert again["status"] == "unchanged" and again["import_id"] == first["import_id"] and "未重复导入" in again["message"]
    assert DatasetImport.objects.count() == 1 and AuditEntry.objects.count() == 1 and len(_files()) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind, header, as_of, expected",
    [
        ("deaths", DEATH, "2024-12-31", "未知的数据类型「deaths」"),
        ("death", VEHICLE, "2024-12-31", "这是「机动车登记」（vehicle，公安局交通管理部门）的文件，不是「死亡人员」（death）"),
        ("death", ["身份证号", "姓名", "死亡时间"], "2024-12-31", "缺少列：死亡日期；未知的列：死亡时间"),
        ("death", DEATH, (dt.date.today() + dt.timedelta(days=1)).isoformat(), "晚于今天"),
        ("death", DEATH, "2024-13-01", "格式不对"),
    ],
)
def test_bad_files_write_nothing(tmp_path, regions, kind, header, as_of, expected):
    path = write_csv(
        tmp_path / "f.csv",
        header,
        [[person_id(COUNTY, "19500312", 1), "张三", "2024-05-01", "晋E12345", "小型轿车"][: len(header)]],
    )
    with pytest.raises(ImportRejected) as caught:
        dataset_import(kind=kind, path=path, as_of=as_of)
    assert expected in str(caught.value.errors[0])
    assert DatasetImport.objects.count() == 0 and AuditEntry.objects.count() == 0 and _files() == []


@pytest.mark.django_db
def test_file_whose_every_row_is_bad_is_refused(tmp_path, regions):
    path = write_csv(tmp_path / "d.csv", DEATH, [[person_id(COUNTY, "19500312", 1), "张三", "昨天"]])
    with pytest.raises(ImportRejected) as caught:
        dataset_import(kind="death", path=path, as_of="2024-12-31")
    assert "没有可用的数据行" in str(caught.value.errors[0]) and "第2行「死亡日期」应为日期" in str(caught.value.errors[0])
    assert _files() == []


@pytest.mark.django_db
def test_xlsx_versions_and_latest_as_of(tmp_path, regions):
    def workbook(name, rows):
        path = tmp_path / name
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("车辆")
        for r, row in enumerate([VEHICLE] + rows):
            sheet.write_row(r, 0, row)
        book.close()
        return path

    number = person_id(COUNTY, "19800505", 13)
    dataset_import(
        kind="vehicle", path=workbook("a.xlsx", [[number, "王五", "晋E1", "小型轿车", "2020-01-02"]]), as_of="2024-06-30"
    )
    dataset_import(
        kind="vehicle", path=workbook("b.xlsx", [[number, "王五", "晋E2", "二轮摩托车", "2021-01-02"]]), as_of="2024-12-31"
    )
    assert [r.version for r in DatasetImport.objects.order_by("version")] == [1, 2]
    mid = selectors.dataset_rows("vehicle", as_of=dt.date(2024, 9, 1))
    assert (
        mid.column("plate").to_pylist() == ["晋E1"]
        and mid.column("import_id").to_pylist()[0] == DatasetImport.objects.get(version=1).pk
    )
    assert selectors.dataset_rows("vehicle", as_of=dt.date(2025, 1, 1)).column("plate").to_pylist() == ["晋E2"]
    assert selectors.dataset_rows("vehicle", as_of=dt.date(2024, 1, 1)).num_rows == 0
    assert selectors.dataset_rows("death", as_of=dt.date(2025, 1, 1)).schema.names[:3] == ["import_id", "row_no", "id_number"]


def test_every_kind_has_a_schema_with_typed_columns():
    from doudi.datasets.kinds import KINDS

    assert len(KINDS) == 15
    for kind in KINDS.values():
        names = storage.schema(kind).names
        assert names[:3] == ["row_no", "id_number", "id_raw"] and len(names) == len(set(names))
    assert str(storage.schema("medical").field("self_pay").type) == "decimal128(14, 2)"


@pytest.mark.django_db
def test_cadre_row_kept_when_one_relative_number_is_bad(tmp_path, regions):
    good = person_id(COUNTY, "19800505", 13)
    path = write_csv(
        tmp_path / "干部.csv",
        ["身份证号", "姓名", "所在区划代码", "职务", "近亲属身份证号"],
        [[person_id(COUNTY, "19700101", 31), "刘伟", "140521100201", "村委会主任", f"{good}；14052119800505"]],
    )
    result = dataset_import(kind="cadre", path=path, as_of="2024-12-31")
    assert (result["rows"], result["rejected"]) == (1, 0)
    record = DatasetImport.objects.get()
    row = pq.read_table(settings.DATA_DIR / "datasets" / record.storage).to_pylist()[0]
    assert row["relative_ids"] == good
    issue = DatasetRowIssue.objects.get()
    assert issue.kept and "「14052119800505」身份证号应为18位（或旧版15位），未计入" in issue.message
