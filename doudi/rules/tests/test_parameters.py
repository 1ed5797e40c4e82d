"""Unit tests of the parameter loader, the policy resolution, the CLI and explain."""

import datetime as dt
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from doudi.rules import RulesError, assess, explain
from doudi.rules.cli import assess_main
from doudi.rules.parameters import ROOT, load_tree, parse_file
from doudi.rules.policy import load_policy

SPEC = {
    "households": [
        {
            "id": "H0001",
            "region": "140521100201",
            "hukou": "rural",
            "assets": {"financial": 8000, "vehicles": [{"kind": "car", "value": 30000}], "properties": 1, "businesses": 0},
            "expenses_12m": {"medical": 24000, "education": 0},
            "members": [
                {
                    "id_number": "140521195003120018",
                    "name": "张三",
                    "relation": "head",
                    "disability": {"kind": "limb", "level": 2},
                    "serious_illness": False,
                    "self_care": "partial",
                    "employed": False,
                    "student": None,
                    "capable_supporter": False,
                    "income_monthly": {"wage": 0, "business": 0, "property": 0, "transfer": 150, "exempt": 0},
                }
            ],
            "current": [{"category": "dibao", "person": None, "since": "2023-04-01", "monthly_amount": 900}],
        }
    ]
}


def write(tmp_path, text, name="140521.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_tree_loads_and_resolves_mid_year_change():
    policy = load_policy("140521")
    june = policy.resolve("140521", dt.date(2024, 6, 1))["dibao.standard.rural"]
    july = policy.resolve("140521", dt.date(2024, 7, 1))["dibao.standard.rural"]
    assert (june.value, july.value) == (Decimal(600), Decimal(640))
    assert july.ref.startswith("沁民发") and july.start == dt.date(2024, 7, 1)
    single = policy.resolve("140521", dt.date(2024, 7, 1))["dibao_single.disability_list"]
    assert single.ref == "晋民发〔2022〕38号" and "intellectual:3" in single.value and single.region == "14"


@pytest.mark.parametrize(
    "body,needle",
    [
        ("dibao.standard.rural: {unit: yuan, values: [{value: 600, ref: X}]}", "缺少生效日期 from"),
        ("dibao.standard.rural: {unit: yuan, values: [{from: 2024-01-01, value: 600}]}", "缺少文号 ref"),
        ("dibao.standard.rural: {unit: ratio, values: [{from: 2024-01-01, value: 600, ref: X}]}", "单位应为 yuan"),
        ("dibao.standard.rural: {unit: yuan, values: [{from: 2024-01-01, value: 600元, ref: X}]}", "不是数字"),
        ("dibao_edge.ratio: {unit: ratio, values: [{from: 2024-01-01, value: 600, ref: X}]}", "过大"),
        ("dibao.taper.months: {unit: months, values: [{from: 2024-01-01, value: 2.5, ref: X}]}", "应为整数"),
        ("dibao_single.serious_illness: {unit: bool, values: [{from: 2024-01-01, value: 1, ref: X}]}", "true 或 false"),
        ("tekun.disability_list: {unit: list, values: [{from: 2024-01-01, value: ['limb:5'], ref: X}]}", "等级 1–4"),
        ("tekun.disability_list: {unit: list, values: [{from: 2024-01-01, value: ['leg:1'], ref: X}]}", "残疾类别"),
        ("rounding.mode: {unit: choice, values: [{from: 2024-01-01, value: nearest, ref: X}]}", "可选值"),
        ("dibao.standard.rurall: {unit: yuan, values: [{from: 2024-01-01, value: 600, ref: X}]}", "未知参数名"),
        ("dibao.standard.rural: {unit: yuan, values: [{from: 2024-13-01, value: 600, ref: X}]}", "YYYY-MM-DD"),
        (
            "dibao.standard.rural:\n    unit: yuan\n    values:\n"
            "      - {from: 2024-01-01, value: 600, ref: X}\n      - {from: 2024-01-01, value: 640, ref: Y}",
            "日期重叠",
        ),
        (
            "dibao.standard.rural:\n    unit: yuan\n    values:\n"
            "      - {from: 2024-01-01, until: 2024-08-01, value: 600, ref: X}\n"
            "      - {from: 2024-07-01, value: 640, ref: Y}",
            "日期重叠",
        ),
    ],
)
def test_bad_parameter_file_names_file_and_key(tmp_path, body, needle):
    path = write(tmp_path, f'region: "140521"\nparameters:\n  {body}\n')
    with pytest.raises(RulesError) as info:
        parse_file(path, "140521")
    assert needle in str(info.value) and str(path) in str(info.value)


def test_region_in_file_must_match_file_name(tmp_path):
    path = write(tmp_path, 'region: "140522"\nparameters: {}\n')
    with pytest.raises(RulesError, match="文件名表明区划 140521"):
        parse_file(path, "140521")


def test_national_root_must_be_complete(tmp_path):
    write(tmp_path, 'region: "00"\nparameters: {}\n', "national.yaml")
    with pytest.raises(RulesError, match="全国默认文件必须给出每个参数"):
        load_tree(str(tmp_path))


def test_until_falls_back_to_parent_after_a_temporary_value(tmp_path):
    shutil.copytree(ROOT, tmp_path / "p")
    (tmp_path / "p" / "14" / "140521.yaml").write_text(
        'region: "140521"\nparameters:\n  dibao.standard.rural:\n    unit: yuan\n    values:\n'
        "      - {from: 2024-01-01, until: 2024-03-31, value: 999, ref: 临时}\n",
        encoding="utf-8",
    )
    policy = load_policy("140521", tmp_path / "p")
    assert policy.resolve("140521", dt.date(2024, 3, 1))["dibao.standard.rural"].value == 999
    assert policy.resolve("140521", dt.date(2024, 4, 1))["dibao.standard.rural"].value == 600  # 晋城市


def test_month_before_any_value_refuses(tmp_path):
    with pytest.raises(RulesError, match="没有生效的值"):
        assess(SPEC, "140521", "2019-05")


def test_what_if_policy_file_overrides_county(tmp_path):
    path = write(
        tmp_path,
        'region: "140521"\nparameters:\n  tekun.care.partial:\n    unit: yuan\n'
        "    values: [{from: 2024-01-01, value: 500, ref: 测算}]\n",
        "whatif.yaml",
    )
    result = assess(SPEC, str(path), "2025-01")["results"][0]
    assert result["benefits"][0]["monthly_amount"] == 832 + 500


@pytest.mark.parametrize("policy,needle", [("99", "未知区划 99"), ("1405211", "2、4或6位"), ("nofile.yaml", "既不是")])
def test_unknown_policy(policy, needle):
    with pytest.raises(RulesError, match=needle):
        load_policy(policy)


def test_spec_example():
    """The interface example (docs/interfaces.md §3) decides as documented (its speed is measured in bench/rules_bench.py, not here)."""
    result = assess(SPEC, "140521", "2025-01")
    assert result["results"][0]["benefits"][0] == {
        "category": "tekun",
        "person": "140521195003120018",
        "monthly_amount": 1280,
        "mode": "dispersed",
    }


def test_bad_household_names_household_member_field():
    bad = json.loads(json.dumps(SPEC))
    bad["households"][0]["members"][0]["income_monthly"]["wage"] = "abc"
    bad["households"][0]["current"][0]["category"] = "dibaoo"
    with pytest.raises(RulesError) as info:
        assess(bad, "140521", "2025-01")
    text = str(info.value)
    assert "第1户（H0001）" in text and "张三" in text and "income_monthly.wage" in text and "dibaoo" in text


def test_household_outside_policy_region():
    with pytest.raises(RulesError, match="不在政策区划 50"):
        assess(SPEC, "50", "2025-01")


def test_explain_lists_parameters_with_ref():
    out = explain(SPEC, "140521", "2025-01")
    step = next(s for s in out["steps"] if s["rule"] == "dibao_standard")
    assert step["value"] == 640 and step["parameters"][0]["ref"] == "沁民发〔2024〕21号（演示）"
    assert step["parameters"][0]["from"] == "2024-07-01"
    assert any(s["rule"] == "tekun_fail_has_capable_supporter" and s["person"] for s in out["steps"])


def test_cli_stdin_and_errors(tmp_path, capsys, monkeypatch):
    path = tmp_path / "h.json"
    path.write_text(json.dumps(SPEC), encoding="utf-8")
    assert assess_main([str(path), "--policy", "140521", "--month", "2025-01"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["household"] == "H0001"
    path.write_text("{bad", encoding="utf-8")
    assert assess_main([str(path), "--policy", "140521", "--month", "2025-01"]) == 2
    assert "不是合法的 JSON" in capsys.readouterr().err
    assert assess_main([str(tmp_path / "h.json"), "--policy", "140521", "--month", "2025-1x"]) == 2
    proc = subprocess.run(
        [sys.executable, "-m", "doudi.rules.cli", "-", "--policy", "140521", "--month", "2025-01"],
        input=json.dumps(SPEC),
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[3],
    )
    assert proc.returncode == 0 and json.loads(proc.stdout)["month"] == "2025-01"


def test_no_django_in_rules_package():
    import re

    for path in Path(__file__).parents[1].rglob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+django", path.read_text(encoding="utf-8"), re.M), path
