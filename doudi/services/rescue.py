"""Writes for street rescue (流浪乞讨人员, RES-1…5; 临民发【2024】22号（八）): patrols of the
places people sleep rough, cold-weather periods, the people met (help given, placement),
寻亲公告 for those who cannot say who they are (photo checked as JPEG or PNG by its first bytes,
never by its name), the search's outcome with 公安, and returnees referred to apply for
assistance at home. Every write checks role and region (the patrol's township) and refuses bad
input with a Chinese message (ServiceError), changing nothing.

`shortfalls` is the warning: in each week of a cold-weather period, a township with fewer
patrols (or night patrols) than the parameters rescue.cold_patrols_per_week and
rescue.cold_night_patrols_per_week ask (prorated for a part week, rounded up)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from doudi.core import uploads
from doudi.core.models import Region
from doudi.core.roles import HANDLE_RESCUE
from doudi.rules.errors import RulesError
from doudi.rules.policy import parameter
from doudi.services.common import ServiceError, audit, choice, day, guard, id_number, text, township_of_county
from doudi.services.models import ColdSpell, Encounter, Patrol, Referral, SearchNotice

WHAT = "办理流浪乞讨人员救助"
MAX_PHOTO_BYTES = 5 * 1024 * 1024
NIGHT_FROM, NIGHT_UNTIL = 20, 6  # a patrol starting 20:00–06:00 is a night patrol unless said otherwise


def _township(user, code) -> Region:
    township = township_of_county(code, user)
    guard(user, HANDLE_RESCUE, township.code, WHAT, "乡镇")
    return township


def _past(on: dt.date, label: str) -> dt.date:
    if on > timezone.localdate():
        raise ServiceError(f"{label}不能晚于今天")
    return on


def _started_at(raw) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        value = raw
    else:
        raw = str(raw or "").strip()
        if not raw:
            raise ServiceError("请填写巡查开始时间")
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise ServiceError(f"巡查开始时间「{raw[:20]}」格式不对，应为 YYYY-MM-DD HH:MM") from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise ServiceError("巡查开始时间不能晚于现在")
    return value


def _optional_int(data, key, label, low, high):
    raw = str(data.get(key) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ServiceError(f"{label}应为 {low} 至 {high} 的整数") from None
    if not low <= value <= high:
        raise ServiceError(f"{label}应为 {low} 至 {high} 的整数")
    return value


def _flag(data, key) -> bool:
    return str(data.get(key) or "").strip().lower() in ("1", "on", "yes", "true")


# -- cold-weather periods and patrols ---------------------------------------------------------
def spell_add(*, user, data: dict) -> ColdSpell:
    """A cold-weather period for the county or one township (from the weather warning)."""
    code = str(data.get("region") or "").strip()
    region = Region.objects.filter(code=code, level__in=(Region.Level.COUNTY, Region.Level.TOWNSHIP)).first()
    if region is None:
        raise ServiceError("请选择恶劣天气的区域（本县或某个乡镇）")
    guard(user, HANDLE_RESCUE, region.code, "登记恶劣天气时段", "区域")
    start, end = day(data, "start", "开始日期"), day(data, "end", "结束日期")
    if end < start:
        raise ServiceError("结束日期不能早于开始日期")
    if (end - start).days > 120:
        raise ServiceError("一个恶劣天气时段不能超过 120 天，请分段登记")
    with transaction.atomic():
        spell = ColdSpell.objects.create(
            region=region,
            kind=choice(data, "kind", "天气", ColdSpell.Kind.choices),
            start=start,
            end=end,
            note=text(data, "note", "预警信息", required=False),
            created_by=user,
        )
        audit(user, "cold_spell", spell.pk, {"区域": region.name, "起止": f"{start}至{end}"})
    return spell


def patrol_add(*, user, data: dict) -> Patrol:
    township = _township(user, data.get("township"))
    started = _started_at(data.get("started_at"))
    hour = timezone.localtime(started).hour
    night_raw = str(data.get("night") or "").strip()
    if night_raw not in ("", "day", "night"):
        raise ServiceError("请选择白天或夜间巡查")
    night = night_raw == "night" if night_raw else (hour >= NIGHT_FROM or hour < NIGHT_UNTIL)
    hours_raw = str(data.get("hours") or "").strip()
    hours = None
    if hours_raw:
        try:
            hours = Decimal(hours_raw)
        except InvalidOperation:
            raise ServiceError("巡查时长应为 0.5 至 24 小时") from None
        if not hours.is_finite() or not Decimal("0.1") <= hours <= 24:
            raise ServiceError("巡查时长应为 0.5 至 24 小时")
        hours = hours.quantize(Decimal("0.1"))
    return Patrol.objects.create(
        township=township,
        started_at=started,
        hours=hours,
        night=night,
        area=text(data, "area", "巡查区域"),
        weather=choice(data, "weather", "天气", Patrol.Weather.choices),
        temperature=_optional_int(data, "temperature", "气温", -60, 50),
        team=text(data, "team", "巡查人员"),
        note=text(data, "note", "巡查情况", required=False, limit=500),
        created_by=user,
    )


def _need(name: str, region: str, on: dt.date) -> int:
    return int(parameter(name, region, on).value)


def shortfalls(spells, townships, patrols_by_day) -> list[dict]:
    """For each cold spell, township and 7-day window of the spell (from its first day): the
    patrols and night patrols counted against the minimum (prorated for a part window, rounded
    up). `patrols_by_day` is {(township code, date): (patrols, night patrols)}. Windows not yet
    begun are skipped; a window still running is checked against the days so far. Only the
    windows that fall short are returned."""
    today = timezone.localdate()
    out = []
    for spell in spells:
        targets = [t for t in townships if t.code.startswith(spell.region_id)]
        first = spell.start
        while first <= min(spell.end, today):
            last = min(first + dt.timedelta(days=6), spell.end, today)
            days = (last - first).days + 1
            try:
                per_week = _need("rescue.cold_patrols_per_week", spell.region_id, first)
                per_week_night = _need("rescue.cold_night_patrols_per_week", spell.region_id, first)
            except RulesError as exc:
                raise ServiceError(f"无法读取巡查频次参数（{exc}）") from None
            need, need_night = math.ceil(per_week * days / 7), math.ceil(per_week_night * days / 7)
            for t in targets:
                done = night = 0
                for i in range(days):
                    a, b = patrols_by_day.get((t.code, first + dt.timedelta(days=i)), (0, 0))
                    done, night = done + a, night + b
                if done < need or night < need_night:
                    out.append(
                        {
                            "spell": spell,
                            "township": t,
                            "first": first,
                            "last": last,
                            "patrols": done,
                            "night": night,
                            "need": need,
                            "need_night": need_night,
                        }
                    )
            first += dt.timedelta(days=7)
    return out


# -- people met -------------------------------------------------------------------------------
def encounter_add(*, user, patrol: Patrol, data: dict) -> Encounter:
    guard(user, HANDLE_RESCUE, patrol.township_id, WHAT, "巡查记录")
    identified = not _flag(data, "unidentified")
    raw_id = str(data.get("id_number") or "").strip()
    number = id_number(raw_id, "身份证号") if raw_id else ""
    name = text(data, "name", "姓名", required=False, limit=32)
    if identified and not name:
        raise ServiceError("能说明身份的人员请填写姓名；无法说明身份的请勾选“无法说明身份”")
    placement = choice(data, "placement", "安置去向", Encounter.Placement.choices)
    fields = {
        "food": _flag(data, "food"),
        "clothing": _flag(data, "clothing"),
        "medical": _flag(data, "medical"),
        "ride": _flag(data, "ride"),
    }
    if placement == Encounter.Placement.STATION and not fields["ride"]:
        fields["ride"] = True  # 护送至救助管理站 is a ride to the station
    sex = str(data.get("sex") or "").strip()
    if sex not in ("", "M", "F"):
        raise ServiceError("请选择性别")
    with transaction.atomic():
        encounter = Encounter.objects.create(
            patrol=patrol,
            township_id=patrol.township_id,
            name=name,
            id_number=number,
            identified=identified,
            sex=sex,
            age=_optional_int(data, "age", "年龄", 0, 120),
            place=text(data, "place", "发现地点"),
            situation=text(data, "situation", "情况", required=False, limit=500),
            placement=placement,
            placement_note=text(data, "placement_note", "安置说明", required=False),
            created_by=user,
            **fields,
        )
        audit(user, "encounter", encounter.pk, {"人员": encounter.display_name, "安置": encounter.get_placement_display()})
    return encounter


# -- 寻亲公告 ---------------------------------------------------------------------------------
def _photo(upload) -> str:
    if upload is None:
        return ""
    try:
        return uploads.sniff(upload, max_bytes=MAX_PHOTO_BYTES, what="照片")[0]
    except uploads.UploadRefused as exc:
        raise ServiceError(str(exc)) from None


def notice_add(*, user, data: dict, photo=None, encounter: Encounter | None = None) -> SearchNotice:
    """A 寻亲公告: features, where and when found, where the person is sheltered, publication dates."""
    township = Region.objects.get(code=encounter.township_id) if encounter else _township(user, data.get("township"))
    guard(user, HANDLE_RESCUE, township.code, WHAT, "乡镇")
    if encounter is not None and encounter.identified:
        raise ServiceError("该人员能说明身份，不需要发布寻亲公告")
    features = text(data, "features", "体貌特征（身高、体型、口音、衣着、明显特征）", limit=1000)
    found_on = _past(day(data, "found_on", "发现日期"), "发现日期")
    start, until = day(data, "published_from", "公告发布日期"), day(data, "published_until", "公告截止日期")
    if start < found_on:
        raise ServiceError("公告发布日期不能早于发现日期")
    if until < start:
        raise ServiceError("公告截止日期不能早于发布日期")
    kind = _photo(photo)
    sex = str(data.get("sex") or (encounter.sex if encounter else "") or "").strip()
    if sex not in ("", "M", "F"):
        raise ServiceError("请选择性别")
    fields = {
        "township": township,
        "encounter": encounter,
        "title": text(data, "title", "称呼", required=False, limit=32) or "无名氏",
        "sex": sex,
        "age": text(data, "age", "年龄", required=False, limit=20),
        "height": text(data, "height", "身高", required=False, limit=20),
        "features": features,
        "found_on": found_on,
        "found_at": text(data, "found_at", "发现地点"),
        "shelter": text(data, "shelter", "现安置单位", limit=100),
        "contact": text(data, "contact", "联系人、电话", limit=100),
        "published_from": start,
        "published_until": until,
        "channels": text(data, "channels", "发布渠道（报纸、网站、全国救助寻亲网）"),
        "photo_type": kind,
        "created_by": user,
    }
    with transaction.atomic():
        notice = SearchNotice(**fields)
        if photo is not None:
            notice.photo = photo
        notice.save()
        audit(user, "search_notice", notice.pk, {"公告": notice.number, "发布": f"{start}至{until}"})
    return notice


def notice_police(*, user, notice: SearchNotice, data: dict) -> SearchNotice:
    """The check with 公安 (指纹、人像、DNA比对): date and result."""
    guard(user, HANDLE_RESCUE, notice.township_id, WHAT, "寻亲公告")
    on = _past(day(data, "police_checked_on", "公安甄别日期"), "公安甄别日期")
    result = text(data, "police_result", "公安甄别结果", limit=500)
    with transaction.atomic():
        SearchNotice.objects.filter(pk=notice.pk).update(police_checked_on=on, police_result=result)
        audit(user, "search_notice", notice.pk, {"公安甄别": f"{on} {result}"}, action="update")
    notice.refresh_from_db()
    return notice


def notice_outcome(*, user, notice: SearchNotice, data: dict) -> SearchNotice:
    """寻亲结果: found (returned home) or not found (long-term placement), with a date and a note."""
    guard(user, HANDLE_RESCUE, notice.township_id, WHAT, "寻亲公告")
    outcome = choice(data, "outcome", "寻亲结果", [c for c in SearchNotice.Outcome.choices if c[0] != "searching"])
    on = _past(day(data, "outcome_on", "结果日期"), "结果日期")
    if on < notice.found_on:
        raise ServiceError("结果日期不能早于发现日期")
    note = text(data, "outcome_note", "结果说明（如亲属姓名、接回情况、安置单位）", limit=500)
    with transaction.atomic():
        if not SearchNotice.objects.filter(pk=notice.pk, outcome=SearchNotice.Outcome.SEARCHING).update(
            outcome=outcome, outcome_on=on, outcome_note=note
        ):
            raise ServiceError("该公告已登记寻亲结果（可能已由他人登记），请刷新页面")
        audit(user, "search_notice", notice.pk, {"结果": SearchNotice.Outcome(outcome).label, "日期": on}, note, action="end")
    notice.refresh_from_db()
    return notice


# -- returnees --------------------------------------------------------------------------------
def referral_add(*, user, data: dict, encounter: Encounter | None = None) -> Referral:
    """A returnee referred to apply for assistance at home: a note and the receiving region.
    With an ID number and no region code given, the code is the ID's county (its first six digits)."""
    township = Region.objects.get(code=encounter.township_id) if encounter else _township(user, data.get("township"))
    guard(user, HANDLE_RESCUE, township.code, WHAT, "乡镇")
    raw_id = str(data.get("id_number") or (encounter.id_number if encounter else "") or "").strip()
    number = id_number(raw_id, "身份证号") if raw_id else ""
    code = str(data.get("home_code") or "").strip()
    if code and (not code.isdigit() or len(code) not in (6, 9, 12)):
        raise ServiceError("接收地区划代码应为 6、9 或 12 位数字")
    if not code and number:
        code = number[:6]
    name = text(data, "name", "姓名", required=not (encounter and encounter.name), limit=32) or (
        encounter.name if encounter else ""
    )
    with transaction.atomic():
        referral = Referral.objects.create(
            township=township,
            encounter=encounter,
            name=name,
            id_number=number,
            home=text(data, "home", "接收地（户籍地县、乡镇）", limit=100),
            home_code=code,
            on=_past(day(data, "on", "转介日期"), "转介日期"),
            note=text(data, "note", "转介说明（建议申请的救助、与接收地的联系情况）", limit=500),
            created_by=user,
        )
        audit(user, "referral", referral.pk, {"人员": name, "接收地": referral.home})
    return referral
