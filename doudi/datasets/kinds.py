"""The department dataset kinds of docs/interfaces.md §5: Chinese name, owning department, and the
columns each file carries (header, field name, type, parser). Framework-free.

A file's headers must be exactly the kind's columns (in any order; 身份证号 and 姓名 first
by convention), optionally plus the extension columns `出生日期` and `所在区划代码` (for
kinds without one) that let rows with an unusable ID number be matched by name + birth
date + region. A file carrying another kind's headers is named as that kind, so an
uploader who picked the wrong kind is told "这是「X」的文件，不是「Y」".

Field types map to Parquet/Arrow: text → string, date → date32, money → decimal(14,2),
int → int16, month → string "YYYY-MM", region → string (normalised code), ids →
string of normalised ID numbers joined by ";".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Callable

from doudi.core import codes, idnumber, regions
from doudi.core.tabular.headers import canonical_header  # one header rule for every import (docs/interfaces.md §5)
from doudi.core.tabular.headers import header_finder as _header_finder


class CellError(ValueError):
    pass


class CellNote(CellError):
    """The cell is partly usable: `value` is kept and the row too, with the message."""

    def __init__(self, message: str, value):
        super().__init__(message)
        self.value = value


def _text(value: str) -> str:
    return " ".join(value.split())


@lru_cache(maxsize=65536)  # dates and amounts repeat across rows; values are immutable
def _date(value: str) -> dt.date:
    raw = value.strip().replace("/", "-").replace(".", "-").split(" ")[0].split("T")[0]
    if len(raw) == 8 and raw.isdigit():  # 20240301, common in department exports
        raw = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CellError("应为日期，格式如 2024-03-01") from None


@lru_cache(maxsize=65536)
def _money(value: str) -> Decimal:
    raw = value.strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise CellError("应为数字") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise CellError("应为不小于0的数字")
    return amount.quantize(Decimal("0.01"))


def _int(value: str) -> int:
    raw = value.strip().removesuffix(".0")
    if not raw.isdigit() or int(raw) > 9999:
        raise CellError("应为不小于0的整数")
    return int(raw)


_MONTH = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})月?$")


def _month(value: str) -> str:
    match = _MONTH.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CellError("应为月份，格式如 2024-03")
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def _region(value: str) -> str:
    try:
        return regions.normalize_code(value)
    except regions.InvalidRegionCode as exc:
        raise CellError(str(exc)) from None


def _ids(value: str) -> str:
    """近亲属身份证号: several numbers separated by ; (or ；, 、, ,). A number that cannot
    be normalised is left out and reported; the cadre's row and the others stay."""
    parts = [p for p in re.split(r"[;；、,，\s]+", value.strip()) if p]
    numbers, problems = [], []
    for part in parts:
        try:
            numbers.append(idnumber.normalize(part))
        except idnumber.InvalidIdNumber as exc:
            problems.append(f"「{part}」{exc.message}")
    if problems:
        raise CellNote(f"近亲属身份证号{'、'.join(problems)}，未计入；本行其余内容已保留", ";".join(numbers))
    return ";".join(numbers)


def _choice(table: dict, label: str, words: dict | None = None) -> Callable[[str], str]:
    """The code, the Chinese label or another word for it (codes.py: 肢体残疾, 农村低保)."""

    @lru_cache(maxsize=256)
    def parse(value: str) -> str:
        code = codes.parse(table, value, words)
        if code is None:
            raise CellError(f"{label}应为：{'、'.join(table.values())}")
        return code

    return parse


def _level(value: str) -> int:
    number = codes.disability_level(value)
    if number is None:
        raise CellError("残疾等级应为一级至四级（或1至4）")
    return number


_CATEGORY_WORDS = {**{label: code for code, label in codes.CATEGORIES.items()}, **codes.CATEGORY_WORDS}


@lru_cache(maxsize=256)
def _category(value: str) -> str:
    code = codes.parse(codes.CATEGORY_SHORT, value, _CATEGORY_WORDS)
    if code is None:
        raise CellError("未知的保障类别，应为：" + "、".join(codes.CATEGORY_SHORT.values()))
    return code


YES_NO = {"yes": "是", "no": "否"}
YES_NO_WORDS = {
    "参保": "yes",
    "已参保": "yes",
    "参加": "yes",
    "y": "yes",
    "1": "yes",
    "未参保": "no",
    "未参加": "no",
    "n": "no",
    "0": "no",
}
BUSINESS_ROLES = {"legal_rep": "法定代表人", "shareholder": "股东", "operator": "经营者"}
BUSINESS_ROLE_WORDS = {
    "法人": "legal_rep",
    "法人代表": "legal_rep",
    "法定代表": "legal_rep",
    "投资人": "shareholder",
    "出资人": "shareholder",
    "个体工商户经营者": "operator",
    "负责人": "operator",
}
TYPES = {
    "text": "string",
    "date": "date32",
    "money": "decimal",
    "int": "int16",
    "month": "string",
    "region": "string",
    "ids": "string",
    "choice": "string",
}
PARSERS = {"text": _text, "date": _date, "money": _money, "int": _int, "month": _month, "region": _region, "ids": _ids}


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    type: str  # a key of TYPES
    required: bool = True
    parser: Callable[[str], object] | None = None  # default: PARSERS[type]

    def parse(self, value: str):
        return (self.parser or PARSERS[self.type])(value)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    department: str
    columns: tuple[Column, ...]  # the kind's own columns, after 身份证号 and 姓名

    @property
    def headers(self) -> tuple[str, ...]:
        return ("身份证号", "姓名") + tuple(c.header for c in self.columns)

    @property
    def optional_columns(self) -> tuple[Column, ...]:
        extra = [BIRTH_COLUMN]
        if not any(c.field == "region_code" for c in self.columns):
            extra.append(REGION_COLUMN)
        return tuple(extra)


BIRTH_COLUMN = Column("出生日期", "birth_date_given", "date", required=False)
REGION_COLUMN = Column("所在区划代码", "region_code", "region", required=False)
C = Column
KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("death", "死亡人员", "公安局（户籍）/卫生健康委/殡葬管理所", (C("死亡日期", "death_date", "date"),)),
        Kind(
            "vehicle",
            "机动车登记",
            "公安局交通管理部门",
            (C("号牌号码", "plate", "text"), C("车辆类型", "vehicle_type", "text"), C("初次登记日期", "registered_on", "date")),
        ),
        Kind(
            "business",
            "市场主体登记",
            "市场监督管理局",
            (
                C("主体名称", "business_name", "text"),
                C(
                    "身份(法定代表人/股东/经营者)",
                    "business_role",
                    "choice",
                    parser=_choice(BUSINESS_ROLES, "身份", BUSINESS_ROLE_WORDS),
                ),
                C("注册资本(万元)", "capital_10k", "money", required=False),
                C("成立日期", "founded_on", "date"),
                C("登记状态", "business_status", "text"),
            ),
        ),
        Kind(
            "public_employee",
            "财政供养人员",
            "财政局",
            (C("单位名称", "employer", "text"), C("入职日期", "hired_on", "date", required=False)),
        ),
        Kind(
            "pension",
            "养老保险待遇",
            "人力资源和社会保障局",
            (C("险种", "pension_kind", "text"), C("月待遇", "monthly_amount", "money")),
        ),
        Kind(
            "prisoner",
            "服刑人员",
            "司法局",
            (C("入监日期", "prison_from", "date"), C("刑满日期", "prison_until", "date", required=False)),
        ),
        Kind(
            "cadre",
            "村(社区)干部及经办人员",
            "组织部门/民政局",
            (
                C("所在区划代码", "region_code", "region"),
                C("职务", "post", "text"),
                C("近亲属身份证号", "relative_ids", "ids", required=False),
            ),
        ),
        Kind(
            "disability",
            "残疾人证",
            "残疾人联合会",
            (
                C(
                    "残疾类别",
                    "disability_kind",
                    "choice",
                    parser=_choice(codes.DISABILITY_KINDS, "残疾类别", codes.DISABILITY_KIND_WORDS),
                ),
                C("残疾等级", "disability_level", "int", parser=_level),
                C("发证日期", "issued_on", "date", required=False),
            ),
        ),
        Kind(
            "poverty_monitoring",
            "防返贫监测对象",
            "乡村振兴局",
            (C("监测类型", "monitoring_type", "text"), C("纳入日期", "since", "date")),
        ),
        Kind(
            "medical",
            "医疗费用结算",
            "医疗保障局",
            (C("结算日期", "settled_on", "date"), C("总费用", "total_cost", "money"), C("个人自付", "self_pay", "money")),
        ),
        Kind(
            "real_estate",
            "不动产登记",
            "自然资源局（不动产登记中心）",
            (C("坐落", "location", "text"), C("建筑面积", "floor_area", "money"), C("登记日期", "registered_on", "date")),
        ),
        Kind(
            "unemployment",
            "失业保险金领取",
            "人力资源和社会保障局",
            (
                C("起始月份", "from_month", "month"),
                C("终止月份", "to_month", "month", required=False),
                C("月金额", "monthly_amount", "money"),
            ),
        ),
        Kind("youfu", "优抚对象", "退役军人事务局", (C("优抚类别", "youfu_category", "text"),)),
        # 未参保失业人员 (晋民发〔2022〕38号 §8, §12): the comparison rule missed_unemployed reads it.
        Kind(
            "unemployment_registration",
            "失业登记",
            "人力资源和社会保障局",
            (
                C("登记日期", "registered_on", "date"),
                C("注销日期", "deregistered_on", "date", required=False),
                C("是否参加失业保险(是/否)", "insured", "choice", parser=_choice(YES_NO, "是否参加失业保险", YES_NO_WORDS)),
                C("所在区划代码", "region_code", "region", required=False),
            ),
        ),
        Kind(
            "recipients_elsewhere",
            "外地救助对象",
            "省民政厅",
            (
                C("保障类别", "category", "choice", parser=_category),
                C("所在区划代码", "region_code", "region"),
                C("开始日期", "since", "date"),
                C("终止日期", "until", "date", required=False),
            ),
        ),
    )
}
del C


def header_finder(kind: Kind):
    """Maps a file's header to one of the kind's (its own, 身份证号, 姓名, the optional
    ones), with or without a parenthesised note: 身份 is 身份(法定代表人/股东/经营者)."""
    return _header_finder((*kind.headers, *(c.header for c in kind.optional_columns)))


def kind_of_headers(headers: list[str]) -> Kind | None:
    """The kind whose required headers are exactly these (extensions allowed)."""
    present = [h for h in headers if canonical_header(h)]
    for kind in KINDS.values():
        find = header_finder(kind)
        found = [find(h) for h in present]
        if None not in found and set(kind.headers) <= set(found):
            return kind
    return None


def unknown_kind_message(code: str) -> str:
    listed = "、".join(f"{k.code}（{k.label}）" for k in KINDS.values())
    return f"未知的数据类型「{code}」，应为：{listed}"
