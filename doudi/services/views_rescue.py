"""Pages for street rescue: patrols (with the cold-weather warnings and the cold-weather
periods), one patrol with the people met, one person met (寻亲公告, referral home), the notices
(a printable notice with its photo, served only through the scoped view), and the returnee
referrals. Thin: reads through selectors (another township is a 404), writes through
services/rescue.py (a refusal is a Chinese message)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.core.exports import export_response, xlsx_response
from doudi.core.permissions import require
from doudi.core.roles import HANDLE_RESCUE, VIEW_RESCUE, can
from doudi.services import rescue as svc
from doudi.services import selectors
from doudi.services.common import ServiceError, regions_under
from doudi.services.models import ColdSpell, Encounter, Patrol, SearchNotice

PAGE_SIZE = 50
WARN_DAYS = 60  # cold-weather periods that ended within this many days are checked on the patrol page


def _date(raw):
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _filters(request, *keys):
    return {k: request.GET.get(k, "").strip()[:40] for k in keys}


def warnings_for(user) -> list[dict]:
    today = timezone.localdate()
    spells = [s for s in selectors.spells_for(user) if s.end >= today - dt.timedelta(days=WARN_DAYS) and s.start <= today]
    if not spells:
        return []
    first = min(s.start for s in spells)
    return svc.shortfalls(spells, selectors.townships_for(user), selectors.patrol_counts(user, first, today))


@require(VIEW_RESCUE)
def patrol_list(request):
    f = _filters(request, "q", "township", "night", "start", "end")
    rows = selectors.patrols_for(
        request.user, q=f["q"], township=f["township"], night=f["night"], start=_date(f["start"]), end=_date(f["end"])
    )
    if request.GET.get("export") == "xlsx":
        headers = [
            "巡查时间",
            "时长（小时）",
            "白天/夜间",
            "乡镇",
            "巡查区域",
            "天气",
            "气温（℃）",
            "巡查人员",
            "发现人数",
            "巡查情况",
        ]
        return xlsx_response(
            "街面巡查.xlsx",
            "流浪乞讨人员街面巡查记录",
            headers,
            (
                [
                    timezone.localtime(p.started_at).strftime("%Y-%m-%d %H:%M"),
                    p.hours,
                    "夜间" if p.night else "白天",
                    p.township.name,
                    p.area,
                    p.get_weather_display(),
                    p.temperature,
                    p.team,
                    p.met,
                    p.note,
                ]
                for p in rows.iterator(chunk_size=2000)
            ),
        )
    try:
        warnings = warnings_for(request.user)
    except ServiceError as exc:
        warnings, _ = [], messages.error(request, str(exc))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/patrol_list.html",
        {
            "page": page,
            "f": f,
            "warnings": warnings,
            "spells": selectors.spells_for(request.user)[:10],
            "townships": selectors.townships_for(request.user),
            "weathers": Patrol.Weather.choices,
            "spell_kinds": ColdSpell.Kind.choices,
            "spell_regions": regions_under(request.user, ("county", "township")),
            "may_handle": can(request.user, HANDLE_RESCUE),
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "today": timezone.localdate().isoformat(),
        },
    )


def _post(request, call, success, back):
    try:
        obj = call()
    except ServiceError as exc:
        messages.error(request, str(exc))
        return back
    messages.success(request, success(obj))
    return None


@require_POST
@require(HANDLE_RESCUE)
def patrol_new(request):
    failed = _post(
        request,
        lambda: svc.patrol_add(user=request.user, data=request.POST),
        lambda p: f"已登记{'夜间' if p.night else '白天'}巡查",
        redirect("services:patrols"),
    )
    return failed or redirect("services:patrols")


@require_POST
@require(HANDLE_RESCUE)
def spell_new(request):
    failed = _post(
        request,
        lambda: svc.spell_add(user=request.user, data=request.POST),
        lambda s: f"已登记恶劣天气时段 {s.start} 至 {s.end}",
        redirect("services:patrols"),
    )
    return failed or redirect("services:patrols")


@require(VIEW_RESCUE)
def patrol_detail(request, pk):
    patrol = selectors.patrol_get(request.user, pk)
    return render(
        request,
        "services/patrol_detail.html",
        {
            "p": patrol,
            "rows": patrol.encounters.all().order_by("id"),
            "placements": Encounter.Placement.choices,
            "may_handle": can(request.user, HANDLE_RESCUE),
        },
    )


@require_POST
@require(HANDLE_RESCUE)
def encounter_new(request, pk):
    patrol = selectors.patrol_get(request.user, pk)
    _post(
        request,
        lambda: svc.encounter_add(user=request.user, patrol=patrol, data=request.POST),
        lambda e: f"已登记 {e.display_name}：{e.get_placement_display()}",
        None,
    )
    return redirect("services:patrol", pk=pk)


@require(VIEW_RESCUE)
def encounter_list(request):
    f = _filters(request, "q", "placement", "township")
    rows = selectors.encounters_for(request.user, **f)
    if request.GET.get("export") == "xlsx":
        headers = [
            "巡查时间",
            "乡镇",
            "姓名",
            "身份证号",
            "能说明身份",
            "性别",
            "年龄",
            "发现地点",
            "情况",
            "救助内容",
            "安置去向",
            "安置说明",
        ]
        return export_response(
            request,
            "巡查发现人员.xlsx",
            "街面巡查发现人员",
            headers,
            lambda mask: (
                [
                    timezone.localtime(e.patrol.started_at).strftime("%Y-%m-%d %H:%M"),
                    e.township.name,
                    e.display_name,
                    mask.id(e.id_number),
                    "是" if e.identified else "否",
                    e.get_sex_display(),
                    e.age,
                    e.place,
                    mask.values(e.situation),
                    e.help_labels,
                    e.get_placement_display(),
                    e.placement_note,
                ]
                for e in rows.iterator(chunk_size=2000)
            ),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/encounter_list.html",
        {"page": page, "f": f, "placements": Encounter.Placement.choices, "townships": selectors.townships_for(request.user)},
    )


@require(VIEW_RESCUE)
def encounter_detail(request, pk):
    encounter = selectors.encounter_get(request.user, pk)
    return render(
        request,
        "services/encounter_detail.html",
        {
            "e": encounter,
            "notices": encounter.notices.all(),
            "referrals": encounter.referrals.all(),
            "may_handle": can(request.user, HANDLE_RESCUE),
            "today": timezone.localdate().isoformat(),
            "found_on": timezone.localtime(encounter.patrol.started_at).date().isoformat(),
        },
    )


@require(HANDLE_RESCUE)
def notice_new(request, pk):
    """寻亲公告 for the person met (pk: the encounter): a form page (multipart, the photo)."""
    encounter = selectors.encounter_get(request.user, pk)
    if request.method == "POST":
        try:
            notice = svc.notice_add(user=request.user, data=request.POST, photo=request.FILES.get("photo"), encounter=encounter)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记寻亲公告 {notice.number}")
            return redirect("services:notice", pk=notice.pk)
    found = timezone.localtime(encounter.patrol.started_at).date().isoformat()
    data = request.POST or {
        "found_on": found,
        "found_at": encounter.place,
        "published_from": timezone.localdate().isoformat(),
        "age": encounter.age or "",
        "sex": encounter.sex,
    }
    return render(
        request, "services/notice_form.html", {"e": encounter, "data": data}, status=400 if request.method == "POST" else 200
    )


@require_POST
@require(HANDLE_RESCUE)
def referral_new(request, pk):
    encounter = selectors.encounter_get(request.user, pk)
    _post(
        request,
        lambda: svc.referral_add(user=request.user, data=request.POST, encounter=encounter),
        lambda r: f"已登记转介：{r.name} → {r.home}",
        None,
    )
    return redirect("services:encounter", pk=pk)


@require(VIEW_RESCUE)
def notice_list(request):
    f = _filters(request, "outcome", "township")
    rows = selectors.notices_for(request.user, **f)
    if request.GET.get("export") == "xlsx":
        headers = [
            "公告编号",
            "称呼",
            "性别",
            "年龄",
            "体貌特征",
            "发现日期",
            "发现地点",
            "安置单位",
            "发布日期",
            "截止日期",
            "发布渠道",
            "公安甄别日期",
            "公安甄别结果",
            "寻亲结果",
            "结果日期",
            "结果说明",
        ]
        return xlsx_response(
            "寻亲公告.xlsx",
            "寻亲公告",
            headers,
            (
                [
                    n.number,
                    n.title,
                    n.get_sex_display(),
                    n.age,
                    n.features,
                    n.found_on,
                    n.found_at,
                    n.shelter,
                    n.published_from,
                    n.published_until,
                    n.channels,
                    n.police_checked_on,
                    n.police_result,
                    n.get_outcome_display(),
                    n.outcome_on,
                    n.outcome_note,
                ]
                for n in rows.iterator(chunk_size=2000)
            ),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/notice_list.html",
        {"page": page, "f": f, "outcomes": SearchNotice.Outcome.choices, "townships": selectors.townships_for(request.user)},
    )


@require(VIEW_RESCUE)
def notice_detail(request, pk):
    notice = selectors.notice_get(request.user, pk)
    return render(
        request,
        "services/notice_detail.html",
        {
            "n": notice,
            "may_handle": can(request.user, HANDLE_RESCUE),
            "today": timezone.localdate().isoformat(),
            "outcomes": [c for c in SearchNotice.Outcome.choices if c[0] != "searching"],
        },
    )


@require(VIEW_RESCUE)
def notice_photo(request, pk):
    notice = selectors.notice_get(request.user, pk)
    if not notice.photo:
        raise Http404("该公告没有照片")
    response = FileResponse(notice.photo.open("rb"), content_type=notice.photo_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@require(HANDLE_RESCUE)
def notice_act(request, pk, action):
    notice = selectors.notice_get(request.user, pk)
    calls = {
        "police": lambda: svc.notice_police(user=request.user, notice=notice, data=request.POST),
        "outcome": lambda: svc.notice_outcome(user=request.user, notice=notice, data=request.POST),
    }
    if action not in calls:
        raise Http404("未知操作")
    _post(
        request,
        calls[action],
        lambda n: "已登记公安甄别" if action == "police" else f"已登记寻亲结果：{n.get_outcome_display()}",
        None,
    )
    return redirect("services:notice", pk=pk)


@require(VIEW_RESCUE)
def referral_list(request):
    f = _filters(request, "q", "township")
    rows = selectors.referrals_for(request.user, **f)
    if request.GET.get("export") == "xlsx":
        headers = ["转介日期", "登记乡镇", "姓名", "身份证号", "接收地", "接收地区划代码", "转介说明"]
        return export_response(
            request,
            "返乡人员转介.xlsx",
            "返乡流浪乞讨人员转介（引导申请救助）",
            headers,
            lambda mask: (
                [r.on.isoformat(), r.township.name, r.name, mask.id(r.id_number), r.home, r.home_code, mask.values(r.note)]
                for r in rows.iterator(chunk_size=2000)
            ),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "services/referral_list.html", {"page": page, "f": f, "townships": selectors.townships_for(request.user)}
    )
