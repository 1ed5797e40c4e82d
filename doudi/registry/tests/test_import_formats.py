"""What clerks actually hand in (docs/interfaces.md §4, §7): short headers, Chinese words for codes,
GBK/GB18030 CSVs from Excel, person-level 低收入人口 rows, optional special-group
columns; and what is refused with a message: unknown villages (once), binary files,
decompression bombs. `--json` prints the refusal as JSON."""

import csv
import io
import json
import time
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import (
    COUNTY,
    VILLAGE_A1,
    benefit_row,
    household_row,
    member_row,
    person_id,
    write_registry,
)
from doudi.core.models import Region
from doudi.core.services import regions_load
from doudi.core.tabular.errors import ImportRejected
from doudi.registry.importing import reader
from doudi.registry.models import Benefit, Household, Person
from doudi.registry.services import registry_import

HEAD, WIFE, SON = person_id(COUNTY, "19500312", 1), person_id(COUNTY, "19520101", 2), person_id(COUNTY, "19800505", 13)


def _family(tmp_path, benefits, **member_extra):
    return write_registry(
        tmp_path / "r",
        [household_row("H001")],
        [
            member_row("H001", "张三", HEAD, **member_extra),
            member_row("H001", "李四", WIFE, "配偶"),
            member_row("H001", "张小", SON, "子女"),
        ],
        benefits,
    )


def _messages(paths) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        registry_import(paths=paths)
    assert Household.objects.count() == 0 and Benefit.objects.count() == 0
    return [str(e) for e in caught.value.errors]


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _rewrite(path, *, headers=None, encoding="utf-8", cells=None):
    """Rewrites a CSV: renamed headers, replaced cell values, another encoding."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0] = [(headers or {}).get(h, h) for h in rows[0]]
    rows[1:] = [[(cells or {}).get(c, c) for c in row] for row in rows[1:]]
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)


# -- F1: 低收入人口 per person or per household --------------------------------------------
def test_low_income_person_rows_are_accepted(users, tmp_path):
    folder = _family(tmp_path, [benefit_row("H001", "低收入人口", HEAD, "0"), benefit_row("H001", "low_income", WIFE, "0")])
    summary = registry_import(paths=[folder])
    assert summary["benefits_new"] == 2
    held = Benefit.objects.filter(category="low_income").order_by("person_key")
    assert [(b.person.id_number, b.person_key) for b in held] == [(HEAD, HEAD), (WIFE, WIFE)]
    assert registry_import(paths=[folder])["benefits_new"] == 0  # re-import changes nothing


def test_low_income_household_row_still_means_every_member(users, tmp_path):
    registry_import(paths=[_family(tmp_path, [benefit_row("H001", "低收入人口", amount="0")])])
    assert Benefit.objects.get(category="low_income").person is None


def test_low_income_both_ways_in_one_household_is_refused(users, tmp_path):
    folder = _family(tmp_path, [benefit_row("H001", "低收入人口", amount="0"), benefit_row("H001", "低收入人口", SON, "0")])
    messages = _messages([folder])
    assert any("保障.csv 第3行" in m and "已按户登记" in m for m in messages), messages


def test_low_income_person_must_be_a_member(users, tmp_path):
    stranger = person_id(COUNTY, "19700101", 5)
    messages = _messages([_family(tmp_path, [benefit_row("H001", "低收入人口", stranger, "0")])])
    assert any("不是户「H001」的成员" in m for m in messages), messages


# -- F2: short headers, Chinese words, special groups -----------------------------------
SHORT = {
    "户籍性质(城镇/农村)": "户籍性质",
    "有履行能力的法定义务人(是/否)": "有履行能力的法定义务人",
    "身份证号(个人类别填写)": "身份证号",
    "供养方式(分散/集中)": "供养方式",
}


def test_short_headers_and_full_width_parentheses(users, tmp_path):
    folder = _family(
        tmp_path, [benefit_row("H001"), benefit_row("H001", "特困", SON, "1280", mode="集中供养", 供养机构="中心敬老院")]
    )
    for name in ("家庭", "成员"):
        _rewrite(folder / f"{name}.csv", headers=SHORT)
    _rewrite(
        folder / "保障.csv",
        headers={
            "身份证号(个人类别填写)": "身份证号",
            "供养方式(分散/集中)": "供养方式（分散/集中）",
            "月保障金额": "月保障金额(元)",
        },
    )
    summary = registry_import(paths=[folder])
    assert summary["households_new"] == 1 and summary["benefits_new"] == 2
    assert Benefit.objects.get(category="tekun").support_mode == "centralized"


@pytest.mark.parametrize(
    "column, word, field, expected",
    [
        ("残疾类别", "肢体残疾", "disability_kind", "limb"),
        ("残疾类别", "limb", "disability_kind", "limb"),
        ("残疾类别", "精神残疾", "disability_kind", "mental"),
        ("残疾等级", "二级", "disability_level", 2),
        ("残疾等级", "2", "disability_level", 2),
        ("残疾等级", "贰级", "disability_level", 2),
        ("残疾等级", "２级", "disability_level", 2),
        ("自理能力", "半失能", "self_care", "partial"),
        ("自理能力", "partial", "self_care", "partial"),
        ("自理能力", "完全丧失生活自理能力", "self_care", "none"),
        ("与户主关系", "head", "relation", "head"),
        ("与户主关系", "本人", "relation", "head"),
        ("是否重病", "true", "serious_illness", True),
        ("是否就业", "是", "employed", True),
        ("在校阶段", "中专", "school_stage", "vocational"),
    ],
)
def test_member_values_as_codes_or_words(users, tmp_path, column, word, field, expected):
    registry_import(paths=[_family(tmp_path, [benefit_row("H001")], **{column: word})])
    assert getattr(Person.objects.get(id_number=HEAD), field) == expected


def test_household_and_benefit_values_as_codes(users, tmp_path):
    folder = write_registry(
        tmp_path / "r",
        [household_row("H001", **{"户籍性质(城镇/农村)": "urban"})],
        [member_row("H001", "张三", HEAD)],
        [benefit_row("H001", "dibao"), benefit_row("H001", "tekun", HEAD, "1280", mode="dispersed")],
    )
    registry_import(paths=[folder])
    assert Household.objects.get().hukou == "urban"
    assert Benefit.objects.get(category="tekun").support_mode == "dispersed"


def test_special_group_columns_are_accepted(users, tmp_path):
    folder = _family(tmp_path, [benefit_row("H001")])
    _add_columns(
        folder / "成员.csv",
        {"特殊困难老年人": ["独居；空巢", "计生特殊", ""], "困境儿童": ["", "", "留守儿童"], "精神障碍患者": ["否", "是", ""]},
    )
    assert registry_import(paths=[folder])["persons_new"] == 3


def test_special_group_words_are_checked(users, tmp_path):
    folder = _family(tmp_path, [benefit_row("H001")])
    _add_columns(folder / "成员.csv", {"困境儿童": ["", "", "流浪儿童"], "精神障碍患者": ["也许", "", ""]})
    messages = _messages([folder])
    assert any("第4行" in m and "「困境儿童」列" in m and "孤儿、事实无人抚养儿童、留守儿童、其他" in m for m in messages), (
        messages
    )
    assert any("第2行" in m and "「精神障碍患者」列" in m for m in messages), messages


def _add_columns(path, columns: dict):
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    for name, values in columns.items():
        if name in rows[0]:
            at = rows[0].index(name)
            for row, value in zip(rows[1:], values):
                row[at] = value
        else:
            rows[0].append(name)
            for row, value in zip(rows[1:], values):
                row.append(value)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


# -- F3: unknown villages: import the regions first --------------------------------------
def test_unknown_villages_say_import_regions_first_once(users, tmp_path):
    households = [household_row(f"H{n:03d}", region=f"1405211992{n:02d}") for n in range(1, 41)]
    members = [member_row(f"H{n:03d}", "张三", person_id(COUNTY, "19500312", n)) for n in range(1, 41)]
    messages = _messages([write_registry(tmp_path / "r", households, members, [])])
    hints = [m for m in messages if "请先导入行政区划：doudi import regions 区划.csv" in m]
    assert len(hints) == 1 and messages[0] == hints[0] and "40" in hints[0]


def test_empty_region_table_gives_one_message_not_a_flood(db, tmp_path):
    households = [household_row(f"H{n:03d}") for n in range(1, 41)]
    members = [member_row(f"H{n:03d}", "张三", person_id(COUNTY, "19500312", n)) for n in range(1, 41)]
    messages = _messages([write_registry(tmp_path / "r", households, members, [])])
    assert len(messages) == 1 and "系统中还没有行政区划" in messages[0] and "doudi import regions 区划.csv" in messages[0]


# -- F4: --json on refusal --------------------------------------------------------------
def test_json_prints_the_errors_of_a_refused_registry_import(users, tmp_path):
    folder = _family(tmp_path, [benefit_row("H001", "补贴")])
    out = io.StringIO()
    with pytest.raises(CommandError, match="导入被拒绝"):
        call_command("import", "registry", str(folder), "--json", stdout=out, stderr=io.StringIO())
    result = json.loads(out.getvalue())
    assert result["status"] == "rejected" and result["total"] == 1
    assert result["errors"][0]["file"] == "保障.csv" and result["errors"][0]["row"] == 2
    assert "未知的保障类别" in result["errors"][0]["message"] and "未知的保障类别" in result["errors"][0]["text"]


# -- A12: GBK / GB18030 CSV ---------------------------------------------------------------
@pytest.mark.parametrize(
    "encoding, label", [("gbk", "GB18030"), ("gb18030", "GB18030"), ("utf-8-sig", "UTF-8"), ("utf-8", "UTF-8")]
)
def test_csv_in_gbk_gb18030_or_utf8_is_read(users, tmp_path, encoding, label):
    folder = _family(tmp_path, [benefit_row("H001")])
    for name in ("家庭", "成员", "保障"):
        _rewrite(folder / f"{name}.csv", encoding=encoding)
    out, _ = _run("registry", str(folder))
    assert "新增家庭 1" in out and f"编码：{label}" in out
    assert Person.objects.get(id_number=HEAD).name == "张三"


def test_gb18030_only_characters_in_names(users, tmp_path):
    folder = _family(tmp_path, [benefit_row("H001")], 姓名="张䶮")  # U+4DAE: in GB18030, not in GBK
    _rewrite(folder / "成员.csv", encoding="gb18030")
    registry_import(paths=[folder])
    assert Person.objects.get(id_number=HEAD).name == "张䶮"


@pytest.mark.parametrize(
    "content, says",
    [
        (b"PK\x03\x04\x14\x00\x00\x00" + bytes(range(256)) * 4, "Excel"),
        (bytes(range(256)) * 8, "不是文本文件"),
        ("户编号".encode("utf-16"), "UTF-16"),
    ],
)
def test_binary_csv_is_refused_naming_the_file(users, tmp_path, content, says):
    folder = _family(tmp_path, [benefit_row("H001")])
    (folder / "家庭.csv").write_bytes(content)
    messages = _messages([folder])
    assert len(messages) == 1 and messages[0].startswith("家庭.csv") and says in messages[0], messages


def test_regions_csv_in_gb18030_with_short_parent_header(db, tmp_path):
    path = tmp_path / "区划.csv"
    path.write_text(
        "区划代码,名称,级别,上级代码\n140521,沁水县,县,1405\n140521100,龙港镇,乡镇,140521\n140521100201,东关村,村,140521100\n",
        encoding="gb18030",
    )
    assert regions_load(path=path) == 3
    assert Region.objects.get(code="140521100201").name == "东关村"
    out, _ = _run("regions", str(path))
    assert "已导入行政区划 3 条" in out and "GB18030" in out


def test_regions_wrong_header_is_refused(db, tmp_path):
    path = tmp_path / "区划.csv"
    path.write_text("代码,名称,级别,上级\n140521,沁水县,县,1405\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        regions_load(path=path)
    assert "区划代码,名称,级别,上级区划代码" in str(caught.value.errors[0])


# -- A5: decompression bombs ---------------------------------------------------------------
def bomb_xlsx(path, expanded: int):
    """A valid workbook (家庭, 成员, 保障) whose 成员 sheet XML carries `expanded` bytes of
    padding inside an XML comment: tiny on disk, huge when inflated."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "家庭"
    book.create_sheet("成员")
    book.create_sheet("保障")
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename != "xl/worksheets/sheet2.xml":
                target.writestr(item, data)
                continue
            with target.open(item.filename, "w") as out:
                # The comment goes after the XML declaration, if any (it must stay first).
                head, tail = data.split(b"?>", 1) if data.startswith(b"<?xml") else (b"", data)
                out.write(head + (b"?>" if head else b"") + b"<!--")
                block = b" " * (1 << 20)
                for _ in range(expanded >> 20):
                    out.write(block)
                out.write(b"-->" + tail)
    return path


def test_xlsx_bomb_is_refused_before_reading(users, tmp_path, monkeypatch):
    path = bomb_xlsx(tmp_path / "台账.xlsx", 100 << 20)
    assert path.stat().st_size < 2 << 20

    def never(*args, **kwargs):
        raise AssertionError("calamine must not open a bomb")

    import python_calamine

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", never)
    started = time.monotonic()
    messages = _messages([path])
    assert time.monotonic() - started < 5
    assert len(messages) == 1 and messages[0].startswith("台账.xlsx") and "解压" in messages[0], messages


def test_expanded_size_limit_is_a_parameter(tmp_path):
    path = bomb_xlsx(tmp_path / "a.xlsx", 3 << 20)
    with pytest.raises(ImportRejected) as caught:  # compresses 1000×: refused on the ratio alone
        reader.check_zip_size(path)
    assert "倍" in str(caught.value.errors[0])
    reader.check_zip_size(path, max_ratio=10**6)
    with pytest.raises(ImportRejected) as caught:
        reader.check_zip_size(path, max_expanded=2 << 20, max_ratio=10**6)
    assert "解压后共 3 MB，超过上限 2 MB" in str(caught.value.errors[0])


def test_a_zip_lying_about_sizes_is_refused(tmp_path):
    path = bomb_xlsx(tmp_path / "a.xlsx", 4 << 20)
    data = bytearray(path.read_bytes())
    # The central directory entry of the padded sheet now says 1 KB: its ratio looks
    # harmless, so only inflating it (and the CRC) shows the lie.
    name = b"xl/worksheets/sheet2.xml"
    at = data.find(b"PK\x01\x02")
    while data[at + 46 : at + 46 + len(name)] != name:
        at = data.find(b"PK\x01\x02", at + 4)
    data[at + 24 : at + 28] = (1024).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(ImportRejected) as caught:
        reader.check_zip_size(path)
    assert "损坏" in str(caught.value.errors[0])


def test_ordinary_xlsx_still_imports(users, tmp_path):
    import openpyxl

    folder = _family(tmp_path, [benefit_row("H001")])
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in ("家庭", "成员", "保障"):
        sheet = book.create_sheet(name)
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                sheet.append(row)
    book.save(tmp_path / "台账.xlsx")
    assert registry_import(paths=[tmp_path / "台账.xlsx"])["persons_new"] == 3
    assert Household.objects.get().region_id == VILLAGE_A1


def test_web_preview_says_which_encoding_was_read(client, users, tmp_path):
    """A GB18030 CSV uploaded through the page is read, and the preview says so."""
    from conftest import benefit_row, household_row, member_row, person_id, write_registry

    folder = write_registry(
        tmp_path / "gbk",
        [household_row("H001")],
        [member_row("H001", "张三", person_id("140521", "19500312", 1))],
        [benefit_row("H001")],
    )
    for name in ("家庭", "成员", "保障"):
        path = folder / f"{name}.csv"
        path.write_bytes(path.read_text(encoding="utf-8-sig").encode("gb18030"))
    client.force_login(users["admin"])
    files = [(folder / f"{n}.csv").open("rb") for n in ("家庭", "成员", "保障")]
    try:
        page = client.post("/import/", {"files": files}, follow=True).content.decode()
    finally:
        for handle in files:
            handle.close()
    assert "文件编码：GB18030" in page and "新增家庭 1" in page
