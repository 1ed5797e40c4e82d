"""Department files as departments send them (docs/interfaces.md §5): headers with or without their
parenthesised note, Chinese words for codes, GBK/GB18030 CSVs; `--json` on refusal;
decompression bombs refused before calamine reads them."""

import io
import json

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import COUNTY, person_id
from doudi.core.tabular.errors import ImportRejected
from doudi.datasets import fastparse, storage
from doudi.datasets.kinds import KINDS, kind_of_headers
from doudi.datasets.models import DatasetImport
from doudi.datasets.services import dataset_import, read_rows
from doudi.datasets.tests.conftest import write_csv
from doudi.registry.tests.test_import_formats import bomb_xlsx

ZHANG = person_id(COUNTY, "19500312", 1)
LI = person_id(COUNTY, "19520101", 2)


def _short(header: str) -> str:
    return header.split("(", 1)[0]


def _rows(kind: str, path) -> list[dict]:
    result = dataset_import(kind=kind, path=path, as_of="2024-12-31")
    record = DatasetImport.objects.get(pk=result["import_id"])
    return pq.read_table(storage.folder(kind).parent / record.storage).to_pylist()


@pytest.mark.django_db
def test_business_with_short_headers_and_words(tmp_path, regions):
    header = ["身份证号", "姓名", "主体名称", "身份", "注册资本", "成立日期", "登记状态"]
    path = write_csv(
        tmp_path / "b.csv",
        header,
        [
            [ZHANG, "张三", "沁水县张三商店", "经营者", "5", "2020-01-01", "存续"],
            [LI, "李四", "晋城某公司", "法人", "100", "2019-05-01", "存续"],
        ],
    )
    rows = _rows("business", path)
    assert [(r["business_role"], str(r["capital_10k"])) for r in rows] == [("operator", "5.00"), ("legal_rep", "100.00")]


@pytest.mark.django_db
def test_headers_may_carry_a_note(tmp_path, regions):
    path = write_csv(tmp_path / "d.csv", ["身份证号", "姓名", "死亡日期（年月日）"], [[ZHANG, "张三", "2024-05-01"]])
    assert _rows("death", path)[0]["death_date"].isoformat() == "2024-05-01"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_known_by_full_or_short_headers(kind):
    spec = KINDS[kind]
    assert kind_of_headers(list(spec.headers)) is spec
    assert kind_of_headers([_short(h) for h in spec.headers]) is spec


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind_word, level_word, expected",
    [
        ("肢体残疾", "二级", ("limb", 2)),
        ("limb", "2", ("limb", 2)),
        ("精神", "贰级", ("mental", 2)),
        ("视力残疾", "一级残疾", ("visual", 1)),
    ],
)
def test_disability_words(tmp_path, regions, kind_word, level_word, expected):
    path = write_csv(
        tmp_path / "c.csv",
        ["身份证号", "姓名", "残疾类别", "残疾等级", "发证日期"],
        [[ZHANG, "张三", kind_word, level_word, "2020-01-01"]],
    )
    row = _rows("disability", path)[0]
    assert (row["disability_kind"], row["disability_level"]) == expected


@pytest.mark.django_db
def test_recipients_elsewhere_categories_as_words_or_codes(tmp_path, regions):
    path = write_csv(
        tmp_path / "r.csv",
        ["身份证号", "姓名", "保障类别", "所在区划代码", "开始日期", "终止日期"],
        [
            [ZHANG, "张三", "农村低保", "140522100201", "2024-01-01", ""],
            [LI, "李四", "tekun", "140522100201", "2024-01-01", ""],
            [person_id(COUNTY, "19800505", 13), "王五", "低收入人口", "140522100201", "2024-01-01", ""],
        ],
    )
    assert [r["category"] for r in _rows("recipients_elsewhere", path)] == ["dibao", "tekun", "low_income"]


# -- encodings --------------------------------------------------------------------------
def _death_csv(path, encoding):
    path.write_bytes(
        (f"身份证号,姓名,死亡日期\n{ZHANG},张䶮,2024-05-01\n1405211950031,李四,2024-06-01\n{LI},赵 六,五月\n").encode(encoding)
    )
    return path


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_fast_and_row_paths_read_gb18030_and_utf8_alike(tmp_path, monkeypatch, encoding):
    path = _death_csv(tmp_path / "death.csv", encoding)
    results = []
    for fast in (True, False):
        monkeypatch.setattr(fastparse, "suitable", lambda _path, fast=fast: fast)
        target = tmp_path / f"{fast}.parquet"
        writer = storage.RowWriter(KINDS["death"], target)
        counts = read_rows(KINDS["death"], path, path.name, writer)
        writer.close()
        results.append((counts.summary(), counts.issues, pq.read_table(target).sort_by("row_no").to_pylist()))
    assert results[0] == results[1]
    assert [r["name"] for r in results[0][2]] == ["张䶮", "李四"]


@pytest.mark.django_db
def test_command_says_which_encoding_it_read(tmp_path, regions):
    path = _death_csv(tmp_path / "death.csv", "gb18030")
    out, _ = _run("dataset", "death", str(path), "--as-of", "2024-12-31")
    assert "已导入「死亡人员」第1版" in out and "文件编码：GB18030（death.csv）" in out
    out, _ = _run(
        "dataset", "death", str(_death_csv(tmp_path / "d2.csv", "utf-8")), "--as-of", "2024-12-31", "--dry-run", "--json"
    )
    assert json.loads(out)["encoding"] == "UTF-8"


@pytest.mark.django_db
def test_binary_file_is_refused_naming_it(tmp_path, regions):
    path = tmp_path / "死亡.csv"
    path.write_bytes(bytes(range(256)) * 16)
    with pytest.raises(ImportRejected) as caught:
        dataset_import(kind="death", path=path, as_of="2024-12-31")
    assert str(caught.value.errors[0]).startswith("死亡.csv：不是文本文件")


# -- --json on refusal --------------------------------------------------------------------
def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_json_prints_the_errors_of_a_refused_dataset_import(tmp_path, regions):
    path = write_csv(
        tmp_path / "v.csv",
        ["身份证号", "姓名", "号牌号码", "车辆类型", "初次登记日期"],
        [[ZHANG, "张三", "晋E1", "轿车", "2020-01-01"]],
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="导入被拒绝"):
        call_command("import", "dataset", "death", str(path), "--as-of", "2024-12-31", "--json", stdout=out, stderr=io.StringIO())
    result = json.loads(out.getvalue())
    assert result["status"] == "rejected" and result["total"] == 1
    assert result["errors"][0]["file"] == "v.csv" and "这是「机动车登记」" in result["errors"][0]["message"]


# -- decompression bomb -------------------------------------------------------------------
@pytest.mark.django_db
def test_xlsx_bomb_is_refused_before_calamine(tmp_path, regions, monkeypatch):
    import python_calamine

    def never(*args, **kwargs):
        raise AssertionError("calamine must not open a bomb")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", never)
    with pytest.raises(ImportRejected) as caught:
        dataset_import(kind="death", path=bomb_xlsx(tmp_path / "死亡.xlsx", 50 << 20), as_of="2024-12-31")
    assert str(caught.value.errors[0]).startswith("死亡.xlsx：") and "解压" in str(caught.value.errors[0])
    assert DatasetImport.objects.count() == 0
