"""集中走访慰问 (issue 16 item 2): the county starts a pre-festival campaign with its groups, its
period and what is handed out (慰问金 per person and/or kinds of 慰问品); the persons to visit are
fixed then, per village, from the register's benefits and the special-group flags (care's own
selectors); helpers see the campaign's persons on their visit list; a 附件1 visit within the
period is marked as the campaign visit with what was handed over; coverage per village and
township and the totals handed out are read here (campaign_totals: the reports' festival table).

慰问金 given at the visit is only a figure on the record: money paid through the bank is a
payments campaign (docs/care.md §14)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404

from doudi.care import groups as care_groups
from doudi.care.models import Campaign, CampaignTarget, CampaignVisit
from doudi.care.services import CareError
from doudi.core.models import AuditEntry
from doudi.core.roles import MANAGE_GROUPS, RECORD_VISIT, can
from doudi.core.scoping import in_scope, scope

MAX_DAYS = 92
MAX_MONEY = Decimal("10000")
MAX_KINDS = 10
MAX_COUNT = 99


# -- who --------------------------------------------------------------------------------------
def may_start(user) -> bool:
    """A county role (admin, staff) starts a campaign for its own county."""
    code = getattr(user, "scope_code", None)
    return can(user, MANAGE_GROUPS) and code is not None and len(code) == 6


def campaigns_for(user):
    code = getattr(user, "scope_code", None) if getattr(user, "is_authenticated", False) else None
    if code is None:
        return Campaign.objects.none()
    return Campaign.objects.all() if code == "" else Campaign.objects.filter(county_code=code[:6])


def campaign_get(user, pk: int) -> Campaign:
    campaign = campaigns_for(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404("没有找到该活动，或不在您的管辖范围内")
    return campaign


# -- starting ---------------------------------------------------------------------------------
def parse_money(raw) -> Decimal | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CareError(f"慰问金「{text}」不是金额，请填写数字（元）") from None
    if not value.is_finite() or value < 0 or value > MAX_MONEY or value != value.quantize(Decimal("0.01")):
        raise CareError(f"慰问金应在 0 到 {MAX_MONEY} 元之间，最多两位小数")
    return value


def parse_goods(raw: str) -> list[str]:
    kinds = []
    for word in (w.strip() for w in re.split(r"[;；、,，\n]+", raw or "")):
        if not word:
            continue
        if len(word) > 20:
            raise CareError(f"慰问品名称「{word[:20]}…」过长（不超过 20 个字）")
        if word not in kinds:
            kinds.append(word)
    if len(kinds) > MAX_KINDS:
        raise CareError(f"慰问品最多 {MAX_KINDS} 种")
    return kinds


def campaign_start(
    *, user, name: str, group_codes, starts_on: dt.date, ends_on: dt.date, money=None, goods: str = "", note: str = ""
) -> Campaign:
    """Starts a campaign for the user's county and fixes its persons to visit (all or nothing)."""
    if not may_start(user):
        raise PermissionError("只有县民政局可以发起集中走访慰问")
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise CareError("请填写活动名称（不超过 60 个字）")
    chosen = [g for g in care_groups.DUTY_GROUPS if g in set(group_codes or ())]
    if not chosen or len(chosen) != len(set(group_codes)):
        raise CareError("请选择走访对象（低保、特困、特殊困难老年人、困境儿童等，至少一项）")
    if ends_on < starts_on:
        raise CareError("结束日期不能早于开始日期")
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise CareError(f"活动期间不超过 {MAX_DAYS} 天")
    amount = parse_money(money)
    kinds = parse_goods(goods)
    if not amount and not kinds:
        raise CareError("请填写慰问金标准或慰问品（至少一项）")
    county = user.scope_code[:6]
    people = target_people(county, chosen, starts_on)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            county_code=county,
            groups=chosen,
            starts_on=starts_on,
            ends_on=ends_on,
            money=amount or None,
            goods=kinds,
            note=(note or "").strip()[:500],
            targets_count=len(people),
            created_by=user,
        )
        CampaignTarget.objects.bulk_create(
            [CampaignTarget(campaign=campaign, person_id=pk, region_code=village, groups=held) for pk, village, held in people],
            batch_size=2000,
        )
        AuditEntry.objects.create(
            user=user,
            role=user.role,
            action="create",
            entity="care_campaign",
            entity_key=str(campaign.pk),
            changes={"集中走访慰问": ["", f"{name}（{starts_on}至{ends_on}，{len(people)} 人）"]},
            reason="发起集中走访慰问",
        )
    return campaign


def target_people(county: str, chosen, day: dt.date) -> list[tuple[int, str, list[str]]]:
    """(person, village, the chosen groups they are in) for everyone in the county in the groups."""
    from doudi.care.selectors import candidate_rows, groups_of

    people = candidate_rows(county)
    held = groups_of([p["id"] for p in people])
    wanted = set(chosen)
    out = []
    for p in people:
        hit = [g for g in chosen if g in held.get(p["id"], ()) and g in wanted]
        if hit:
            out.append((p["id"], p["household__region_id"], hit))
    return out


# -- marking a visit --------------------------------------------------------------------------
def open_for_visit(visit) -> list[Campaign]:
    """Campaigns this visit may be marked for: the person is a target, not yet visited for it,
    and the visit falls in the period."""
    visited = CampaignVisit.objects.filter(target_id=OuterRef("pk"))
    targets = CampaignTarget.objects.filter(person_id=visit.person_id).exclude(Exists(visited))
    return list(
        Campaign.objects.filter(
            pk__in=targets.values("campaign_id"), starts_on__lte=visit.visited_on, ends_on__gte=visit.visited_on
        ).order_by("-starts_on")
    )


def campaign_visit_mark(*, user, visit, campaign: Campaign, money=None, goods: dict | None = None) -> CampaignVisit:
    if not can(user, RECORD_VISIT) or not in_scope(user, visit.region_code):
        raise PermissionError("您的角色或管辖范围无权登记该走访的慰问情况")
    if not campaign.covers(visit.visited_on):
        raise CareError(f"走访时间 {visit.visited_on} 不在活动期间（{campaign.starts_on} 至 {campaign.ends_on}）内")
    target = CampaignTarget.objects.filter(campaign=campaign, person_id=visit.person_id).first()
    if target is None:
        raise CareError("该人员不在本次活动的走访对象名单中")
    amount = parse_money(money) or Decimal("0")
    if amount and campaign.money is None:
        raise CareError("本次活动没有慰问金，请只填写慰问品")
    if campaign.money is not None and amount > campaign.money:
        raise CareError(f"慰问金不能超过活动标准 {campaign.money} 元")
    counts = {}
    for kind, raw in (goods or {}).items():
        text = str(raw or "").strip()
        if not text or text == "0":
            continue
        if kind not in campaign.goods:
            raise CareError(f"本次活动没有慰问品「{kind}」")
        if not text.isdigit() or int(text) > MAX_COUNT:
            raise CareError(f"慰问品「{kind}」的数量应为 0 到 {MAX_COUNT} 的整数")
        counts[kind] = int(text)
    if not amount and not counts:
        raise CareError("请填写发放的慰问金或慰问品")
    try:
        with transaction.atomic():
            return CampaignVisit.objects.create(
                campaign=campaign,
                target=target,
                visit=visit,
                region_code=visit.region_code,
                visited_on=visit.visited_on,
                money=amount,
                goods=counts,
                recorded_by=user,
            )
    except IntegrityError:
        raise CareError("该人员（或这次走访）已登记过本次活动的走访慰问，不能重复登记") from None


# -- reads ------------------------------------------------------------------------------------
def coverage(user, campaign: Campaign) -> dict:
    """Per village and township: persons to visit, visited, %, 慰问金 and 慰问品 handed out."""
    targets = scope(CampaignTarget.objects.filter(campaign=campaign), user, "region_code")
    due = dict(targets.values_list("region_code").annotate(n=Count("id")))
    visits = scope(CampaignVisit.objects.filter(campaign=campaign), user, "region_code")
    done: dict[str, dict] = defaultdict(lambda: {"visited": 0, "money": Decimal("0"), "goods": defaultdict(int)})
    for code, money, goods in visits.values_list("region_code", "money", "goods").iterator():
        cell = done[code]
        cell["visited"] += 1
        cell["money"] += money
        for kind, n in goods.items():
            cell["goods"][kind] += n
    from doudi.care.selectors import region_names

    names = region_names({c for code in due for c in (code, code[:9])})
    villages, townships = [], {}
    for code in sorted(due):
        cell = done.get(code) or {"visited": 0, "money": Decimal("0"), "goods": {}}
        row = _row(code, names.get(code, code), due[code], cell["visited"], cell["money"], cell["goods"], campaign)
        row["township_name"] = names.get(code[:9], code[:9])
        villages.append(row)
        town = townships.setdefault(
            code[:9], {"code": code[:9], "name": names.get(code[:9], code[:9]), "due": 0, "visited": 0, "money": 0, "goods": {}}
        )
        town["due"] += row["due"]
        town["visited"] += row["visited"]
        town["money"] += row["money"]
        for kind, n in cell["goods"].items():
            town["goods"][kind] = town["goods"].get(kind, 0) + n
    towns = [_row(t["code"], t["name"], t["due"], t["visited"], t["money"], t["goods"], campaign) for t in townships.values()]
    total = _row(
        "", "合计", sum(due.values()), sum(r["visited"] for r in villages), sum(r["money"] for r in villages), {}, campaign
    )
    total["goods_list"] = [(k, sum(r["goods"].get(k, 0) for r in villages)) for k in campaign.goods]
    return {"villages": villages, "townships": towns, "total": total}


def _row(code, name, due, visited, money, goods, campaign) -> dict:
    return {
        "code": code,
        "name": name,
        "due": due,
        "visited": visited,
        "percent": round(100 * visited / due) if due else 0,
        "money": money,
        "goods": dict(goods),
        "goods_list": [(k, goods.get(k, 0)) for k in campaign.goods],
    }


def people(user, campaign: Campaign, village: str) -> list[dict]:
    """The persons to visit in one village (or township) in scope, with their campaign visit."""
    targets = (
        scope(CampaignTarget.objects.filter(campaign=campaign), user, "region_code")
        .filter(region_code__startswith=village)
        .select_related("person", "visit", "visit__visit")
        .order_by("region_code", "person__name", "id")
    )
    return [
        {
            "person": t.person,
            "village": t.region_code,
            "groups": "、".join(care_groups.label(g) for g in t.groups),
            "visit": getattr(t, "visit", None),
        }
        for t in targets
    ]


def todo(user, *, today: dt.date, village: str = "", limit: int = 500) -> list[dict]:
    """For the helper's phone list: campaigns running today and their persons in the user's
    villages not yet visited for them."""
    running = campaigns_for(user).filter(starts_on__lte=today, ends_on__gte=today)
    visited = CampaignVisit.objects.filter(target_id=OuterRef("pk"))
    rows = (
        scope(CampaignTarget.objects.filter(campaign__in=running), user, "region_code")
        .filter(Q(region_code__startswith=village) if village else Q())
        .exclude(Exists(visited))
        .select_related("campaign", "person")
        .order_by("campaign__ends_on", "region_code", "person__name")[:limit]
    )
    return [
        {
            "campaign": t.campaign,
            "person": t.person,
            "village": t.region_code,
            "groups": "、".join(care_groups.label(g) for g in t.groups),
        }
        for t in rows
    ]
