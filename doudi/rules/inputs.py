"""Validate assess input (docs/interfaces.md §3) and flatten it into household / member / vehicle rows.

Every problem is collected with its place (household, member, field) in Chinese; nothing
is guessed. Absent optional fields mean "none": no disability, no illness, no income of
that kind, no capable supporter, 全自理. Numbers must be JSON numbers (no "600元").
ID numbers are used as identifiers: birth date comes from digits 7–14, the check digit is
not verified here (that is the registry's job, docs/interfaces.md §2), 15-digit numbers are converted.
"""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata
from decimal import Decimal

from doudi.core import months
from doudi.core.codes import CATEGORIES, DISABILITY_KINDS, RELATIONS, SELF_CARE, SUPPORT_MODES
from doudi.core.idnumber import with_check_digit
from doudi.rules.schema import ITEM_KINDS

INCOME = ("wage", "business", "property", "transfer", "exempt")
HUKOU_ZH = {"城镇": "urban", "农村": "rural", "urban": "urban", "rural": "rural"}


class Problems(list):
    def add(self, where: str, text: str) -> None:
        self.append(f"{where}：{text}")


def month_start(text: str) -> dt.date:
    """'2025-01' → date(2025, 1, 1); ValueError (BadMonth) with a Chinese message otherwise."""
    return months.start(text)


month_index = months.index


def _money(raw, where, problems, default=Decimal(0)):
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal, float)):
        problems.add(where, f"应为数字（元），实际为 {raw!r}")
        return default
    value = Decimal(str(raw))
    if value < 0:
        problems.add(where, f"不能为负数，实际为 {raw}")
    return value


def _count(raw, where, problems):
    if raw is None:
        return Decimal(0)
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)) or raw < 0 or int(raw) != raw:
        problems.add(where, f"应为非负整数，实际为 {raw!r}")
        return Decimal(0)
    return Decimal(int(raw))


def _flag(raw, where, problems):
    if raw is None:
        return False
    if not isinstance(raw, bool):
        problems.add(where, f"应为 true 或 false，实际为 {raw!r}")
        return False
    return raw


def _choice(raw, table, where, problems, default):
    if raw is None:
        return default
    if raw not in table:
        problems.add(where, f"值 {raw!r} 未知（可用：{', '.join(table)}）")
        return default
    return raw


def id_birth(raw, where, problems):
    """(normalised number, birth date) without rejecting a wrong check digit."""
    text = "".join(unicodedata.normalize("NFKC", str(raw or "")).split()).upper()
    if len(text) == 15 and text.isdigit():
        text = with_check_digit(text[:6] + "19" + text[6:])
    if len(text) != 18 or not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        problems.add(where, f"身份证号 {raw!r} 应为18位（或15位）数字，末位可为X")
        return text, None
    try:
        return text, dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        problems.add(where, f"身份证号 {raw!r} 中的出生日期不存在")
        return text, None


def _member(raw, where, problems) -> dict:
    if not isinstance(raw, dict):
        problems.add(where, "成员应为对象")
        return {}
    number, birth = id_birth(raw.get("id_number"), f"{where} id_number", problems)
    where = f"{where}（{raw.get('name') or number}）"
    dis = raw.get("disability") or None
    kind = level = None
    if dis is not None:
        if not isinstance(dis, dict):
            problems.add(f"{where} disability", "应为 {kind, level} 或 null")
        else:
            kind = _choice(dis.get("kind"), DISABILITY_KINDS, f"{where} disability.kind", problems, None)
            level = dis.get("level")
            if level not in (1, 2, 3, 4) or isinstance(level, bool):
                problems.add(f"{where} disability.level", f"残疾等级应为 1–4，实际为 {level!r}")
                kind = level = None
    income = raw.get("income_monthly") or {}
    if not isinstance(income, dict):
        problems.add(f"{where} income_monthly", "应为对象")
        income = {}
    _choice(raw.get("relation"), RELATIONS, f"{where} relation", problems, "other")
    row = {
        "person": number,
        "name": raw.get("name") or "",
        "birth_y": Decimal(birth.year) if birth else None,
        "birth_m": Decimal(birth.month) if birth else None,
        "birth_d": Decimal(birth.day) if birth else None,
        "dis_kind": kind,
        "dis_level": Decimal(level) if level else None,
        "serious_illness": _flag(raw.get("serious_illness"), f"{where} serious_illness", problems),
        "self_care": _choice(raw.get("self_care"), SELF_CARE, f"{where} self_care", problems, "full"),
        "employed": _flag(raw.get("employed"), f"{where} employed", problems),
        "capable_supporter": _flag(raw.get("capable_supporter"), f"{where} capable_supporter", problems),
        "orphan": _flag(raw.get("orphan"), f"{where} orphan", problems),
        "unsupported_child": _flag(raw.get("unsupported_child"), f"{where} unsupported_child", problems),
        "support_mode": _choice(raw.get("support_mode"), SUPPORT_MODES, f"{where} support_mode", problems, None),
    }
    for part in INCOME:
        row[f"inc_{part}"] = _money(income.get(part), f"{where} income_monthly.{part}", problems)
    return row


def _current(raw, where, problems) -> dict | None:
    if not isinstance(raw, dict):
        problems.add(where, "应为对象")
        return None
    cat = raw.get("category")
    if cat not in CATEGORIES:
        problems.add(f"{where} category", f"未知保障类别 {cat!r}（可用：{', '.join(CATEGORIES)}）")
        return None
    item = {"category": cat, "person": raw.get("person"), "mode": None, "taper_start": None}
    if raw.get("person") is not None:
        item["person"] = id_birth(raw["person"], f"{where} person", problems)[0]
    for key in ("since",):
        if raw.get(key) is not None:
            try:
                item[key] = dt.date.fromisoformat(str(raw[key]))
            except ValueError:
                problems.add(f"{where} {key}", f"日期 {raw[key]!r} 应为 YYYY-MM-DD")
    if raw.get("taper_start") is not None:
        try:
            item["taper_start"] = month_index(month_start(raw["taper_start"]))
        except ValueError as exc:
            problems.add(f"{where} taper_start", str(exc))
    if "monthly_amount" not in raw:
        problems.add(f"{where} monthly_amount", "缺少月保障金额")
    item["amount"] = _money(raw.get("monthly_amount"), f"{where} monthly_amount", problems)
    item["mode"] = _choice(raw.get("mode"), SUPPORT_MODES, f"{where} mode", problems, None)
    return item


def _vehicles(raw, where, problems) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add(where, "应为列表 [{kind, value}]")
        return []
    rows = []
    for i, car in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(car, dict):
            problems.add(at, "应为 {kind, value}")
            continue
        kind = _choice(car.get("kind"), ITEM_KINDS["vehicle_kind"], f"{at}.kind", problems, "car")
        if "value" not in car:
            problems.add(f"{at}.value", "缺少车辆价值")
        rows.append({"vehicle_kind": kind, "vehicle_value": _money(car.get("value"), f"{at}.value", problems)})
    return rows


def _held(current: list[dict], members: list[dict], day: dt.date) -> dict:
    """Household columns describing benefits already held (for 渐退 and 特困 review)."""
    last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    in_force = [c for c in current if c.get("since") is None or c["since"] <= last]
    dibao = next((c for c in in_force if c["category"] == "dibao"), None)
    for m in members:
        tekun = next((c for c in in_force if c["category"] == "tekun" and c["person"] == m["person"]), None)
        m["held_tekun"] = tekun is not None
        m["support_mode"] = m["support_mode"] or (tekun or {}).get("mode") or "dispersed"
    return {
        "held_dibao": dibao is not None,
        "held_dibao_amount": dibao["amount"] if dibao else None,
        "taper_start_index": Decimal(dibao["taper_start"]) if dibao and dibao["taper_start"] is not None else None,
    }


def household_rows(raw, position: int, day: dt.date, problems: Problems):
    """(household row, member rows, vehicle rows) for one input household."""
    where = f"第{position + 1}户"
    if not isinstance(raw, dict):
        problems.add(where, "应为对象")
        return None
    hid = raw.get("id")
    if hid in (None, ""):
        problems.add(f"{where} id", "缺少户编号")
    where = f"{where}（{hid}）"
    region = str(raw.get("region") or "")
    if not region.isdigit() or len(region) not in (6, 9, 12):
        problems.add(f"{where} region", f"行政区划代码 {region!r} 应为6、9或12位数字")
    hukou = HUKOU_ZH.get(raw.get("hukou"))
    if hukou is None:
        problems.add(f"{where} hukou", f"户籍性质 {raw.get('hukou')!r} 应为 urban 或 rural")
    assets = raw.get("assets") or {}
    expenses = raw.get("expenses_12m") or {}
    if not isinstance(assets, dict) or not isinstance(expenses, dict):
        problems.add(where, "assets 和 expenses_12m 应为对象")
        assets, expenses = {}, {}
    members_raw = raw.get("members")
    if not isinstance(members_raw, list) or not members_raw:
        problems.add(f"{where} members", "至少要有一名家庭成员")
        members_raw = []
    members = [_member(m, f"{where} 第{i + 1}名成员", problems) for i, m in enumerate(members_raw)]
    ids = [m.get("person") for m in members]
    for dup in sorted({i for i in ids if i and ids.count(i) > 1}):
        problems.add(f"{where} members", f"身份证号 {dup} 重复出现")
    current_raw = raw.get("current") or []
    if not isinstance(current_raw, list):
        problems.add(f"{where} current", "应为列表")
        current_raw = []
    current = [c for i, item in enumerate(current_raw) if (c := _current(item, f"{where} current[{i}]", problems))]
    household = {
        "household_id": str(hid),
        "region": region,
        "hukou": hukou,
        "fin_assets": _money(assets.get("financial"), f"{where} assets.financial", problems),
        "properties": _count(assets.get("properties"), f"{where} assets.properties", problems),
        "businesses": _count(assets.get("businesses"), f"{where} assets.businesses", problems),
        "exp_medical": _money(expenses.get("medical"), f"{where} expenses_12m.medical", problems),
        "exp_education": _money(expenses.get("education"), f"{where} expenses_12m.education", problems),
        "poverty_monitoring": _flag(raw.get("poverty_monitoring"), f"{where} poverty_monitoring", problems),
        "poverty_alleviated": _flag(raw.get("poverty_alleviated"), f"{where} poverty_alleviated", problems),
        "month_year": Decimal(day.year),
        "month_m": Decimal(day.month),
        "month_index": Decimal(month_index(day)),
    }
    if all(m for m in members):
        household.update(_held(current, members, day))
    vehicles = _vehicles(assets.get("vehicles"), f"{where} assets.vehicles", problems)
    return household, members, vehicles
