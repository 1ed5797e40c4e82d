"""Writes for disaster relief (冬春救助, 受灾群众; DIS-1, DIS-3…5; 临民发【2024】22号 四): the county
declares a disaster event (kind, date, area, response level, the Spring Festival deadline of its
relief money); townships and the county register the affected households of their area — from
the register (by household code or a member's ID number, through the registry's scoped
selectors) or new — with their losses, placement and needs; rent aid during rebuilding for a
collapsed house; a household still in hardship referred to 临时救助 (a case opened through
doudi.cases.temp); households not yet back home visited. The money itself: relief_pay.py.

Every refusal is a ServiceError in Chinese, raised before anything is written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from doudi.core import months
from doudi.core.exports import account_problem
from doudi.core.models import Region
from doudi.core.roles import DECLARE_DISASTER, HANDLE_RELIEF, can
from doudi.core.scoping import in_scope
from doudi.payments import relief as pay
from doudi.payments.bankfiles import valid_account
from doudi.payments.months import spring_festival_eve
from doudi.registry import selectors as registry
from doudi.rules.errors import RulesError
from doudi.rules.policy import parameter
from doudi.services.common import ServiceError, audit, choice, count, day, guard, id_number, phone, text
from doudi.services.models import NEEDS, Affected, Disaster, ReliefVisit

LOSS_FIELDS = (("crop_loss", "农作物损失"), ("livestock_loss", "牲畜损失"), ("other_loss", "其他损失"))


def money(raw, label: str) -> Decimal:
    raw = str(raw if raw is not None else "").strip() or "0"
    try:
        value = Decimal(raw)
    except ArithmeticError:
        raise ServiceError(f"{label}「{raw[:20]}」不是有效的金额") from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e9"):
        raise ServiceError(f"{label}应为 0 或正数（元）")
    if value != value.quantize(Decimal("0.01")):
        raise ServiceError(f"{label}最多保留两位小数")
    return value.quantize(Decimal("0.01"))


def festival_due(on: dt.date) -> dt.date | None:
    """The working day before the Spring Festival that follows `on` (a winter event: next year's)."""
    eve = spring_festival_eve(on.year)
    if eve is not None and eve >= on:
        return eve
    return spring_festival_eve(on.year + 1)


# ---- events ------------------------------------------------------------------------------
def allowed(user, permission: str, verb: str) -> None:
    if not can(user, permission):
        raise ServiceError(f"您的角色无权{verb}")


def _areas(user, codes, county: str) -> list[Region]:
    codes = [str(c).strip() for c in (codes or []) if str(c).strip()]
    if not codes:
        raise ServiceError("请选择受灾区域（乡镇或村）")
    found = {r.code: r for r in Region.objects.filter(code__in=codes, level__in=(Region.Level.TOWNSHIP, Region.Level.VILLAGE))}
    for code in codes:
        if code not in found:
            raise ServiceError(f"未知的受灾区域代码「{code[:12]}」，请选择本县的乡镇或村")
        if not code.startswith(county) or not in_scope(user, code):
            raise ServiceError(f"{found[code].name}不在您的管辖范围内")
    return [found[c] for c in dict.fromkeys(codes)]


def disaster_create(*, user, data) -> Disaster:
    """登记灾害事件 (county staff). `data` is a QueryDict or a dict; `areas` a list of codes."""
    county = (getattr(user, "scope_code", None) or "")[:6]
    region = Region.objects.filter(code=county, level=Region.Level.COUNTY).first()
    if region is None:
        raise ServiceError("只有县级民政部门可以登记灾害事件")
    guard(user, DECLARE_DISASTER, region.code, "登记灾害事件", "县")
    areas = data.getlist("areas") if hasattr(data, "getlist") else data.get("areas")
    on = day(data, "on", "灾害发生日期")
    if on > timezone.localdate():
        raise ServiceError("灾害发生日期不能晚于今天")
    due = day(data, "due", "救助资金发放截止日期", required=False) or festival_due(on)
    if due is None:
        raise ServiceError("系统日历尚无下一个春节的放假安排，请填写救助资金发放截止日期（春节前）")
    if due < on:
        raise ServiceError("发放截止日期不能早于灾害发生日期")
    fields = {
        "name": text(data, "name", "灾害名称", limit=100),
        "kind": choice(data, "kind", "灾害种类", Disaster.Kind.choices),
        "level": choice(data, "level", "应急响应级别", Disaster.Level.choices),
        "description": text(data, "description", "灾情描述", required=False, limit=2000),
    }
    regions = _areas(user, areas, region.code)
    with transaction.atomic():
        disaster = Disaster.objects.create(county=region, on=on, due=due, created_by=user, **fields)
        disaster.areas.set(regions)
        audit(user, "disaster", disaster.pk, {"灾害": disaster.name, "区域": "、".join(r.name for r in regions)}, "登记灾害事件")
    return disaster


# ---- affected households -------------------------------------------------------------------
def _account(data) -> tuple[str, str]:
    account = str(data.get("bank_account") or "").strip()
    if (problem := account_problem(account)) is not None:
        raise ServiceError(problem)
    account = account.replace(" ", "")
    if account and not valid_account(account):
        raise ServiceError(f"银行账号「{account[:4]}…」校验不通过：应为 16 至 19 位数字且校验位正确")
    return text(data, "bank_name", "开户银行", required=False, limit=40), account


def _in_area(disaster: Disaster, village: Region) -> None:
    if not any(village.code.startswith(a.code) for a in disaster.areas.all()):
        raise ServiceError(f"{village.name}不在本次灾害的受灾区域内")


def _from_register(user, raw: str) -> dict:
    """The household of a code or of a member's ID number, as the user may see it; its head."""
    raw = raw.strip()
    household = None
    try:
        household = registry.household_get(user, raw)
    except Http404:
        number = id_number(raw, "身份证号或户编号")
        person = registry.persons_for(user).select_related("household").filter(id_number=number).first()
        household = person.household if person else None
    if household is None:
        raise ServiceError(f"台账中没有找到「{raw[:18]}」，或不在您的管辖范围内；台账外的受灾户请按新登记填写")
    members = list(registry.persons_for(user).filter(household=household).order_by("id"))
    head = next((p for p in members if p.relation == "head"), members[0] if members else None)
    if head is None:
        raise ServiceError(f"台账家庭 {household.code} 没有成员，无法登记")
    return {"household": household, "head": head, "members": len(members)}


def clean(user, disaster: Disaster, data) -> dict:
    """Every field of an affected household checked; the model's fields, or ServiceError."""
    found = str(data.get("register") or "").strip()
    out: dict = {"household": None}
    if found:
        hit = _from_register(user, found)
        head = hit["head"]
        out.update(household=hit["household"], name=head.name, id_number=head.id_number, village=hit["household"].region)
        out["phone"] = phone(data, "phone", "联系电话") or head.phone
        bank_name, account = _account(data)
        out["bank_name"], out["bank_account"] = (bank_name, account) if account else (head.bank_name, head.bank_account)
        default_persons = hit["members"]
    else:
        out["name"] = text(data, "name", "户主姓名", limit=32)
        out["id_number"] = id_number(str(data.get("id_number") or ""), "户主身份证号")
        code = str(data.get("village") or "").strip()
        out["village"] = Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()
        if out["village"] is None:
            raise ServiceError(f"未知的村（社区）「{code[:12] or '未填写'}」，请填写 12 位村级区划代码")
        out["phone"] = phone(data, "phone", "联系电话")
        out["bank_name"], out["bank_account"] = _account(data)
        default_persons = 1
    if not in_scope(user, out["village"].code):
        raise ServiceError(f"{out['village'].name}（{out['name']}）不在您的管辖范围内，不能登记")
    _in_area(disaster, out["village"])
    out["persons"] = count(data, "persons", "受灾人数", high=99) if str(data.get("persons") or "").strip() else default_persons
    if out["persons"] < 1:
        raise ServiceError("受灾人数至少为 1")
    out["house"] = str(data.get("house") or "none").strip()
    if out["house"] not in Affected.House.values:
        raise ServiceError("请选择房屋损失（倒塌、严重损坏、一般损坏或无）")
    for key, label in LOSS_FIELDS:
        out[key] = money(data.get(key), f"{label}（元）")
    out["other_note"] = text(data, "other_note", "其他损失说明", required=False)
    out["placement"] = str(data.get("placement") or "home").strip()
    if out["placement"] not in Affected.Placement.values:
        raise ServiceError("安置情况应为“已返家”或“在外安置”")
    out["placement_note"] = text(data, "placement_note", "安置方式", required=False)
    needs = data.getlist("needs") if hasattr(data, "getlist") else (data.get("needs") or [])
    if isinstance(needs, str):
        needs = [n for n in needs.replace("，", ",").replace("、", ",").split(",") if n.strip()]
    by_label = {v: k for k, v in NEEDS.items()}
    out["needs"] = []
    for need in needs:
        code = by_label.get(need.strip(), need.strip())
        if code not in NEEDS:
            raise ServiceError(f"生活需求「{need[:10]}」应为：{'、'.join(NEEDS.values())}")
        out["needs"].append(code) if code not in out["needs"] else None
    out["relief_amount"] = money(data.get("relief_amount"), "核定救助金额")
    return out


def _already(disaster: Disaster, fields: dict) -> str | None:
    rows = Affected.objects.filter(disaster=disaster)
    if rows.filter(id_number=fields["id_number"]).exists() or (
        fields["household"] is not None and rows.filter(household=fields["household"]).exists()
    ):
        return f"{fields['name']}家已登记为本次灾害的受灾户，不能重复登记"
    return None


def affected_add(*, user, disaster: Disaster, data) -> Affected:
    allowed(user, HANDLE_RELIEF, "登记受灾户")  # the village's region is checked in clean()
    fields = clean(user, disaster, data)
    if (refusal := _already(disaster, fields)) is not None:
        raise ServiceError(refusal)
    try:
        with transaction.atomic():
            affected = Affected.objects.create(disaster=disaster, created_by=user, **fields)
    except IntegrityError:  # the same household added at the same moment by someone else
        raise ServiceError(f"{fields['name']}家已登记为本次灾害的受灾户，不能重复登记") from None
    audit(user, "affected", affected.pk, {"灾害": disaster.name, "户主": affected.name}, "登记受灾户")
    return affected


def _paid_relief(affected: Affected) -> bool:
    return bool(pay.live([pay.item_for(affected.disaster_id)], [affected.id_number]))


def affected_update(*, user, affected: Affected, data) -> Affected:
    """核定救助金额, placement and bank account changed; the amount is fixed once paid or sent."""
    guard(user, HANDLE_RELIEF, affected.village_id, "修改受灾户", "受灾户")
    amount = money(data.get("relief_amount"), "核定救助金额")
    if amount != affected.relief_amount and _paid_relief(affected):
        raise ServiceError("救助资金已发放或已报送银行，不能再修改核定金额（同一次灾害不重复发放）")
    placement = choice(data, "placement", "安置情况", Affected.Placement.choices)
    changes = {"relief_amount": amount, "placement": placement}
    changes["placement_note"] = text(data, "placement_note", "安置方式", required=False)
    changes["returned_on"] = day(data, "returned_on", "返家日期", required=False) if placement == "home" else None
    if changes["returned_on"] and not (affected.disaster.on <= changes["returned_on"] <= timezone.localdate()):
        raise ServiceError("返家日期应在灾害发生日期与今天之间")
    if str(data.get("bank_account") or "").strip():
        changes["bank_name"], changes["bank_account"] = _account(data)
    Affected.objects.filter(pk=affected.pk).update(**changes)
    audit(user, "affected", affected.pk, {k: v for k, v in changes.items() if k != "bank_account"}, "修改受灾户", "update")
    affected.refresh_from_db()
    return affected


def rent_grant(*, user, affected: Affected, data) -> Affected:
    """过渡期房屋租住补助 for a collapsed house: months from–to at relief.rent_monthly."""
    guard(user, HANDLE_RELIEF, affected.village_id, "登记租住补助", "受灾户")
    if affected.house != Affected.House.COLLAPSED:
        raise ServiceError("只有房屋倒塌、需过渡安置的受灾户才能发放过渡期房屋租住补助")
    try:
        first = months.parse(str(data.get("rent_from") or "").strip(), "起始月")
        last = months.parse(str(data.get("rent_to") or "").strip(), "截止月")
    except months.BadMonth as exc:
        raise ServiceError(str(exc)) from None
    if last < first or len(months.span(first, last)) > 24:
        raise ServiceError("截止月不能早于起始月，且一次最多 24 个月")
    if first < affected.disaster.month:
        raise ServiceError("租住补助不能早于灾害发生的月份")
    paid = sorted(m for _i, _h, m in pay.live([pay.item_for(affected.disaster_id, rent=True)], [affected.id_number]))
    if paid and (first > paid[0] or last < paid[-1]):
        raise ServiceError(f"{paid[0]}至{paid[-1]}的租住补助已发放或已报送银行，补助期间须包含这些月份")
    try:
        monthly = Decimal(str(parameter("relief.rent_monthly", affected.village_id, months.first_day(first)).value))
    except RulesError as exc:
        raise ServiceError(f"无法确定租住补助标准：{exc}") from None
    Affected.objects.filter(pk=affected.pk).update(rent_from=first, rent_to=last, rent_monthly=monthly)
    audit(user, "affected", affected.pk, {"租住补助": f"{first}至{last}，每月{monthly}元"}, "过渡期房屋租住补助", "update")
    affected.refresh_from_db()
    return affected


def affected_refer(*, user, affected: Affected, data):
    """Still in hardship after relief (先行救助): a 临时救助 case through doudi.cases.temp, linked."""
    from doudi.cases import services as cases
    from doudi.cases import temp

    guard(user, HANDLE_RELIEF, affected.village_id, "转介临时救助", "受灾户")
    if affected.case_id is not None:
        raise ServiceError(f"该户已转入临时救助（案件编号 {affected.case.number}）")
    application = {
        "id_number": affected.id_number,
        "name": affected.name,
        "region": affected.village_id,
        "reason": text(data, "reason", "困难情况", limit=2000),
        "channel": "window",
        "phone": affected.phone,
        "cause": "disaster",
        "tier": str(data.get("tier") or "general"),
        "incident_on": affected.disaster.on.isoformat(),
        "requested_amount": str(data.get("requested_amount") or ""),
    }
    try:
        with transaction.atomic():
            case = temp.temp_receive(user=user, data=application)
            if not Affected.objects.filter(pk=affected.pk, case__isnull=True).update(case=case):
                raise ServiceError("该户已转入临时救助，请刷新页面")
    except cases.ApplicationRefused as exc:
        raise ServiceError("不能转入临时救助：" + "；".join(exc.errors.values())) from None
    except (cases.DuplicateApplication, temp.WorkflowError) as exc:
        raise ServiceError(str(exc)) from None
    audit(user, "affected", affected.pk, {"案件": case.number}, "受灾户转入临时救助")
    affected.refresh_from_db()
    return case


def visit_record(*, user, affected: Affected, data) -> ReliefVisit:
    guard(user, HANDLE_RELIEF, affected.village_id, "登记走访", "受灾户")
    on = day(data, "on", "走访日期")
    if not (affected.disaster.on <= on <= timezone.localdate()):
        raise ServiceError("走访日期应在灾害发生日期与今天之间")
    return ReliefVisit.objects.create(
        affected=affected, on=on, note=text(data, "note", "走访情况", limit=500), user=user, role=getattr(user, "role", "")
    )
