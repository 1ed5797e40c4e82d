"""The three sheets of docs/interfaces.md §4: their Chinese headers, the model field each fills, and
how a cell is parsed. A parser returns the value or raises CellError with a message."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Callable

from doudi.core import codes, idnumber
from doudi.core.tabular.headers import canonical_header, header_finder, short_header  # noqa: F401  (importers' API)


class CellError(ValueError):
    pass


def text(value: str) -> str:
    return value.strip()


def bank_account(value: str) -> str:
    """An account as typed, refused when it holds a control character or starts like a
    formula (it would go live in a bank file or a spreadsheet)."""
    from doudi.core.exports import account_problem

    account = value.strip()
    problem = account_problem(account)
    if problem:
        raise CellError(problem)
    return account


@lru_cache(maxsize=65536)  # cells repeat a lot (0.00, 是/否, dates); values are immutable
def money(value: str) -> Decimal:
    raw = value.strip().replace(",", "")
    if not raw:
        return Decimal("0.00")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise CellError("应为数字") from None
    if not amount.is_finite() or amount < 0:
        raise CellError("应为不小于0的数字")
    if amount >= Decimal("1e10"):
        raise CellError("数值过大")
    return amount.quantize(Decimal("0.01"))


@lru_cache(maxsize=65536)
def count(value: str) -> int:
    raw = value.strip()
    if not raw:
        return 0
    if raw.endswith(".0"):
        raw = raw[:-2]
    if not raw.isdigit():
        raise CellError("应为不小于0的整数")
    return int(raw)


@lru_cache(maxsize=65536)
def yes_no(value: str) -> bool:
    raw = value.strip()
    if raw in ("是", "Y", "y", "1", "TRUE", "true", "有"):
        return True
    if raw in ("否", "N", "n", "0", "FALSE", "false", "无", ""):
        return False
    raise CellError("应填“是”或“否”")


@lru_cache(maxsize=65536)
def date(value: str) -> dt.date:
    raw = value.strip().replace("/", "-").replace(".", "-")
    raw = raw.split(" ")[0].split("T")[0]
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CellError("应为日期，格式如 2024-03-01") from None


def id_number(value: str) -> str:
    try:
        return idnumber.normalize(value)
    except idnumber.InvalidIdNumber as exc:
        raise CellError(exc.message) from None


def choice(table: dict, label: str, *, blank: str | None = None, words: dict | None = None) -> Callable[[str], str]:
    """Accepts the code, the Chinese label or another word registers use (codes.py)."""
    allowed = "、".join(str(v) for v in table.values())

    @lru_cache(maxsize=256)
    def parse(value: str) -> str:
        raw = value.strip()
        if not raw and blank is not None:
            return blank
        code = codes.parse(table, raw, words)
        if code is None:
            raise CellError(f"{label}应为：{allowed}")
        return code

    return parse


_CATEGORY_WORDS = {**{label: code for code, label in codes.CATEGORIES.items()}, **codes.CATEGORY_WORDS}


@lru_cache(maxsize=256)
def category(value: str) -> str:
    code = codes.parse(codes.CATEGORY_SHORT, value, _CATEGORY_WORDS)
    if code is None:
        raise CellError("未知的保障类别，应为：" + "、".join(codes.CATEGORY_SHORT.values()))
    return code


def level(value: str) -> int | None:
    if not value.strip():
        return None
    number = codes.disability_level(value)
    if number is None:
        raise CellError("残疾等级应为一级至四级（或1至4）")
    return number


def several(table: dict, label: str) -> Callable[[str], str]:
    """Several words from `table` in one cell (独居；空巢): their codes joined by ";"."""
    allowed = "、".join(table.values())

    @lru_cache(maxsize=256)
    def parse(value: str) -> str:
        found = []
        for word in (w for w in re.split(r"[;；、,，/\s]+", value.strip()) if w):
            code = codes.parse(table, word)
            if code is None:
                raise CellError(f"{label}应为以下一项或多项（用分号隔开）：{allowed}")
            if code not in found:
                found.append(code)
        return ";".join(found)

    return parse


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    parse: Callable[[str], object]
    required: bool = False


HOUSEHOLD_COLUMNS = [
    Column("户编号", "code", text, True),
    Column("行政区划代码", "region", text, True),
    Column("户籍性质(城镇/农村)", "hukou", choice(codes.HUKOU, "户籍性质", words=codes.HUKOU_WORDS), True),
    Column("详细地址", "address", text),
    Column("金融资产", "financial_assets", money),
    Column("机动车数量", "vehicle_count", count),
    Column("机动车价值", "vehicle_value", money),
    Column("房产套数", "property_count", count),
    Column("市场主体数量", "business_count", count),
    Column("近12月医疗自付", "medical_expense_12m", money),
    Column("近12月教育支出", "education_expense_12m", money),
]
MEMBER_COLUMNS = [
    Column("户编号", "household", text, True),
    Column("姓名", "name", text, True),
    Column("身份证号", "id_number", id_number, True),
    Column("与户主关系", "relation", choice(codes.RELATIONS, "与户主关系", words=codes.RELATION_WORDS), True),
    Column(
        "残疾类别", "disability_kind", choice(codes.DISABILITY_KINDS, "残疾类别", blank="", words=codes.DISABILITY_KIND_WORDS)
    ),
    Column("残疾等级", "disability_level", level),
    Column("是否重病", "serious_illness", yes_no),
    Column("自理能力", "self_care", choice(codes.SELF_CARE, "自理能力", blank="full", words=codes.SELF_CARE_WORDS)),
    Column("是否就业", "employed", yes_no),
    Column("在校阶段", "school_stage", choice(codes.SCHOOL_STAGES, "在校阶段", blank="", words=codes.SCHOOL_STAGE_WORDS)),
    Column("月工资性收入", "income_wage", money),
    Column("月经营净收入", "income_business", money),
    Column("月财产性收入", "income_property", money),
    Column("月转移性收入", "income_transfer", money),
    Column("月豁免收入", "income_exempt", money),
    Column("有履行能力的法定义务人(是/否)", "capable_supporter", yes_no),
    Column("联系电话", "phone", text),
    Column("开户银行", "bank_name", text),
    Column("银行账号", "bank_account", bank_account),
]
BENEFIT_COLUMNS = [
    Column("户编号", "household", text, True),
    Column("身份证号(个人类别填写)", "id_number", text),
    Column("保障类别", "category", category, True),
    Column("开始日期", "since", date, True),
    Column("月保障金额", "monthly_amount", money),
    Column(
        "供养方式(分散/集中)", "support_mode", choice(codes.SUPPORT_MODES, "供养方式", blank="", words=codes.SUPPORT_MODE_WORDS)
    ),
    Column("供养机构", "institution", text),
]
SHEETS = {"家庭": HOUSEHOLD_COLUMNS, "成员": MEMBER_COLUMNS, "保障": BENEFIT_COLUMNS}

# Optional 成员 columns (docs/interfaces.md §4, special groups of docs/domain.md §8): parsed and checked when
# present; the register has no field for them yet, so they are not stored.
OPTIONAL_COLUMNS = {
    "家庭": [],
    "成员": [
        Column("特殊困难老年人", "special_elderly", several(codes.SPECIAL_ELDERLY, "特殊困难老年人")),
        Column("困境儿童", "difficult_child", several(codes.DIFFICULT_CHILDREN, "困境儿童")),
        Column("精神障碍患者", "mental_disorder", yes_no),
        Column("分开居住的家庭成员", "family_apart", lambda v: family_apart(v)),
    ],
    "保障": [],
}


# 分开居住的家庭成员 (附件1 question 2; stored by doudi/care through the after-write hook): one cell
# per person, several members separated by ";": 姓名（关系，义务，联系电话，居住地）, the duty one of
# 赡养/抚养/扶养, phone and place optional. Parsed to JSON [[name, relation, duty code, phone, place]…].
FAMILY_DUTIES = {"赡养": "support", "抚养": "raise", "扶养": "maintain"}
FAMILY_FORMAT = "分开居住的家庭成员应写作 姓名（关系，义务，联系电话，居住地），义务为赡养、抚养或扶养，多人用分号隔开"
_FAMILY_ENTRY = re.compile(r"^\s*([^（(）)]+?)\s*[（(]([^（(）)]*)[）)]\s*$")


@lru_cache(maxsize=1024)
def family_apart(value: str) -> str:
    import json

    members = []
    for entry in (e for e in re.split(r"[;；]+", value.strip()) if e.strip()):
        found = _FAMILY_ENTRY.match(entry)
        if found is None:
            raise CellError(FAMILY_FORMAT)
        name = found.group(1).strip()
        parts = [p.strip() for p in re.split(r"[，,]", found.group(2))]
        if len(parts) < 2 or not parts[0]:
            raise CellError(f"{FAMILY_FORMAT}（「{name}」缺少关系或义务）")
        relation, duty, phone = parts[0], parts[1], parts[2] if len(parts) > 2 else ""
        place = "，".join(p for p in parts[3:] if p)
        if len(name) > 32 or len(relation) > 16 or len(place) > 100:
            raise CellError(f"分开居住的家庭成员「{name[:32]}」：姓名不超过 32 字、关系不超过 16 字、居住地不超过 100 字")
        if duty not in FAMILY_DUTIES:
            raise CellError(f"分开居住的家庭成员「{name}」的义务应为赡养、抚养或扶养，而不是「{duty}」")
        if phone and not re.fullmatch(r"[0-9\-+ ]{7,20}", phone):
            raise CellError(f"分开居住的家庭成员「{name}」的联系电话「{phone}」格式不对，应为 7–20 位数字")
        members.append([name, relation, FAMILY_DUTIES[duty], phone, place])
    if len(members) > 10:
        raise CellError("分开居住的家庭成员每人最多 10 名")
    return json.dumps(members, ensure_ascii=False) if members else ""
