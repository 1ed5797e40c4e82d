"""DOUDI_POLICY_DIR: county parameter files read beside the shipped tree (issue 11 A1, A2, A4).

A file there for a region replaces the shipped file for that region; edits are picked up
without a restart; a missing folder or a bad file is refused with a Chinese message naming
the file and the key, and a running process keeps the values it had.
"""

import datetime as dt
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from doudi.rules import RulesError, assess
from doudi.rules.cli import assess_main
from doudi.rules.parameters import ROOT, load_tree, policy_dir, tree_problem
from doudi.rules.policy import load_policy, parameter, provenance

REPO = Path(__file__).parents[3]
JAN = dt.date(2025, 1, 1)
HOUSEHOLD = {
    "households": [
        {
            "id": "H1",
            "region": "140521100201",
            "hukou": "rural",
            "assets": {"financial": 1000, "vehicles": [], "properties": 1, "businesses": 0},
            "members": [
                {
                    "id_number": "140521195003120018",
                    "name": "张三",
                    "relation": "head",
                    "capable_supporter": True,
                    "income_monthly": {"transfer": 150},
                }
            ],
            "current": [],
        }
    ]
}
RURAL_700 = (
    'region: "140521"\nname: 沁水县\nparameters:\n  dibao.standard.rural:\n    unit: yuan\n    values:\n'
    '      - {from: 2024-01-01, value: 700, ref: "沁民发〔2025〕1号"}\n'
)


def household(region: str) -> dict:
    data = json.loads(json.dumps(HOUSEHOLD))
    data["households"][0]["region"] = region
    return data


def dibao(result) -> int:
    return next(b["monthly_amount"] for b in result["results"][0]["benefits"] if b["category"] == "dibao")


@pytest.fixture
def county_dir(tmp_path, monkeypatch):
    folder = tmp_path / "policy"
    folder.mkdir()
    monkeypatch.setenv("DOUDI_POLICY_DIR", str(folder))
    return folder


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    stamp = path.stat().st_mtime_ns + 2_000_000_000  # a later mtime even on coarse file systems
    os.utime(path, ns=(stamp, stamp))
    return path


def test_without_the_setting_only_the_shipped_files(monkeypatch):
    monkeypatch.delenv("DOUDI_POLICY_DIR", raising=False)
    assert policy_dir() is None
    assert dibao(assess(HOUSEHOLD, "140521", "2025-01")) == 640 - 150


def test_a_county_file_replaces_the_shipped_one(county_dir):
    write(county_dir, "140521.yaml", RURAL_700)
    assert dibao(assess(HOUSEHOLD, "140521", "2025-01")) == 700 - 150
    resolved = load_policy("140521").resolve("140521", JAN)
    assert resolved["dibao.standard.rural"].file == str(county_dir / "140521.yaml")
    # Replaced, not merged: the shipped county's own values are gone, the city's apply.
    assert resolved["dibao.increment.elderly"].region != "140521"
    assert load_tree()["140521"].origin == "county" and load_tree()["1405"].origin == "shipped"


def test_a_county_without_a_shipped_file_and_subfolders(county_dir):
    (county_dir / "14").mkdir()
    write(county_dir / "14", "140522.yaml", RURAL_700.replace("140521", "140522").replace("沁水县", "阳城县"))
    assert dibao(assess(household("140522100201"), "1405", "2025-01")) == 700 - 150


def test_an_edit_is_picked_up_without_a_restart(county_dir):
    write(county_dir, "140521.yaml", RURAL_700)
    assert dibao(assess(HOUSEHOLD, "140521", "2025-01")) == 550
    write(county_dir, "140521.yaml", RURAL_700.replace("value: 700", "value: 720"))
    assert dibao(assess(HOUSEHOLD, "140521", "2025-01")) == 570
    (county_dir / "140521.yaml").unlink()
    assert dibao(assess(HOUSEHOLD, "140521", "2025-01")) == 490  # the shipped file again


def test_a_missing_folder_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DOUDI_POLICY_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(RulesError, match="DOUDI_POLICY_DIR.*不存在"):
        assess(HOUSEHOLD, "140521", "2025-01")
    (tmp_path / "file.yaml").write_text("", encoding="utf-8")
    monkeypatch.setenv("DOUDI_POLICY_DIR", str(tmp_path / "file.yaml"))
    with pytest.raises(RulesError, match="不是文件夹"):
        policy_dir()


BAD = {
    "unknown key": (
        "  dibao.standard.rurall: {unit: yuan, values: [{from: 2025-01-01, value: 700, ref: X}]}",
        "dibao.standard.rurall",
        "未知参数名",
    ),
    "wrong unit": (
        "  dibao.standard.rural: {unit: ratio, values: [{from: 2025-01-01, value: 700, ref: X}]}",
        "dibao.standard.rural.unit",
        "单位应为 yuan",
    ),
    "amount with text": (
        "  dibao.standard.rural: {unit: yuan, values: [{from: 2025-01-01, value: 700元, ref: X}]}",
        "dibao.standard.rural.values[0].value",
        "不是数字",
    ),
    "overlapping dates": (
        (
            "  dibao.standard.rural:\n    unit: yuan\n    values:\n"
            "      - {from: 2025-01-01, until: 2025-06-30, value: 700, ref: X}\n"
            "      - {from: 2025-03-01, value: 720, ref: Y}"
        ),
        "dibao.standard.rural",
        "日期重叠",
    ),
    "missing 文号": (
        "  dibao.standard.rural: {unit: yuan, values: [{from: 2025-01-01, value: 700}]}",
        "dibao.standard.rural.values[0]",
        "缺少文号 ref",
    ),
    "payment parameter": (
        "  schedule.tekun: {unit: schedule, values: [{from: 2025-01-01, value: weekly, ref: X}]}",
        "schedule.tekun.values[0].value",
        "monthly:日 或 quarterly:日",
    ),
    "fund without shares": (
        "  fund.dibao: {unit: fund, values: [{from: 2025-01-01, value: nosuchfund, ref: X}]}",
        "fund.dibao",
        "没有定义资金分担比例",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_county_file_is_refused_naming_file_and_key(county_dir, case):
    body, key, reason = BAD[case]
    path = write(county_dir, "140521.yaml", f'region: "140521"\nparameters:\n{body}\n')
    with pytest.raises(RulesError) as info:
        assess(HOUSEHOLD, "140521", "2025-01")
    text = str(info.value)
    assert str(path) in text and key in text and reason in text, text


def test_a_bad_edit_keeps_the_previous_values_in_force(county_dir):
    write(county_dir, "140521.yaml", RURAL_700)
    assert dibao(assess(HOUSEHOLD, "140521", "2025-01")) == 550 and tree_problem() is None
    write(county_dir, "140521.yaml", RURAL_700.replace("value: 700", "value: 七百"))
    assert dibao(assess(HOUSEHOLD, "140521", "2025-01")) == 550  # the running process keeps what it had
    problem = tree_problem()
    assert "140521.yaml" in problem and "dibao.standard.rural.values[0].value" in problem and "仍在使用" in problem
    write(county_dir, "140521.yaml", RURAL_700.replace("value: 700", "value: 710"))
    assert dibao(assess(HOUSEHOLD, "140521", "2025-01")) == 560 and tree_problem() is None


def test_two_files_for_one_region_are_refused(county_dir):
    write(county_dir, "140521.yaml", RURAL_700)
    (county_dir / "old").mkdir()
    write(county_dir / "old", "140521.yaml", RURAL_700)
    with pytest.raises(RulesError, match="区划 140521 已在"):
        load_tree()


def test_payment_parameters_are_in_the_same_tree_and_inherit(county_dir):
    national = parameter("schedule.tekun", "140521", JAN)
    assert national.value == "quarterly:10" and national.ref == "晋民发〔2022〕38号" and national.region == "00"
    assert national.file == str(ROOT / "national.yaml")
    assert parameter("fund_shares.assistance", "140521100", JAN).value["central"] == Decimal("0.6")
    write(
        county_dir,
        "140521.yaml",
        'region: "140521"\nparameters:\n  schedule.tekun:\n    unit: schedule\n'
        '    values: [{from: 2025-01-01, value: "monthly:15", ref: "沁民发〔2025〕2号"}]\n',
    )
    assert parameter("schedule.tekun", "140521100", JAN).value == "monthly:15"
    assert parameter("schedule.tekun", "140521", dt.date(2024, 12, 1)).value == "quarterly:10"
    assert parameter("schedule.tekun", "500240", JAN).value == "quarterly:10"
    with pytest.raises(RulesError, match="没有生效的值"):
        parameter("schedule.tekun", "140521", dt.date(2019, 1, 1))
    with pytest.raises(RulesError, match="未知参数"):
        parameter("schedule.nothing", "140521", JAN)


def test_provenance_names_the_region_whose_values_are_used(county_dir):
    assert provenance("140521") is None and provenance("140521100201") is None
    assert provenance("140522") == "本县未配置参数，使用晋城市（1405）的参数（含演示值）。"
    assert provenance("140622").startswith("本县未配置参数，使用山西省（14）的参数")
    assert provenance("500101").startswith("本县未配置参数，使用重庆市（50）的参数")
    assert provenance("140521") is None and provenance("14") is None  # not a county
    write(county_dir, "140522.yaml", RURAL_700.replace("140521", "140522"))
    assert provenance("140522") is None


def cli(args, env_dir, stdin=None):
    env = dict(os.environ)
    env.pop("DOUDI_POLICY_DIR", None)
    if env_dir is not None:
        env["DOUDI_POLICY_DIR"] = str(env_dir)
    return subprocess.run(
        [sys.executable, "-m", "doudi.rules.cli", "-", *args],
        check=False,
        input=json.dumps(stdin or HOUSEHOLD),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )


def test_cli_reads_the_folder_and_says_where_values_come_from(county_dir, tmp_path):
    write(county_dir, "140521.yaml", RURAL_700)
    proc = cli(["--policy", "140521", "--month", "2025-01"], county_dir)
    assert proc.returncode == 0 and dibao(json.loads(proc.stdout)) == 550 and proc.stderr == ""
    proc = cli(["--policy", "1405", "--month", "2025-01"], county_dir, household("140522100201"))
    assert proc.returncode == 0 and dibao(json.loads(proc.stdout)) == 600 - 150
    assert "本县未配置参数，使用晋城市（1405）的参数" in proc.stderr
    proc = cli(["--policy", "140521", "--month", "2025-01"], tmp_path / "missing")
    assert proc.returncode == 2 and proc.stdout == "" and "DOUDI_POLICY_DIR" in proc.stderr and "不存在" in proc.stderr


def test_cli_in_process_prints_the_notice_on_stderr(county_dir, tmp_path, capsys):
    path = tmp_path / "h.json"
    path.write_text(json.dumps(household("140522100201")), encoding="utf-8")
    assert assess_main([str(path), "--policy", "14", "--month", "2025-01"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["results"][0]["household"] == "H1"
    assert "晋城市（1405）" in captured.err


def test_no_private_helpers_imported_across_packages_and_one_loader():
    for path in (REPO / "doudi").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        private = re.compile(r"from doudi\.rules\.(parameters|policy|schema|editing) import \(?[^)\n]*\b_\w+")
        if "doudi/rules/" not in str(path):
            assert not private.search(text), path
        if "doudi/payments/" in str(path):
            assert not re.search(r"from doudi\.rules[.\w]* import \(?[^)\n]*\b_\w+", text), path
        if "doudi/rules/" not in str(path) and "/tests/" not in str(path):
            # Nobody else reads region parameter files: every consumer calls the rules' loader with its defaults.
            assert not re.search(r"load_tree\([^)]", text), path
            assert "yaml_implicit_resolvers" not in text, path
    assert not list((REPO / "doudi" / "payments" / "parameters").glob("national.yaml"))


def test_an_edit_within_the_clock_tick_is_not_missed(county_dir):
    """Same size, same mtime (a coarse clock), a file added with the folder's mtime unchanged."""
    path = county_dir / "140521.yaml"
    path.write_text(RURAL_700, encoding="utf-8")
    stamp = path.stat().st_mtime_ns
    assert dibao(assess(HOUSEHOLD, "140521", "2025-01")) == 550
    path.write_text(RURAL_700.replace("value: 700", "value: 720"), encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))
    assert dibao(assess(HOUSEHOLD, "140521", "2025-01")) == 570
    folder_stamp = county_dir.stat().st_mtime_ns
    (county_dir / "140522.yaml").write_text(RURAL_700.replace("140521", "140522"), encoding="utf-8")
    os.utime(county_dir, ns=(folder_stamp, folder_stamp))
    assert provenance("140522") is None
