"""Payment parameters are rule-tree parameters (issue 11 A2): one loader, DOUDI_POLICY_DIR
applies to payroll and price subsidy, `doudi payroll build` says whose parameters it used."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doudi.core.models import Region
from doudi.payments import params, price
from doudi.payments.models import PaymentLine, PayrollRun
from doudi.payments.payroll import payroll_build
from doudi.rules.errors import RulesError

pytestmark = pytest.mark.django_db
JAN = dt.date(2025, 1, 1)


@pytest.fixture
def county_dir(tmp_path, monkeypatch):
    folder = tmp_path / "policy"
    folder.mkdir()
    monkeypatch.setenv("DOUDI_POLICY_DIR", str(folder))
    return folder


def county_file(folder: Path, body: str, code: str = "140521") -> Path:
    path = folder / f"{code}.yaml"
    path.write_text(f'region: "{code}"\nname: 沁水县\nparameters:\n{body}', encoding="utf-8")
    return path


def test_typed_accessors_over_the_rules_tree():
    schedule = params.value("schedule.tekun", "140521", JAN)
    assert schedule == params.Schedule("quarterly", 10) and schedule.months == 3
    assert params.value("backpay.months", "140521100", JAN) == 12 and isinstance(
        params.value("backpay.months", "140521", JAN), int
    )
    assert params.fund_shares("assistance", JAN) == {
        "central": Decimal("0.6"),
        "province": Decimal("0.2"),
        "city": Decimal("0.1"),
        "county": Decimal("0.1"),
    }
    assert {"assistance", "county", "temp_assist"} <= set(params.fund_codes())
    entry = params.entry("price_subsidy.trigger.cpi", "140521", dt.date(2022, 9, 1))
    assert entry.value == Decimal("3.0") and entry.ref == "发改价格〔2022〕1250号"
    assert params.value("price_subsidy.groups", "140521", JAN)[0] == "dibao"


def test_payroll_build_reads_the_county_folder(county, county_dir):
    county_file(
        county_dir,
        "  schedule.tekun:\n    unit: schedule\n"
        '    values: [{from: 2025-01-01, value: "monthly:15", ref: "沁民发〔2025〕2号"}]\n',
    )
    runs = {r["category"]: r for r in payroll_build(period="2025-01")}
    assert runs["tekun"]["through"] == "2025-01"  # monthly now, not the national quarterly
    assert PayrollRun.objects.get(item="tekun").due == dt.date(2025, 1, 15)


def test_fund_of_a_county_file_is_used_for_the_lines(county, county_dir):
    county_file(
        county_dir, '  fund.dibao:\n    unit: fund\n    values: [{from: 2025-01-01, value: county, ref: "沁财发〔2025〕1号"}]\n'
    )
    payroll_build(period="2025-01", category="dibao")
    assert set(PaymentLine.objects.values_list("fund", flat=True)) == {"county"}


def test_bad_payment_value_in_the_folder_is_refused_naming_file_and_key(county, county_dir, capsys):
    path = county_file(county_dir, "  backpay.months: {unit: months, values: [{from: 2025-01-01, value: 99, ref: X}]}\n")
    with pytest.raises(CommandError) as info:
        call_command("payroll", "build", "--period", "2025-01")
    assert str(path) in str(info.value) and "backpay.months" in str(info.value) and "0–36" in str(info.value)
    assert not PayrollRun.objects.exists()


def test_payroll_command_says_whose_parameters_a_county_uses(county, capsys):
    Region.objects.create(code="140522", name="阳城县", level="county", parent_id="1405")
    call_command("payroll", "build", "--period", "2025-01", "--region", "140522")
    err = capsys.readouterr().err
    assert "阳城县" in err and "本县未配置参数，使用晋城市（1405）的参数" in err
    call_command("payroll", "build", "--period", "2025-01", "--region", "140521")
    assert "未配置参数" not in capsys.readouterr().err


def test_price_subsidy_reads_the_county_folder(money_county, county_dir):
    county_file(
        county_dir,
        "  price_subsidy.trigger.cpi:\n    unit: percent\n"
        '    values: [{from: 2022-01-01, value: 2.5, ref: "沁发改〔2022〕1号"}]\n',
    )
    july = price.price_subsidy_run(month="2022-07", cpi="2.7", food="5.0", region="140521")
    assert july["counties"][0]["triggered"] and july["counties"][0]["trigger_cpi"] == "2.5"


def test_old_loader_is_gone_and_backpay_validation_message_kept(tmp_path):
    assert not hasattr(params, "load_tree") and not hasattr(params, "_value")
    bad = tmp_path / "140521.yaml"
    bad.write_text(
        'region: "140521"\nparameters:\n  price_subsidy.trigger.cpi: {unit: percent, values: '
        "[{from: 2025-01-01, value: 60, ref: X}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(RulesError, match="百分数"):
        params.parse_file(bad)
    out = json.dumps([str(p.name) for p in (Path(params.__file__).parent / "parameters").iterdir()])
    assert "national.yaml" not in out


def test_doudi_refuses_to_start_on_a_missing_folder(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, DOUDI_POLICY_DIR=str(tmp_path / "missing"), DOUDI_ENV="development")
    proc = subprocess.run(
        [sys.executable, "-m", "doudi.cli", "payroll", "build", "--period", "2025-01"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parents[3],
        check=False,
    )
    assert proc.returncode == 2 and "DOUDI_POLICY_DIR" in proc.stderr and "不存在" in proc.stderr
    assert "Traceback" not in proc.stderr
