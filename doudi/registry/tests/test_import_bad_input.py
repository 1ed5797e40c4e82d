"""Bad registry files: every one is refused with a message naming where, and nothing
is written."""

import csv

import openpyxl
import pytest

from conftest import COUNTY, benefit_row, household_row, member_row, person_id, write_registry
from doudi.core.models import AuditEntry
from doudi.core.tabular.errors import ImportRejected
from doudi.registry.models import Benefit, Household, Person
from doudi.registry.services import registry_import


def rejected(paths) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        registry_import(paths=paths)
    assert Household.objects.count() == 0 and Person.objects.count() == 0 and Benefit.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    return [str(e) for e in caught.value.errors]


def one_household(tmp_path, *, household=None, members=None, benefits=None):
    number = person_id(COUNTY, "19500312", 1)
    return write_registry(
        tmp_path / "r",
        household or [household_row("H001")],
        members or [member_row("H001", "张三", number)],
        benefits if benefits is not None else [benefit_row("H001")],
    )


def test_wrong_headers(users, tmp_path):
    folder = one_household(tmp_path)
    text = (folder / "家庭.csv").read_text(encoding="utf-8").replace("金融资产", "存款")
    (folder / "家庭.csv").write_text(text, encoding="utf-8")
    messages = rejected([folder])
    assert any("家庭.csv" in m and "未知的列「存款」" in m for m in messages)
    assert any("缺少列：金融资产" in m for m in messages)


def test_missing_sheet_in_xlsx(users, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "家庭"
    book.create_sheet("成员")
    book.save(tmp_path / "台账.xlsx")
    assert rejected([tmp_path / "台账.xlsx"]) == ["台账.xlsx：缺少工作表「保障」；应包含工作表：家庭、成员、保障"]


@pytest.mark.parametrize(
    "bad_id, message",
    [
        ("140521195003120011", "校验位错误"),
        ("140521195002300016", "出生日期不存在"),
        ("14052119500312", "应为18位"),
        ("14052119500312001?", "字符"),
    ],
)
def test_invalid_id_numbers(users, tmp_path, bad_id, message):
    folder = one_household(tmp_path, members=[member_row("H001", "张三", bad_id)])
    messages = rejected([folder])
    assert any("成员.csv" in m and "第2行" in m and "「身份证号」列" in m and message in m for m in messages), messages


def test_unknown_region(users, tmp_path):
    folder = one_household(tmp_path, household=[household_row("H001", region="140521199299")])
    messages = rejected([folder])
    assert any("家庭.csv 第2行 「行政区划代码」列" in m and "未知的行政区划代码" in m for m in messages), messages


def test_duplicate_id_and_person_in_two_households(users, tmp_path):
    a, b = person_id(COUNTY, "19500312", 1), person_id(COUNTY, "19600101", 3)
    folder = one_household(
        tmp_path,
        household=[household_row("H001"), household_row("H002")],
        members=[
            member_row("H001", "张三", a),
            member_row("H001", "张三", a, "子女"),
            member_row("H002", "王五", b),
            member_row("H001", "王五", b.lower(), "其他"),
        ],
    )
    messages = rejected([folder])
    assert any("第3行" in m and "身份证号重复（与第2行相同）" in m for m in messages)
    assert any("第5行" in m and "同一人出现在两个家庭" in m for m in messages)


def test_text_in_number_column_and_bad_choice(users, tmp_path):
    folder = one_household(
        tmp_path,
        household=[household_row("H001", 金融资产="很多", 房产套数="1.5")],
        members=[member_row("H001", "张三", person_id(COUNTY, "19500312", 1), 自理能力="还行")],
    )
    messages = rejected([folder])
    assert any("「金融资产」列" in m and "应为数字" in m and "很多" in m for m in messages)
    assert any("「房产套数」列" in m and "整数" in m for m in messages)
    assert any("「自理能力」列" in m and "全自理" in m for m in messages)


def test_empty_files(users, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    for name in ("家庭", "成员", "保障"):
        (folder / f"{name}.csv").write_text("", encoding="utf-8")
    messages = rejected([folder])
    assert any("「家庭」为空" in m for m in messages)


def test_missing_csv_in_folder(users, tmp_path):
    folder = one_household(tmp_path)
    (folder / "保障.csv").unlink()
    assert rejected([folder]) == ["文件夹 r：缺少文件 保障.csv"]


def test_not_text(users, tmp_path):
    # GBK/GB18030 is read now (test_import_formats.py); a file that is no text is refused.
    folder = one_household(tmp_path)
    (folder / "家庭.csv").write_bytes(bytes(range(256)) * 8)
    assert any("家庭.csv" in m and "不是文本文件" in m for m in rejected([folder]))


def test_benefit_rules(users, tmp_path):
    number = person_id(COUNTY, "19500312", 1)
    folder = one_household(
        tmp_path,
        benefits=[
            benefit_row("H001", "低保", number),
            benefit_row("H001", "特困"),
            benefit_row("H001", "补贴"),
            benefit_row("H009"),
            benefit_row("H001", "特困", person_id(COUNTY, "19700101", 5)),
        ],
    )
    messages = rejected([folder])
    assert any("第2行" in m and "按户保障，身份证号应留空" in m for m in messages)
    assert any("第3行" in m and "按人保障，须填写身份证号" in m for m in messages)
    assert any("第4行" in m and "未知的保障类别" in m for m in messages)


def test_unknown_household_reference_and_missing_head(users, tmp_path):
    folder = one_household(
        tmp_path, members=[member_row("H001", "张三", person_id(COUNTY, "19500312", 1), "配偶")], benefits=[benefit_row("H009")]
    )
    messages = rejected([folder])
    assert any("保障.csv 第2行" in m and "户编号在「家庭」表和系统中都不存在" in m for m in messages)
    assert any("新建家庭须在「成员」表中有一名户主" in m for m in messages)


def test_large_file_with_one_bad_row_at_the_end(users, tmp_path):
    """A 50 MB member file; the single bad row near the end is named exactly."""
    folder = one_household(tmp_path)
    path = folder / "成员.csv"
    rows = 460000
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        row = list(member_row("H001", "李四", "", "子女").values())
        for n in range(rows):
            birth = f"19{40 + n % 50:02d}{1 + n // 50 % 12:02d}{1 + n // 600 % 28:02d}"
            row[2] = person_id(COUNTY, birth, 100 + n // 16800)
            writer.writerow(row)
        row[2] = "not-an-id"
        writer.writerow(row)
    assert path.stat().st_size > 50 * 10**6
    messages = rejected([folder])
    assert messages == [f"成员.csv 第{rows + 3}行 「身份证号」列：身份证号含有数字和末位 X 以外的字符（值：not-an-id）"]


@pytest.mark.parametrize("account", ['=HYPERLINK("http://x","y")', "@SUM(A1)", "62284800\t12345678901"])
def test_formula_like_or_control_bank_accounts_are_refused(users, tmp_path, account):
    number = person_id(COUNTY, "19500312", 1)
    folder = one_household(tmp_path, members=[member_row("H001", "张三", number, 银行账号=account)])
    messages = rejected([folder])
    assert any("成员.csv 第2行 「银行账号」列" in m and "银行账号" in m for m in messages), messages
