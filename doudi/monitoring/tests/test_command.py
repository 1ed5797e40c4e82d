import csv
import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from doudi.monitoring.models import ComparisonRun, Warning
from doudi.monitoring.tests.conftest import EXPECTED

pytestmark = pytest.mark.django_db
HEADER = ["rule", "id_number", "name", "household", "township", "level", "detail"]


def test_compare_writes_csv_with_bom_and_stores_warnings(planted, tmp_path):
    out = tmp_path / "预警.csv"
    call_command("compare", as_of="2025-06-15", out=str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == HEADER and len(rows) == len(EXPECTED) + 1
    death = next(r for r in rows if r[0] == "deceased")
    assert death[1:6] == [planted["ids"]["张三"], "张三", "H001", "140521100", "red"]
    assert json.loads(death[6])["months_overpaid"] == 5
    assert Warning.objects.count() == len(EXPECTED)


def test_compare_writes_json_lines(planted, tmp_path):
    out = tmp_path / "warnings.jsonl"
    call_command("compare", "--as-of", "2025-06-15", "--engine", "duckdb", "--out", str(out))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(EXPECTED) and set(lines[0]) == set(HEADER)
    assert next(x for x in lines if x["rule"] == "high_medical")["detail"]["household_self_pay"] == "23000.00"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--engine", "oracle"], "未知的计算引擎「oracle」"),
        (["--as-of", (dt.date.today() + dt.timedelta(days=3)).isoformat()], "晚于今天"),
        (["--as-of", "2025-13-01"], "格式不对"),
        (["--out", "x.txt"], "扩展名应为 .csv"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_writes_nothing(planted, tmp_path, args, message):
    options = {"--as-of": "2025-06-15", "--out": str(tmp_path / "w.csv")}
    for flag, value in zip(args[::2], args[1::2]):
        options[flag] = value if flag != "--out" else str(tmp_path / value)
    with pytest.raises(CommandError, match=message):
        call_command("compare", *[x for pair in options.items() for x in pair])
    assert not (tmp_path / "w.csv").exists() and not ComparisonRun.objects.exists()


def test_no_datasets_imported_is_refused(users, tmp_path):
    with pytest.raises(CommandError, match="尚未导入"):
        call_command("compare", "--as-of", "2025-06-15", "--out", str(tmp_path / "w.csv"))
