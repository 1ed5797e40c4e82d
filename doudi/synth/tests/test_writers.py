"""Files: docs/interfaces.md §4 headers, byte-identical reruns, the importer's own parser accepts them."""

import csv
import re

import pytest

from doudi.synth import SHEETS, county_regions, generate, villages, write_registry_csv, write_registry_xlsx
from doudi.synth.__main__ import main

SPEC_HEADERS = {  # copied from docs/interfaces.md §4 on purpose: the contract, not our own constant
    "家庭": "户编号, 行政区划代码, 户籍性质(城镇/农村), 详细地址, 金融资产, 机动车数量, 机动车价值, 房产套数, "
    "市场主体数量, 近12月医疗自付, 近12月教育支出",
    "成员": "户编号, 姓名, 身份证号, 与户主关系, 残疾类别, 残疾等级, 是否重病, 自理能力, 是否就业, 在校阶段, "
    "月工资性收入, 月经营净收入, 月财产性收入, 月转移性收入, 月豁免收入, 有履行能力的法定义务人(是/否), "
    "联系电话, 开户银行, 银行账号",
    "保障": "户编号, 身份证号(个人类别填写), 保障类别, 开始日期, 月保障金额, 供养方式(分散/集中), 供养机构",
}


def _write(folder, seed=11, persons=3_000):
    regions = county_regions(seed)
    return write_registry_csv(folder, generate(seed, regions, persons))


def test_csv_headers_exactly_spec(tmp_path):
    _write(tmp_path)
    for sheet, spec in SPEC_HEADERS.items():
        with (tmp_path / f"{sheet}.csv").open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == spec.split(", ")
        assert list(SHEETS[sheet]) == spec.split(", ")


def test_headers_match_importer_columns():
    columns = pytest.importorskip("doudi.registry.importing.columns")
    for sheet, headers in SHEETS.items():
        assert [c.header for c in columns.SHEETS[sheet]] == list(headers)


def test_same_seed_same_bytes(tmp_path):
    counts = _write(tmp_path / "a")
    assert _write(tmp_path / "b") == counts and counts["成员"] == 3_000
    for sheet in SHEETS:
        assert (tmp_path / "a" / f"{sheet}.csv").read_bytes() == (tmp_path / "b" / f"{sheet}.csv").read_bytes()
    _write(tmp_path / "c", seed=12)
    assert (tmp_path / "a" / "成员.csv").read_bytes() != (tmp_path / "c" / "成员.csv").read_bytes()


def test_money_cells_have_no_float_artefacts(tmp_path):
    _write(tmp_path)
    money = re.compile(r"^\d+\.\d\d$")
    with (tmp_path / "成员.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(money.match(row["月转移性收入"]) for row in rows)
    assert all(row["身份证号"].isdigit() or row["身份证号"][-1] == "X" for row in rows)


def test_importer_parser_accepts_output(tmp_path):
    reader = pytest.importorskip("doudi.registry.importing.reader")
    parse = pytest.importorskip("doudi.registry.importing.parse")
    errors_mod = pytest.importorskip("doudi.core.tabular.errors")
    regions = county_regions(11)
    write_registry_csv(tmp_path, generate(11, regions, 3_000))
    errors = errors_mod.ErrorList()
    parsed = parse.parse_tables(reader.open_registry([tmp_path]), {r.code for r in villages(regions)}, errors)
    parse.check_benefit_holders(parsed, errors)
    assert not errors, [str(e) for e in errors.items[:5]]
    assert len(parsed.members) == 3_000


def test_xlsx_sheets_and_determinism(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    regions = county_regions(4)
    for name in ("a.xlsx", "b.xlsx"):
        write_registry_xlsx(tmp_path / name, generate(4, regions, 400))
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    book = openpyxl.load_workbook(tmp_path / "a.xlsx", read_only=True)
    assert book.sheetnames == ["家庭", "成员", "保障"]
    members = list(book["成员"].iter_rows(values_only=True))
    assert list(members[0]) == list(SHEETS["成员"]) and len(members) == 401
    assert all(isinstance(row[2], str) and len(row[2]) == 18 for row in members[1:])


def test_cli_county(tmp_path, capsys):
    assert main(["--scale", "county", "--seed", "2", "--persons", "800", "--out", str(tmp_path), "--xlsx"]) == 0
    for name in ("区划.csv", "家庭.csv", "成员.csv", "保障.csv", "登记名册.xlsx"):
        assert (tmp_path / name).exists()
    with (tmp_path / "成员.csv").open(encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == 801
    assert "完成" in capsys.readouterr().err


def test_cli_refuses_huge_xlsx(tmp_path):
    assert main(["--scale", "province", "--out", str(tmp_path), "--xlsx"]) == 2
