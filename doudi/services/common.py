"""Small helpers shared by the three areas: the error every refused write raises (Chinese),
input cleaning, and the permission + region check every write starts with."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db.models import Q

from doudi.core import idnumber
from doudi.core.models import AuditEntry, Region
from doudi.core.roles import can
from doudi.core.scoping import in_scope

PHONE = re.compile(r"^[0-9][0-9\- ]{4,19}$")


class ServiceError(ValueError):
    """Bad input or a refused write; the message is for the user (Chinese). Nothing changed."""


def guard(user, permission: str, region_code: str, verb: str, noun: str = "记录") -> None:
    if not can(user, permission):
        raise ServiceError(f"您的角色无权{verb}")
    if not in_scope(user, region_code):
        raise ServiceError(f"该{noun}不在您的管辖范围内")


def text(data: dict, key: str, label: str, *, required: bool = True, limit: int = 200) -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise ServiceError(f"请填写{label}")
    if len(value) > limit:
        raise ServiceError(f"{label}不能超过 {limit} 个字")
    if any(ord(ch) < 32 and ch not in "\r\n\t" for ch in value):
        raise ServiceError(f"{label}含有控制字符，请重新输入")
    return value


def phone(data: dict, key: str, label: str, *, required: bool = False) -> str:
    value = str(data.get(key) or "").strip()
    if not value:
        if required:
            raise ServiceError(f"请填写{label}")
        return ""
    if not PHONE.match(value):
        raise ServiceError(f"{label}「{value[:20]}」格式不对：应为数字（可含区号和“-”），5 至 20 位")
    return value


def day(data: dict, key: str, label: str, *, required: bool = True) -> dt.date | None:
    raw = data.get(key)
    if isinstance(raw, dt.date):
        return raw
    raw = str(raw or "").strip()
    if not raw:
        if required:
            raise ServiceError(f"请填写{label}")
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ServiceError(f"{label}「{raw[:20]}」不是有效日期，应为 YYYY-MM-DD") from None


def count(data: dict, key: str, label: str, *, high: int = 100000) -> int:
    raw = str(data.get(key) if data.get(key) is not None else "").strip() or "0"
    if not raw.isdigit() or int(raw) > high:
        raise ServiceError(f"{label}应为 0 至 {high} 的整数")
    return int(raw)


def quantity(raw, label: str = "数量") -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(f"{label}「{str(raw)[:20]}」不是有效的数字") from None
    if not value.is_finite() or value <= 0 or value >= Decimal("1e9"):
        raise ServiceError(f"{label}应大于 0")
    if value != value.quantize(Decimal("0.01")):
        raise ServiceError(f"{label}最多保留两位小数")
    return value.quantize(Decimal("0.01"))


def choice(data: dict, key: str, label: str, choices) -> str:
    value = str(data.get(key) or "").strip()
    if value not in dict(choices):
        raise ServiceError(f"请选择{label}")
    return value


def id_number(raw: str, label: str = "身份证号") -> str:
    try:
        return idnumber.normalize(raw)
    except idnumber.InvalidIdNumber as exc:
        raise ServiceError(f"{label}无效：{exc.message}") from None


def township_of_county(code: str, user, label: str = "乡镇") -> Region:
    """A township of the user's county (one county's hotline and goods serve its townships)."""
    code = str(code or "").strip()
    township = Region.objects.filter(code=code, level=Region.Level.TOWNSHIP).first()
    if township is None:
        raise ServiceError(f"请选择{label}（未知的乡镇代码「{code[:12]}」）")
    scope = getattr(user, "scope_code", None)
    if scope is None or not township.code.startswith(scope[:6]):
        raise ServiceError(f"{township.name}不在本县，不能选择")
    return township


def regions_under(user, levels) -> list[Region]:
    from doudi.core.scoping import scope

    return list(scope(Region.objects.filter(level__in=levels), user, "code").order_by("code"))


def county_townships(user) -> list[Region]:
    """The townships of the user's county (to route a work order or pick a caller's township)."""
    code = (getattr(user, "scope_code", None) or "")[:6]
    if getattr(user, "scope_code", None) is None:
        return []
    return list(Region.objects.filter(Q(code__startswith=code), level=Region.Level.TOWNSHIP).order_by("code"))


def audit(user, entity: str, key, changes: dict, reason: str = "", action: str = "create") -> None:
    AuditEntry.objects.create(
        user=user if getattr(user, "pk", None) else None,
        role=getattr(user, "role", ""),
        action=action,
        entity=entity[:16],
        entity_key=str(key)[:64],
        changes={k: str(v) for k, v in changes.items()},
        reason=reason[:200],
    )
