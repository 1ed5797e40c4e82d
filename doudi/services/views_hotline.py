"""Pages for the hotline: the work-order list (search, filters, overdue, Excel, print), a new
call, one order with its timeline and actions (转办, 答复, 回访, 办结, 转入临时救助申请), and the
response and closure times per township."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.core.exports import ExportMask, export_response, xlsx_response
from doudi.core.models import Region
from doudi.core.permissions import require
from doudi.core.roles import HANDLE_HOTLINE, RECEIVE_CASES, VIEW_HOTLINE, can
from doudi.services import hotline as svc
from doudi.services import selectors
from doudi.services.common import ServiceError, county_townships
from doudi.services.models import WorkOrder

PAGE_SIZE = 50
HEADERS = [
    "工单编号",
    "来电时间",
    "来源渠道",
    "12345工单编号",
    "诉求类型",
    "来电人",
    "身份证号",
    "联系电话",
    "所在乡镇",
    "承办单位",
    "诉求内容",
    "状态",
    "答复期限",
    "答复时间",
    "答复用时（小时）",
    "答复内容",
    "回访情况",
    "办结时间",
    "转入案件",
]


def _fmt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _rows(rows, mask: ExportMask):
    for o in rows.iterator(chunk_size=2000):
        hours = round((o.answered_at - o.received_at).total_seconds() / 3600, 1) if o.answered_at else ""
        yield [
            o.number,
            _fmt(o.received_at),
            o.get_channel_display(),
            o.external_ref,
            o.get_kind_display(),
            o.caller_name,
            mask.id(o.caller_id_number),
            o.caller_phone,
            o.township.name,
            o.unit_label,
            mask.values(o.need),
            o.get_state_display(),
            _fmt(o.respond_by),
            _fmt(o.answered_at),
            hours,
            mask.values(o.answer),
            mask.values(o.follow_up),
            _fmt(o.closed_at),
            o.case.number if o.case_id else "",
        ]


@require(VIEW_HOTLINE)
def order_list(request):
    f = {k: request.GET.get(k, "").strip()[:40] for k in ("q", "kind", "state", "township", "channel")}
    f["state"] = request.GET.get("state", "open")
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.order_search(request.user, overdue=overdue, **f)
    if request.GET.get("export") == "xlsx":
        return export_response(request, "热线工单.xlsx", "社会救助服务热线工单", HEADERS, lambda mask: _rows(rows, mask))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for o in page:
        o.late = o.state in ("received", "routed") and o.respond_by is not None and o.respond_by < now
    return render(
        request,
        "services/order_list.html",
        {
            "page": page,
            "f": f,
            "overdue": overdue,
            "kinds": WorkOrder.Kind.choices,
            "states": WorkOrder.State.choices,
            "channels": WorkOrder.Channel.choices,
            "townships": selectors.townships_for(request.user),
            "may_handle": can(request.user, HANDLE_HOTLINE),
        },
    )


@require(HANDLE_HOTLINE)
def order_new(request):
    if request.method == "POST":
        try:
            order = svc.order_create(user=request.user, data=request.POST)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记工单 {order.number}，答复期限 {_fmt(order.respond_by) or '无法计算'}")
            return redirect("services:order", pk=order.pk)
    return render(
        request,
        "services/order_form.html",
        {
            "data": request.POST or {"received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
            "kinds": WorkOrder.Kind.choices,
            "channels": WorkOrder.Channel.choices,
            "townships": county_townships(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@require(VIEW_HOTLINE)
def order_detail(request, pk):
    order = selectors.order_get(request.user, pk)
    allowed = svc.ORDER_WORKFLOW.allowed(order, request.user)
    states = dict(WorkOrder.State.choices)
    steps = list(svc.ORDER_WORKFLOW.history(order).select_related("user"))
    for step in steps:
        step.state_label = states.get(step.to_state, step.to_state)
    may_case = order.case_id is None and order.is_open and can(request.user, RECEIVE_CASES) and "route" in allowed
    return render(
        request,
        "services/order_detail.html",
        {
            "o": order,
            "steps": steps,
            "allowed": allowed,
            "offices": WorkOrder.Office.choices,
            "townships": county_townships(request.user),
            "may_case": may_case,
            # The caller's township's villages (一门受理: the case goes to the village's township).
            "villages": Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=order.township_id).order_by("code"),
            "late": order.is_open and not order.answered_at and order.respond_by and order.respond_by < timezone.now(),
        },
    )


@require_POST
@require(HANDLE_HOTLINE)
def order_act(request, pk, action):
    order = selectors.order_get(request.user, pk)
    if action not in svc.ACTION_LABELS:
        raise Http404("未知操作")
    if str(order.version) != request.POST.get("version", str(order.version)):
        messages.error(request, "该工单已被他人处理，请查看最新状态后再操作")
        return redirect("services:order", pk=pk)
    post = request.POST
    runs = {
        "route": lambda: svc.order_route(
            user=request.user, order=order, target=post.get("target", ""), note=post.get("note", "")
        ),
        "answer": lambda: svc.order_answer(user=request.user, order=order, answer=post.get("answer", "")),
        "follow": lambda: svc.order_follow(
            user=request.user, order=order, note=post.get("note", ""), satisfied=post.get("satisfied", "")
        ),
        "close": lambda: svc.order_close(user=request.user, order=order, note=post.get("note", "")),
    }
    try:
        order = runs[action]()
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{svc.ACTION_LABELS[action]}，当前状态：{order.get_state_display()}")
    if selectors.orders_for(request.user).filter(pk=pk).exists():
        return redirect("services:order", pk=pk)
    return redirect("services:orders")  # routed out of the user's scope


@require_POST
@require(HANDLE_HOTLINE)
def order_case(request, pk):
    order = selectors.order_get(request.user, pk)
    try:
        case = svc.order_start_case(user=request.user, order=order, data=request.POST)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已转入临时救助申请，案件编号 {case.number}")
    return redirect("services:order", pk=pk)


@require(VIEW_HOTLINE)
def order_times(request):
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", "")) if request.GET.get("start") else today.replace(day=1)
        end = dt.date.fromisoformat(request.GET.get("end", "")) if request.GET.get("end") else today
    except ValueError:
        messages.error(request, "日期格式应为 YYYY-MM-DD")
        start, end = today.replace(day=1), today
    if end < start:
        start, end = end, start
    table = selectors.order_times(request.user, start=start, end=end)
    if request.GET.get("export") == "xlsx":
        headers = [
            "乡镇",
            "工单数",
            "已答复",
            "按时答复",
            "按时答复率（%）",
            "平均答复用时（小时）",
            "已办结",
            "平均办结用时（小时）",
            "逾期未答复",
        ]
        body = table["rows"] + ([table["total"]] if table["total"] else [])
        return xlsx_response(
            "热线办理时效.xlsx",
            f"热线工单办理时效（{start}至{end}）",
            headers,
            (
                [
                    r["name"],
                    r["orders"],
                    r["answered"],
                    r["on_time"],
                    r["on_time_rate"],
                    r["avg_answer"],
                    r["closed"],
                    r["avg_close"],
                    r["overdue"],
                ]
                for r in body
            ),
        )
    return render(request, "services/order_times.html", {"table": table, "start": start, "end": end})
