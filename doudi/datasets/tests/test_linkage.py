"""Linkage on hand-made rows (framework-free): every method, and the refusals to guess."""

import datetime as dt

import pyarrow as pa
import pytest

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1, person_id
from doudi.batch.engines import open_engine
from doudi.datasets.linkage import link
from doudi.datasets.names import clean_name, name_key
from doudi.datasets.parsing import identity
from doudi.datasets.selectors import PERSON_SCHEMA

ZHANG = person_id(COUNTY, "19500312", 1)
LI = person_id(COUNTY, "19520101", 2)
WANG = person_id(COUNTY, "19800505", 13)
ZHAO = person_id(COUNTY, "19451111", 21)
X_PERSON = next(n for n in (person_id(COUNTY, "19600101", s) for s in range(1, 999)) if n.endswith("X"))
# Twins of a kind: same name and birth date, one in each township.
LIU_A, LIU_B = person_id(COUNTY, "19700101", 31), person_id(COUNTY, "19700101", 41)
# Two same-name people whose numbers differ in two digits: a row one digit from each is ambiguous.
CHEN_1 = person_id(COUNTY, "19650203", 55)
CHEN_2 = person_id(COUNTY, "19650203", 66)


def _swap(number: str, i: int) -> str:
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


def _bump(number: str, i: int) -> str:
    return number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]


PERSONS = [
    (ZHANG, "张三", VILLAGE_A1),
    (LI, "李四", VILLAGE_A1),
    (WANG, "王秀英", VILLAGE_A1),
    (ZHAO, "赵六", VILLAGE_B1),
    (X_PERSON, "钱七", VILLAGE_A1),
    (LIU_A, "刘伟", VILLAGE_A1),
    (LIU_B, "刘伟", VILLAGE_B1),
    (CHEN_1, "陈明", VILLAGE_A1),
    (CHEN_2, "陈明", VILLAGE_B1),
]
MIXED = CHEN_1[:15] + CHEN_2[15] + CHEN_1[16:]  # digit 16 from one, 17 from the other

# (row, raw id, name, birth given, region) → expected (id_number, method) or None
CASES = [
    (2, ZHANG, "张三", None, None, (ZHANG, "exact_id")),
    (3, X_PERSON.lower(), "钱七", None, None, (X_PERSON, "exact_id")),
    (4, ZHAO[:6] + ZHAO[8:17], "赵六", None, None, (ZHAO, "legacy_id")),
    (5, _bump(ZHANG, 15), "张三", None, None, (ZHANG, "repaired_id")),
    (6, _bump(LI, 9), "李 四", None, None, (LI, "repaired_id")),  # typo inside the birth date
    (7, _swap(WANG, 7), "王秀瑛", None, None, (WANG, "repaired_id")),  # transposition, variant character
    (8, _bump(ZHANG, 15), "张山峰", None, None, None),  # different name: not repaired
    (9, MIXED, "陈明", None, None, (None, "ambiguous")),
    (10, "不详", "王秀瑛", dt.date(1980, 5, 5), None, (WANG, "name_birth_region")),
    (11, "", "刘伟", dt.date(1970, 1, 1), None, (None, "ambiguous")),
    (12, "", "刘伟", dt.date(1970, 1, 1), TOWNSHIP_B, (LIU_B, "name_birth_region")),
    (13, person_id(COUNTY, "19500312", 901), "张三", None, None, None),  # a valid stranger's number
    (14, (ZHAO[:6] + ZHAO[8:17])[:-1] + "9", "赵六", None, None, (ZHAO, "repaired_id")),  # 15-digit with a slip
    (15, "", "刘伟", dt.date(1970, 1, 1), TOWNSHIP_A, (LIU_A, "name_birth_region")),
    (16, "1405211980", "王秀荚", dt.date(1980, 5, 5), None, (WANG, "name_birth_region")),  # one character off
]


def _tables():
    persons = pa.Table.from_pylist(
        [
            {
                "id_number": n,
                "name": clean_name(name),
                "name_key": name_key(clean_name(name)),
                "birth_date": dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14])),
                "region_code": region,
                "household_code": "H" + n[-4:],
            }
            for n, name, region in PERSONS
        ],
        schema=PERSON_SCHEMA,
    )
    rows = []
    for row_no, raw, name, birth, region, _ in CASES:
        values, _problem = identity(raw, name, birth)
        rows.append({"import_id": 7, "row_no": row_no, "region_code": region, **values})
    return rows_table(rows), persons


def rows_table(rows):
    schema = pa.schema(
        [
            ("import_id", pa.int64()),
            ("row_no", pa.int32()),
            ("id_number", pa.string()),
            ("id_raw", pa.string()),
            ("id_clean", pa.string()),
            ("id_status", pa.string()),
            ("name", pa.string()),
            ("name_key", pa.string()),
            ("birth_date", pa.date32()),
            ("region_code", pa.string()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def _run(engine):
    rows, persons = _tables()
    engine.load("rows", rows)
    engine.load("persons", persons)
    return link(engine, "rows", "persons").to_pylist()


def _expected():
    return {row: value for row, *_rest, value in CASES if value is not None}


def test_every_method_and_no_guessing_on_duckdb():
    with open_engine("duckdb") as engine:
        found = {m["row_no"]: (m["id_number"], m["method"]) for m in _run(engine)}
    assert found == _expected()


@pytest.mark.spark
def test_spark_gives_the_same_matches(spark):
    with open_engine("duckdb") as engine:
        duck = _run(engine)
    with open_engine("spark", spark_session=spark) as engine:
        assert _run(engine) == duck


@pytest.mark.django_db
def test_matched_id_numbers_for_imported_rows(tmp_path, users, small_registry):
    from doudi.datasets.linkage import matched_id_numbers
    from doudi.datasets.selectors import dataset_rows, registry_persons
    from doudi.datasets.services import dataset_import
    from doudi.datasets.tests.conftest import write_csv
    from doudi.registry.services import registry_import

    registry_import(paths=[small_registry["folder"]])
    ids = small_registry["ids"]
    assert sorted(registry_persons().column("id_number").to_pylist()) == sorted(ids.values())
    assert registry_persons(TOWNSHIP_B).column("name").to_pylist() == ["赵六"]
    path = write_csv(
        tmp_path / "d.csv",
        ["身份证号", "姓名", "死亡日期"],
        [
            [_bump(ids["王五"], 16), "王五", "2024-05-01"],
            [ids["张三"], "张三", "2024-06-01"],
            [person_id(COUNTY, "19300101", 5), "路人", "2024-06-01"],
        ],
    )
    dataset_import(kind="death", path=path, as_of="2024-12-31")
    rows = dataset_rows("death", as_of=dt.date(2025, 1, 1))
    assert matched_id_numbers("death", rows).to_pylist() == [ids["王五"], ids["张三"], None]


@pytest.mark.django_db
def test_registry_read_once_per_snapshot(users, small_registry):
    from doudi.datasets import linkage
    from doudi.registry.services import registry_import

    registry_import(paths=[small_registry["folder"]])
    assert linkage._registry("") is not linkage._registry("")  # no snapshot: read afresh
    with linkage.registry_snapshot():
        first = linkage._registry("")
        assert linkage._registry("") is first and linkage._registry(TOWNSHIP_B) is not first
    assert linkage._registry("") is not first
