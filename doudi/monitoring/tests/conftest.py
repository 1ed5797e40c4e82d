"""A small county with one planted case per comparison rule, plus near misses that must
not raise a warning (exempt vehicle, closed business, expired record, old settlement …)."""

import csv
import datetime as dt
from pathlib import Path

import pytest

from conftest import COUNTY, VILLAGE_A2, VILLAGE_B1, benefit_row, household_row, member_row, person_id, write_registry
from doudi.datasets.kinds import KINDS
from doudi.datasets.services import dataset_import
from doudi.registry.services import registry_import

AS_OF = dt.date(2025, 6, 15)
P = {  # name → (household, birth, seq)
    "张三": ("H001", "19500312", 1),
    "李四": ("H001", "19520101", 2),
    "王五": ("H002", "19800505", 13),
    "赵六": ("H003", "19451111", 21),
    "钱七": ("H004", "19700101", 31),
    "孙八": ("H004", "19720202", 32),
    "周九": ("H005", "19750303", 41),
    "吴十": ("H006", "19400404", 51),
    "郑一": ("H007", "19600606", 61),
    "褚四": ("H008", "19500707", 71),
    "卫五": ("H008", "19900808", 72),
    "蒋六": ("H003", "19480101", 22),
}


def pid(name: str) -> str:
    _household, birth, seq = P[name]
    return person_id(COUNTY, birth, seq)


def _registry(folder: Path) -> Path:
    households = [
        household_row("H001"),
        household_row("H002", VILLAGE_A2),
        household_row("H003", VILLAGE_B1),
        household_row("H004", VILLAGE_B1),
        household_row("H005"),
        household_row("H006", VILLAGE_A2),
        household_row("H007", VILLAGE_B1),
        household_row("H008"),
    ]
    members, seen = [], set()
    extra = {"王五": {"残疾类别": "肢体", "残疾等级": "2"}, "吴十": {"月转移性收入": "0"}}
    for name, (household, _birth, _seq) in P.items():
        relation = "配偶" if household in seen else "户主"
        seen.add(household)
        members.append(member_row(household, name, pid(name), relation, **extra.get(name, {})))
    benefits = [
        benefit_row("H001"),
        benefit_row("H002", "特困", pid("王五"), "1280", mode="分散"),
        benefit_row("H003", "低保边缘", amount="0"),
        benefit_row("H004"),
        benefit_row("H005"),
        benefit_row("H006", amount="500"),
        benefit_row("H007"),
        benefit_row("H008", "低收入人口", amount="0"),
    ]
    return write_registry(folder, households, members, benefits)


# kind → rows after 身份证号, 姓名
DATASETS = {
    "death": [("140521500312001", "张三", "2025-01-10")],  # legacy 15-digit number
    "vehicle": [
        (pid("钱七"), "钱七", "晋E12345", "小型轿车", "2020-05-01"),
        (pid("孙八"), "孙八", "晋E54321", "二轮摩托车", "2019-01-01"),
    ],
    "business": [
        (pid("孙八"), "孙八", "沁水某某商贸有限公司", "法定代表人", "100", "2018-01-01", "存续"),
        (pid("钱七"), "钱七", "钱七小吃店", "经营者", "1", "2015-01-01", "注销"),
    ],
    "public_employee": [(pid("周九"), "周九", "沁水县教育局", "2010-09-01")],
    "pension": [(pid("吴十"), "吴十", "城乡居民养老保险", "800"), (pid("孙八"), "孙八", "城乡居民养老保险", "100")],
    "prisoner": [(pid("王五"), "王五", "2025-03-01", "2027-01-01"), (pid("李四"), "李四", "2020-01-01", "2021-01-01")],
    "cadre": [(person_id(COUNTY, "19650101", 91), "冯二", VILLAGE_B1, "村委会主任", pid("郑一"))],
    "disability": [(pid("赵六"), "赵六", "精神", "二级", "2020-01-01"), (pid("蒋六"), "蒋六", "听力", "四级", "2020-01-01")],
    "poverty_monitoring": [
        (pid("褚四"), "褚四", "脱贫不稳定户", "2022-01-01"),
        (pid("卫五"), "卫五", "脱贫不稳定户", "2022-01-01"),
    ],
    "medical": [
        (pid("褚四"), "褚四", "2025-03-01", "30000", "15000"),
        (pid("卫五"), "卫五", "2025-05-01", "10000", "8000"),
        (pid("卫五"), "卫五", "2024-01-01", "60000", "30000"),
    ],
    "real_estate": [
        (pid("周九"), "周九", "龙港镇东关村1号", "90", "2010-01-01"),
        (pid("周九"), "周九", "沁水县城某小区3-201", "100", "2018-01-01"),
        (pid("周九"), "周九", "沁水县城某小区3-201", "100", "2018-01-01"),
        (pid("李四"), "李四", "龙港镇东关村5号", "80", "2000-01-01"),
    ],
    "recipients_elsewhere": [
        (pid("郑一"), "郑一", "低保", "140522100201", "2024-01-01", ""),
        (pid("钱七"), "钱七", "特困", "140522100201", "2023-01-01", "2024-12-31"),
        (pid("周九"), "周九", "低保", "140521100201", "2023-01-01", ""),
    ],
    # missed_unemployed: 蒋六 (edge household) 5 whole months; near misses: 卫五 2 months and a day
    # short of 3, 李四 in dibao, 褚四 insured (one of two rows), 钱七 deregistered before the date.
    "unemployment_registration": [
        (pid("蒋六"), "蒋六", "2025-01-10", "", "否", VILLAGE_B1),
        (pid("卫五"), "卫五", "2025-03-16", "", "否", ""),
        (pid("李四"), "李四", "2024-01-01", "", "否", ""),
        (pid("褚四"), "褚四", "2024-01-01", "", "是", ""),
        (pid("褚四"), "褚四", "2024-06-01", "", "否", ""),
        (pid("钱七"), "钱七", "2024-01-01", "2025-05-01", "否", ""),
    ],
}
# (rule, person, level) the planted county must raise, and nothing else
EXPECTED = {
    ("deceased", "张三", "red"),
    ("prisoner", "王五", "red"),
    ("missed_disability", "赵六", "orange"),
    ("vehicle", "钱七", "orange"),
    ("business", "孙八", "red"),
    ("public_employee", "周九", "red"),
    ("real_estate", "周九", "orange"),
    ("pension_income", "吴十", "orange"),
    ("duplicate_benefit", "郑一", "red"),
    ("cadre_relative", "郑一", "red"),
    ("missed_monitoring", "褚四", "orange"),
    ("high_medical", "褚四", "yellow"),
    ("missed_unemployed", "蒋六", "yellow"),
}


def write_dataset(folder: Path, kind: str, rows) -> Path:
    path = folder / f"{kind}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(KINDS[kind].headers)
        writer.writerows(rows)
    return path


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    settings.DOUDI_JOBS_SYNC = True


@pytest.fixture
def planted(users, tmp_path):
    registry_import(paths=[_registry(tmp_path / "reg")])
    for kind, rows in DATASETS.items():
        dataset_import(kind=kind, path=write_dataset(tmp_path / "ds", kind, rows), as_of=AS_OF)
    return {"as_of": AS_OF, "ids": {name: pid(name) for name in P}}
