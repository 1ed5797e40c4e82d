"""Shared fixtures: a small region tree and one user per role."""

import csv
from pathlib import Path

import pytest

from doudi.core import idnumber
from doudi.core.models import Region
from doudi.core.roles import Role
from doudi.core.services import user_create
from doudi.registry.importing.columns import SHEETS

COUNTY = "140521"
TOWNSHIP_A, TOWNSHIP_B = "140521100", "140521101"
VILLAGE_A1, VILLAGE_A2, VILLAGE_B1 = "140521100201", "140521100202", "140521101201"


@pytest.fixture
def regions(db):
    rows = [
        ("14", "山西省", "province", None),
        ("1405", "晋城市", "city", "14"),
        (COUNTY, "沁水县", "county", "1405"),
        (TOWNSHIP_A, "龙港镇", "township", COUNTY),
        (TOWNSHIP_B, "中村镇", "township", COUNTY),
        (VILLAGE_A1, "东关村", "village", TOWNSHIP_A),
        (VILLAGE_A2, "西关村", "village", TOWNSHIP_A),
        (VILLAGE_B1, "中村村", "village", TOWNSHIP_B),
    ]
    for code, name, level, parent in rows:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)


@pytest.fixture
def users(regions):
    spec = {
        "admin": (Role.COUNTY_ADMIN, COUNTY),
        "staff": (Role.COUNTY_STAFF, COUNTY),
        "staff2": (Role.COUNTY_STAFF, COUNTY),
        "clerk_a": (Role.TOWNSHIP_CLERK, TOWNSHIP_A),
        "clerk_b": (Role.TOWNSHIP_CLERK, TOWNSHIP_B),
        "helper_a1": (Role.VILLAGE_HELPER, VILLAGE_A1),
        "finance": (Role.FINANCE, COUNTY),
        "supervisor": (Role.SUPERVISOR, COUNTY),
        "uploader": (Role.DEPT_UPLOADER, COUNTY),
    }
    return {
        name: user_create(username=name, password="pass-" + name, role=role, region_code=code)
        for name, (role, code) in spec.items()
    }


def person_id(region6: str, birth: str, seq: int) -> str:
    return idnumber.with_check_digit(f"{region6}{birth}{seq:03d}")


def household_row(code, region=VILLAGE_A1, **extra):
    row = {
        "户编号": code,
        "行政区划代码": region,
        "户籍性质(城镇/农村)": "农村",
        "详细地址": "东关村1号",
        "金融资产": "1000",
        "机动车数量": "0",
        "机动车价值": "0",
        "房产套数": "1",
        "市场主体数量": "0",
        "近12月医疗自付": "0",
        "近12月教育支出": "0",
    }
    row.update(extra)
    return row


def member_row(household, name, number, relation="户主", **extra):
    row = {h: "" for h in (c.header for c in SHEETS["成员"])}
    row.update(
        {
            "户编号": household,
            "姓名": name,
            "身份证号": number,
            "与户主关系": relation,
            "是否重病": "否",
            "自理能力": "全自理",
            "是否就业": "否",
            "月工资性收入": "0",
            "月转移性收入": "150",
            "有履行能力的法定义务人(是/否)": "否",
            "开户银行": "农村信用社",
            "银行账号": "6228480012345678901",
        }
    )
    row.update(extra)
    return row


def benefit_row(household, category="低保", number="", amount="900", since="2023-04-01", mode="", **extra):
    row = {
        "户编号": household,
        "身份证号(个人类别填写)": number,
        "保障类别": category,
        "开始日期": since,
        "月保障金额": amount,
        "供养方式(分散/集中)": mode,
        "供养机构": "",
    }
    row.update(extra)
    return row


def write_registry(folder: Path, households, members, benefits) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, rows in (("家庭", households), ("成员", members), ("保障", benefits)):
        headers = [c.header for c in SHEETS[sheet]]
        with (folder / f"{sheet}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=headers)
            writer.writeheader()
            writer.writerows(rows)
    return folder


@pytest.fixture
def small_registry(tmp_path):
    """Two households in township A, one in township B."""
    zhang, li, wang, zhao = (
        person_id(COUNTY, "19500312", 1),
        person_id(COUNTY, "19520101", 2),
        person_id(COUNTY, "19800505", 13),
        person_id(COUNTY, "19451111", 21),
    )
    folder = write_registry(
        tmp_path / "reg",
        [household_row("H001"), household_row("H002", VILLAGE_A2), household_row("H003", VILLAGE_B1)],
        [
            member_row("H001", "张三", zhang),
            member_row("H001", "李四", li, "配偶"),
            member_row("H002", "王五", wang, 残疾类别="肢体", 残疾等级="2"),
            member_row("H003", "赵六", zhao),
        ],
        [
            benefit_row("H001"),
            benefit_row("H002", "特困", wang, "1280", mode="分散"),
            benefit_row("H003", "低保边缘", amount="0"),
        ],
    )
    return {"folder": folder, "ids": {"张三": zhang, "李四": li, "王五": wang, "赵六": zhao}}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is right for production and slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def spark():
    """One local Spark session per test run (about 5 s to start; docs/design.md §3)."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("doudi-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "Asia/Shanghai")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(autouse=True)
def _jobs_run_inline(settings):
    settings.DOUDI_JOBS_SYNC = True
