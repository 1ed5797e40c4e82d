"""The comparison decides as the rules package does and as each county's parameters say
(issue 11 C): the pension rule on the rules' own income, per category; vehicle words,
live business statuses and pension schemes as parameters; labour capacity as the rules'
field (age counted on the month's first or last day); 已纳入保障 apart from 经济状况核对;
monitored people who are not in the register at all."""

import csv
import datetime as dt
from pathlib import Path

import pytest

from conftest import COUNTY, VILLAGE_A1, VILLAGE_B1, benefit_row, household_row, member_row, person_id, write_registry
from doudi.datasets.kinds import KINDS
from doudi.datasets.services import dataset_import
from doudi.monitoring import inputs
from doudi.monitoring.runner import compute_findings
from doudi.registry.services import registry_import
from doudi.rules.policy import load_policy

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 6, 15)  # 沁水 rural standard 640 since 2024-07-01; edge line 1.5 × standard
SUPPORTED = {"有履行能力的法定义务人(是/否)": "是"}  # so the 单人保 holders are not 特困 by the rules
P = {  # name → (household, birth, seq, extra member columns)
    "甲": ("H101", "19800510", 1, {"残疾类别": "肢体", "残疾等级": "2", **SUPPORTED}),
    "乙": ("H101", "19820820", 2, {"月工资性收入": "1500"}),
    "丙": ("H102", "19800511", 3, {"残疾类别": "肢体", "残疾等级": "1", **SUPPORTED}),
    "丁": ("H102", "19820821", 4, {"月工资性收入": "1500"}),
    "戊": ("H103", "19800512", 5, {"残疾类别": "肢体", "残疾等级": "2", **SUPPORTED}),
    "己": ("H103", "19820822", 6, {"月工资性收入": "1300"}),
    "庚": ("H103", "19850101", 7, {"月工资性收入": "700"}),
    "壬": ("H104", "19500101", 8, {}),
    "癸": ("H104", "19520101", 9, {"月转移性收入": "150"}),
    "子": ("H105", "19650620", 10, {}),
}
OUTSIDER_OLD = person_id(COUNTY, "19500101", 901)  # not in the register, 75, lives in township A
OUTSIDER_YOUNG = person_id(COUNTY, "19900101", 902)
OUTSIDER_AWAY = person_id("410102", "19500101", 903)  # lives in Henan: not this comparison's
OUTSIDER_NOWHERE = person_id(COUNTY, "19400101", 904)  # no 所在区划代码: nobody to send it to


def pid(name: str) -> str:
    _household, birth, seq, _extra = P[name]
    return person_id(COUNTY, birth, seq)


def _write(folder: Path, kind: str, rows, extra=()) -> Path:
    path = folder / f"{kind}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(KINDS[kind].headers + tuple(extra))
        writer.writerows(rows)
    return path


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"


@pytest.fixture
def county(users, tmp_path):
    households = [household_row(code) for code in ("H101", "H102", "H103")]
    households += [household_row("H104", 近12月医疗自付="24000"), household_row("H105", VILLAGE_B1)]
    seen, members = set(), []
    for name, (household, _birth, _seq, extra) in P.items():
        members.append(
            member_row(household, name, pid(name), "配偶" if household in seen else "户主", **{"月转移性收入": "0", **extra})
        )
        seen.add(household)
    benefits = [
        benefit_row("H101", "低保边缘", amount="0"),
        benefit_row("H101", "单人保", pid("甲"), "700"),
        benefit_row("H102", "低保边缘", amount="0"),
        benefit_row("H102", "单人保", pid("丙"), "700"),
        benefit_row("H103", "低保边缘", amount="0"),
        benefit_row("H103", "单人保", pid("戊"), "700"),
        benefit_row("H104", amount="1130"),
        benefit_row("H105", "低收入人口", amount="0"),
    ]
    registry_import(paths=[write_registry(tmp_path / "reg", households, members, benefits)])
    datasets = {
        "pension": [
            (pid("乙"), "乙", "城乡居民基本养老保险", "100"),
            (pid("丁"), "丁", "企业职工基本养老保险", "600"),
            (pid("戊"), "戊", "机关事业单位养老保险", "700"),
            (pid("壬"), "壬", "城乡居民基本养老保险", "1500"),
        ],
        "vehicle": [
            (pid("癸"), "癸", "晋E00001", "三轮汽车", "2020-01-01"),
            (pid("癸"), "癸", "晋E00002", "低速货车", "2020-01-01"),
        ],
        "business": [(pid("壬"), "壬", "壬家种植专业合作社", "法定代表人", "5", "2019-01-01", "存续（在营、开业、在册）")],
    }
    for kind, rows in datasets.items():
        dataset_import(kind=kind, path=_write(tmp_path / "ds", kind, rows), as_of=AS_OF)
    monitored = [
        (pid("子"), "子", "边缘易致贫户", "2024-01-01", VILLAGE_B1),
        (OUTSIDER_OLD, "外甲", "突发严重困难户", "2024-01-01", VILLAGE_A1),
        (OUTSIDER_YOUNG, "外乙", "突发严重困难户", "2024-01-01", VILLAGE_A1),
        (OUTSIDER_AWAY, "外丙", "突发严重困难户", "2024-01-01", "410102100201"),
        (OUTSIDER_NOWHERE, "外丁", "突发严重困难户", "2024-01-01", ""),
    ]
    dataset_import(
        kind="poverty_monitoring", as_of=AS_OF, path=_write(tmp_path / "ds", "poverty_monitoring", monitored, ("所在区划代码",))
    )
    return tmp_path


@pytest.fixture
def county_policy(monkeypatch, tmp_path):
    """Runs the comparison with a county policy file on top of the shipped parameters."""

    def use(body: str):
        path = tmp_path / "140521-policy.yaml"
        path.write_text(f'region: "140521"\nname: 沁水县（测试）\nparameters:\n{body}', encoding="utf-8")
        monkeypatch.setattr(inputs, "load_policy", lambda _code: load_policy(str(path)))

    return use


def _found(rule: str, **kwargs) -> dict:
    findings, _ = compute_findings(as_of=AS_OF, **kwargs)
    return {f.id_number: f for f in findings if f.rule == rule}


def _param(name: str, unit: str, value: str) -> str:
    return f'  {name}:\n    unit: {unit}\n    values: [{{from: 2025-01-01, value: {value}, ref: "沁民发〔2025〕99号（测试）"}}]\n'


def test_pension_is_judged_on_the_rules_income_and_the_line_of_the_category_held(county):
    found = _found("pension_income")
    # An edge household is above the dibao standard by definition: 乙's pension (1500 + 100 ≥ 2 × 640)
    # is no warning, the household stays under the edge line 1920.
    assert pid("乙") not in found
    # Over the edge line (1500 + 600 ≥ 1920): the household is no longer edge, its 单人保 goes.
    edge = found[pid("丁")]
    assert edge.level == "orange" and edge.detail["basis"] == "低保边缘家庭月收入"
    assert (edge.detail["household_income"], edge.detail["line"], edge.detail["pension"]) == ("2100.00", "1920.00", "600.00")
    # The 单人保 holder's own pension (700 ≥ 640): her own test fails while the household stays edge (2700 < 2880).
    own = found[pid("戊")]
    assert own.detail["basis"] == "本人月收入" and own.detail["household_income"] == "700.00" and own.detail["members"] == 1
    # A dibao household: 1500 pension + 150 transfer ≥ 2 × 640.
    assert found[pid("壬")].detail["basis"] == "低保家庭月收入"
    assert set(found) == {pid("丁"), pid("戊"), pid("壬")}


def test_pension_uses_the_rules_deductions(county, county_policy):
    # 近12月医疗自付 24000: 2000 a month off the household's income where the county deducts it.
    county_policy(_param("income.rigid_deduction.enabled", "bool", "true"))
    assert pid("壬") not in _found("pension_income")


def test_pension_schemes_that_count_are_a_parameter(county, county_policy):
    county_policy(_param("compare.pension.schemes", "list", "[企业职工, 机关事业]"))
    found = _found("pension_income")
    assert pid("壬") not in found  # 城乡居民基本养老保险 does not count there
    assert {pid("丁"), pid("戊")} <= set(found)


def test_low_speed_vehicles_are_farm_vehicles_and_the_words_are_a_parameter(county, county_policy):
    assert pid("癸") not in _found("vehicle")  # 三轮汽车, 低速货车: 低速汽车, exempt as farm vehicles
    county_policy(_param("compare.vehicle.type_kinds", "list", '["货:truck", "*:car"]'))
    vehicles = _found("vehicle")[pid("癸")]
    assert vehicles.level == "red" and {i["plate"] for i in vehicles.detail["items"]} == {"晋E00001", "晋E00002"}


def test_live_business_statuses_are_a_parameter(county, county_policy):
    assert pid("壬") not in _found("business")  # the status text is not one of the listed ones
    county_policy(_param("compare.business.live_statuses", "list", "[存续, 在业, '存续（在营、开业、在册）']"))
    assert _found("business")[pid("壬")].detail["items"][0]["entity_name"] == "壬家种植专业合作社"


def test_monitored_people_outside_the_register_are_warned_with_their_township(county):
    found = _found("missed_monitoring")
    outsider = found[OUTSIDER_OLD]
    assert (outsider.name, outsider.household_code, outsider.township) == ("外甲", "", "140521100")
    assert outsider.detail == {"monitor_type": "突发严重困难户", "enrolled": "2024-01-01", "reason": "elderly"}
    assert outsider.person_id < 0 and outsider.household_id == 0
    # Able to work; another province's resident; no 所在区划代码: no warning.
    assert not {OUTSIDER_YOUNG, OUTSIDER_AWAY, OUTSIDER_NOWHERE} & set(found)
    # A comparison of township B leaves township A's outsider out.
    assert OUTSIDER_OLD not in _found("missed_monitoring", region_code="140521101")
    again = _found("missed_monitoring")[OUTSIDER_OLD]
    assert again.fingerprint == outsider.fingerprint


def test_labour_capacity_is_the_rules_field_with_the_county_age_day(county, county_policy):
    # 子 turns 60 on 20 June: on 1 June (the national default) still able to work.
    assert pid("子") not in _found("missed_monitoring")
    county_policy(_param("age.reference_day", "choice", "last_day"))
    assert _found("missed_monitoring")[pid("子")].detail["reason"] == "elderly"


def test_covered_and_means_tested_are_separate_parameters(county, county_policy):
    # No economic check for 单人保 households here: their pension, vehicle … checks go; 漏保 is unchanged.
    county_policy(
        _param("age.reference_day", "choice", "last_day") + _param("compare.means_tested_categories", "list", "[dibao, tekun]")
    )
    assert set(_found("pension_income")) == {pid("壬")}
    assert pid("子") in _found("missed_monitoring")
    # 低收入人口 counted as covered: 子 is no longer missed, the economic checks are unchanged.
    county_policy(
        _param("age.reference_day", "choice", "last_day")
        + _param("compare.covered_categories", "list", "[dibao, dibao_single, tekun, low_income]")
    )
    assert pid("子") not in _found("missed_monitoring")
    assert {pid("丁"), pid("戊"), pid("壬")} == set(_found("pension_income"))


@pytest.mark.spark
def test_spark_gives_the_same_warnings_on_the_rules_written_once(county, county_policy, spark):
    county_policy(_param("age.reference_day", "choice", "last_day"))
    duck, _ = compute_findings(as_of=AS_OF, engine_name="duckdb")
    sparked, _ = compute_findings(as_of=AS_OF, engine_name="spark", spark_session=spark)
    # Sorted here: runner.run_rules orders findings before their people (township, household) are attached.
    as_rows = lambda fs: sorted((f.rule, f.id_number, f.level, f.detail, f.fingerprint) for f in fs)  # noqa: E731
    assert as_rows(sparked) == as_rows(duck)
    assert {"pension_income", "missed_monitoring"} <= {f.rule for f in duck}


def test_a_comparison_with_monitored_people_outside_the_register_is_stored(county):
    """Such a finding goes to the output and the run's counts; no warning is stored (a warning
    is handled on a register person), and the run does not fail."""
    from doudi.monitoring.models import Warning
    from doudi.monitoring.services import comparison_run

    run, kept = comparison_run(as_of=AS_OF)
    outsiders = [f for f in kept if f.rule == "missed_monitoring" and f.person_id < 0]
    assert outsiders and run.counts["missed_monitoring"]["outside_register"] == len(outsiders)
    assert not Warning.objects.filter(rule="missed_monitoring", person__id_number=OUTSIDER_OLD).exists()
