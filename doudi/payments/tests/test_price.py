"""价格临时补贴: the 2022-07 food-CPI rise, the lowered 2022-08 trigger, once per person,
department lists, deadlines by date."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import COUNTY, person_id
from doudi.payments import price
from doudi.payments.models import PaymentLine, PayrollRun
from doudi.payments.runs import PayrollError

pytestmark = pytest.mark.django_db


def test_july_2022_food_rise_triggers_with_amounts_and_deadline(money_county, capsys):
    call_command("price-subsidy", "--month", "2022-07", "--cpi", "2.7", "--food", "6.3", "--region", "14")
    result = json.loads(capsys.readouterr().out)
    (county,) = result["counties"]
    assert county["triggered"] and county["basis"] == "food" and county["rise"] == "6.3"
    # 2022 standards (national defaults, 演示): rural 500 × 6.3% = 31.5 → 32; urban 700 × 6.3% = 44.1 → 44.
    assert (county["amount_rural"], county["amount_urban"]) == ("32", "44")
    assert county["deadline"] == "2022-08-31"  # released 2022-08-10; same month since 发改价格〔2021〕1553号
    assert county["groups"]["dibao"] == {"people": 11, "amount": f"{10 * 32 + 44}.00"}
    assert county["groups"]["tekun"] == {"people": 2, "amount": "64.00"}
    people = {p["id_number"]: p for p in county["persons"]}
    assert people[money_county["urban"]]["amount"] == "44.00" and len(people) == 13
    assert county["totals"]["people"] == 13 and county["totals"]["amount"] == "428.00"


def test_cpi_trigger_lowered_for_august_2022_and_not_triggered_before(money_county):
    july = price.price_subsidy_run(month="2022-07", cpi="3.2", food="5.0", region="140521")
    assert not july["counties"][0]["triggered"] and july["counties"][0]["trigger_cpi"] == "3.5"
    assert not PayrollRun.objects.filter(item="price_subsidy").exists()
    august = price.price_subsidy_run(month="2022-08", cpi="3.2", food="5.0", region="140521")
    assert august["counties"][0]["basis"] == "cpi" and august["counties"][0]["amount_rural"] == "16"


def test_higher_rise_wins_and_each_person_paid_once_across_groups(money_county, users):
    veteran = money_county["H101"]  # a 低保 household head who is also an 优抚对象
    outsider = person_id(COUNTY, "19650101", 77)
    price.external_recipients_load(
        group="youfu",
        month="2022-08",
        rows=[
            {"身份证号": veteran, "姓名": "户主1", "行政区划代码": "140521100201"},
            {"身份证号": outsider, "姓名": "优抚甲", "行政区划代码": "140521101201", "户籍性质": "农村", "银行账号": "6222"},
        ],
    )
    result = price.price_subsidy_run(month="2022-08", cpi="3.1", food="6.5", region="140521")
    (county,) = result["counties"]
    assert county["rise"] == "6.5" and county["amount_rural"] == "33"  # both triggered: 6.5 > 3.1; 500 × 6.5% = 32.5 → 33
    lines = PaymentLine.objects.filter(item="price_subsidy")
    assert lines.filter(holder_key=veteran).count() == 1 and lines.get(holder_key=veteran).group_code == "dibao"
    external = lines.get(holder_key=outsider)
    assert (external.group_code, external.fund, external.household_id) == ("youfu", "youfu_province", None)


def test_deadline_twenty_working_days_under_the_2016_rule(money_county):
    result = price.price_subsidy_run(month="2021-01", cpi="1", food="7", region="140521", released=dt.date(2021, 2, 10))
    # Released Wed 10 Feb 2021; Spring Festival holiday 11–17 Feb, Sat 20 Feb a make-up workday: the 20th working day is 16 March.
    assert result["counties"][0]["deadline"] == "2021-03-16"


def test_bad_input(money_county):
    with pytest.raises(PayrollError, match="-50 到 50"):
        price.price_subsidy_run(month="2022-07", cpi="63", food="1", region="14")
    with pytest.raises(PayrollError, match="未知区划"):
        price.price_subsidy_run(month="2022-07", cpi="1", food="1", region="99")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("price-subsidy", "--month", "2022/07", "--cpi", "1", "--food", "1")
    with pytest.raises(PayrollError, match="第3行 身份证号"):
        price.external_recipients_load(
            group="unemployment",
            month="2022-08",
            rows=[
                {"身份证号": money_county["urban"], "姓名": "甲", "行政区划代码": "140521100201"},
                {"身份证号": "123", "姓名": "乙", "行政区划代码": "140521100201"},
            ],
        )
    assert Decimal(0) == sum(PaymentLine.objects.values_list("amount", flat=True))


def test_department_lists_from_the_datasets(money_county, users, tmp_path, settings):
    from doudi.datasets.services import dataset_import

    settings.DATA_DIR = tmp_path / "data"
    veteran, jobless, ended = (
        person_id(COUNTY, "19650101", 77),
        person_id(COUNTY, "19700202", 78),
        person_id(COUNTY, "19710303", 79),
    )
    (tmp_path / "youfu.csv").write_text(f"身份证号,姓名,优抚类别\n{veteran},优抚甲,伤残军人\n", encoding="utf-8")
    (tmp_path / "unemployment.csv").write_text(
        f"身份证号,姓名,起始月份,终止月份,月金额\n{jobless},失业乙,2022-05,2022-12,1500\n{ended},失业丙,2021-01,2022-03,1400\n",
        encoding="utf-8",
    )
    for kind in ("youfu", "unemployment"):
        dataset_import(kind=kind, path=tmp_path / f"{kind}.csv", as_of="2022-08-01", user=users["uploader"])
    assert price.external_recipients_from_datasets(month="2022-08", region="140521") == {"youfu": 1, "unemployment": 1}
    result = price.price_subsidy_run(month="2022-08", cpi="3.1", food="2", region="140521")
    groups = result["counties"][0]["groups"]
    assert groups["youfu"]["people"] == 1 and groups["unemployment"]["people"] == 1
    assert PaymentLine.objects.get(holder_key=jobless).fund == "unemployment"
