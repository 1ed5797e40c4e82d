"""Region trees: codes follow 统计用区划代码 rules and every county is a real, current one."""

import csv
from collections import Counter

from doudi.core import idnumber
from doudi.synth import county_regions, province_regions, villages, write_regions_csv
from doudi.synth.regions import QINSHUI_TOWNSHIPS, _current_name

LENGTHS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


def _check_tree(rows):
    codes = [r.code for r in rows]
    assert len(codes) == len(set(codes))
    known = set(codes)
    for row in rows:
        assert len(row.code) == LENGTHS[row.level] and row.code.isdigit()
        if row.level == "province":
            assert row.parent_code is None
        else:
            assert row.parent_code in known and row.code.startswith(row.parent_code)


def test_county_tree_shape():
    rows = county_regions(1)
    _check_tree(rows)
    levels = Counter(r.level for r in rows)
    assert levels["province"] == levels["city"] == levels["county"] == 1
    assert 10 <= levels["township"] <= 14
    assert 170 <= levels["village"] <= 240
    names = {r.code: r.name for r in rows}
    assert names["14"] == "山西省" and names["1405"] == "晋城市" and names["140521"] == "沁水县"
    assert names["140521100"] == "龙港镇" and names["140521101"] == "中村镇"
    assert all(r.name.endswith(("村", "社区")) for r in rows if r.level == "village")
    assert all(r.name.endswith(("乡", "镇")) for r in rows if r.level == "township")


def test_village_codes_and_names_follow_conventions():
    rows = county_regions(3)
    for row in villages(rows):
        serial = int(row.code[9:])
        assert (row.name.endswith("社区") and 1 <= serial < 200) or (row.name.endswith("村") and serial >= 201)
    per_county = Counter(r.name for r in villages(rows))
    assert max(per_county.values()) == 1  # village names are unique within the county


def test_county_regions_deterministic_and_seeded():
    assert county_regions(5) == county_regions(5)
    assert county_regions(5) != county_regions(6)


def test_province_uses_current_real_counties():
    rows = province_regions(1)
    _check_tree(rows)
    levels = Counter(r.level for r in rows)
    assert levels["city"] == 11
    assert 110 <= levels["county"] <= 125
    assert levels["village"] > 15_000
    counties = [r for r in rows if r.level == "county"]
    assert not any(r.name == "市辖区" or "[" in r.name for r in counties)
    for county in counties:  # stdnum knows every county: an ID number may start with it
        idnumber.normalize(idnumber.with_check_digit(county.code + "19600101002"))
    names = {r.code: r.name for r in rows}
    assert names["140521"] == "沁水县" and names["140502"] == "城区" and "140211" not in names  # 南郊区 ended 2018
    qinshui = [(r.code, r.name) for r in rows if r.level == "township" and r.parent_code == "140521"]
    assert qinshui == list(QINSHUI_TOWNSHIPS)


def test_current_name_parsing():
    assert _current_name("[-1991]东郊区,[1992-]东丽区") == "东丽区"
    assert _current_name("[1985-]沁水县") == "沁水县"
    assert _current_name("[1993-2018]大同县") is None
    assert _current_name("清徐县") == "清徐县"


def test_regions_csv(tmp_path):
    rows = county_regions(1)
    path = tmp_path / "区划.csv"
    assert write_regions_csv(path, rows) == len(rows)
    with path.open(encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["区划代码", "名称", "级别", "上级区划代码"]
    assert table[1] == ["14", "山西省", "省", ""]
    assert {line[2] for line in table[1:]} == {"省", "市", "县", "乡镇", "村"}
