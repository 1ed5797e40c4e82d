"""`doudi assess` on input that is not a households JSON file: a Chinese message, exit
status 2, nothing on stdout, never a traceback (docs/interfaces.md §1; issue 12, A11)."""

import json
import os
import subprocess
import sys

import pytest
import xlsxwriter

from doudi.rules.cli import assess_main
from doudi.rules.tests.casefile import build

GOOD, _ = build({"household": {"members": [{"name": "甲", "born": "1980-05-10", "wage": 600}]}}, {})


def run(path, capsys, *extra):
    status = assess_main([str(path), "--policy", "140521", "--month", "2024-06", *extra])
    out, err = capsys.readouterr()
    return status, out, err


def test_a_good_file_still_works(tmp_path, capsys):
    path = tmp_path / "家庭.json"
    path.write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    status, out, err = run(path, capsys)
    assert status == 0 and json.loads(out)["results"], err


def test_gbk_file(tmp_path, capsys):
    path = tmp_path / "家庭.json"
    path.write_bytes(json.dumps(GOOD, ensure_ascii=False).encode("gbk"))
    status, out, err = run(path, capsys)
    assert (status, out) == (2, "") and "UTF-8" in err and "家庭.json" in err


def test_binary_file(tmp_path, capsys):
    path = tmp_path / "照片.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    status, out, err = run(path, capsys)
    assert (status, out) == (2, "") and err.startswith("错误：") and "照片.json" in err


def test_excel_file(tmp_path, capsys):
    path = tmp_path / "家庭.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("家庭").write_row(0, 0, ["户编号", "行政区划代码"])
    book.close()
    status, out, err = run(path, capsys)
    assert (status, out) == (2, "") and "Excel" in err and "JSON" in err


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"households": ' + '{"a": ' * 5_000 + "1" + "}" * 5_000 + "}"])
def test_deeply_nested_json(tmp_path, capsys, text):
    path = tmp_path / "深.json"
    path.write_text(text, encoding="utf-8")
    status, out, err = run(path, capsys)
    assert (status, out) == (2, "") and "层" in err


@pytest.mark.parametrize("data", [[1, 2], "文本", {"households": {"id": "x"}}, {"households": [1, "x"]}, {}])
@pytest.mark.parametrize("explain", [False, True])
def test_wrong_shapes(tmp_path, capsys, data, explain):
    path = tmp_path / "形状.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    status, out, err = run(path, capsys, *(["--explain"] if explain else []))
    assert (status, out) == (2, "") and err.startswith("错误："), err


def test_through_the_doudi_command(tmp_path):
    path = tmp_path / "家庭.json"
    path.write_bytes(json.dumps(GOOD, ensure_ascii=False).encode("gbk"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOUDI_")}
    done = subprocess.run(
        [sys.executable, "-m", "doudi.cli", "assess", str(path), "--policy", "140521", "--month", "2024-06"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (2, "") and "Traceback" not in done.stderr and "UTF-8" in done.stderr
