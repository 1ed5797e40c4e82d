"""Pages for in-kind goods: stock by township and kind with the receive and hand-out forms,
the entries (search, filters, Excel with ID numbers masked, print), and the weekly
kinds-and-person-times table that 附件2 其他救助方式 reports."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.core.exports import export_response, xlsx_response
from doudi.core.permissions import require
from doudi.core.roles import HANDLE_GOODS, VIEW_GOODS, can
from doudi.services import goods as svc
from doudi.services import selectors
from doudi.services.common import ServiceError
from doudi.services.models import GOODS_KINDS, GoodsEntry

PAGE_SIZE = 50
REPORTED = ("stove", "coal", "clothing", "quilt", "blanket")  # 附件2 备注2


def _date(raw, default=None):
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


@require(VIEW_GOODS)
def goods_home(request):
    f = {k: request.GET.get(k, "").strip()[:20] for k in ("township", "kind")}
    rows = selectors.balances_for(request.user, **f)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "物资库存.xlsx",
            "救助物资库存",
            ["乡镇", "物资", "单位", "累计入库", "累计发放", "库存"],
            ([b.township.name, b.get_kind_display(), b.unit, b.received, b.issued, b.stock] for b in rows),
        )
    return render(
        request,
        "services/goods.html",
        {
            "rows": rows,
            "f": f,
            "kinds": svc.KIND_CHOICES,
            "townships": selectors.townships_for(request.user),
            "may_handle": can(request.user, HANDLE_GOODS),
            "token": secrets.token_hex(16),
            "today": timezone.localdate().isoformat(),
            "units": {k: v[1] for k, v in GOODS_KINDS.items()},
        },
    )


def _write(request, call, success):
    try:
        entry, created = call(user=request.user, data=request.POST, token=request.POST.get("token") or None)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success(entry) if created else "该表单已提交过，未重复登记")
    return redirect("services:goods")


@require_POST
@require(HANDLE_GOODS)
def receive(request):
    return _write(request, svc.goods_receive, lambda e: f"已入库 {e.get_kind_display()} {e.quantity} {e.unit}")


@require_POST
@require(HANDLE_GOODS)
def issue(request):
    return _write(
        request, svc.goods_issue, lambda e: f"已向 {e.recipient_name} 发放 {e.get_kind_display()} {e.quantity} {e.unit}"
    )


@require(VIEW_GOODS)
def entry_list(request):
    f = {k: request.GET.get(k, "").strip()[:40] for k in ("q", "direction", "kind", "township", "start", "end")}
    rows = selectors.entries_for(
        request.user,
        direction=f["direction"],
        kind=f["kind"],
        township=f["township"],
        q=f["q"],
        start=_date(f["start"]),
        end=_date(f["end"]),
    )
    if request.GET.get("export") == "xlsx":
        headers = ["日期", "乡镇", "类型", "物资", "数量", "单位", "领取人", "身份证号", "来源", "备注", "经办时间"]
        return export_response(
            request,
            "物资出入库.xlsx",
            "救助物资出入库明细",
            headers,
            lambda mask: (
                [
                    e.on.isoformat(),
                    e.township.name,
                    e.get_direction_display(),
                    e.get_kind_display(),
                    e.quantity,
                    e.unit,
                    e.recipient_name,
                    mask.id(e.recipient_id_number),
                    e.source,
                    e.note,
                    timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
                ]
                for e in rows.iterator(chunk_size=2000)
            ),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/goods_entries.html",
        {
            "page": page,
            "f": f,
            "kinds": svc.KIND_CHOICES,
            "directions": GoodsEntry.Direction.choices,
            "townships": selectors.townships_for(request.user),
        },
    )


@require(VIEW_GOODS)
def weekly(request):
    """Kinds and person-times per township in one ISO week (Monday–Sunday), as 附件2 counts them."""
    today = timezone.localdate()
    day = _date(request.GET.get("week", ""), today)
    first = day - dt.timedelta(days=day.weekday())
    last = first + dt.timedelta(days=6)
    townships = selectors.townships_for(request.user)
    scope = request.user.scope_code or ""
    counts = selectors.inkind_between(scope, first, last)
    kinds = list(GOODS_KINDS)
    rows = []
    for t in townships:
        found = counts.get(t.code, {})
        rows.append(
            {
                "name": t.name,
                "cells": [found.get(k, 0) for k in kinds],
                "reported": sum(found.get(k, 0) for k in REPORTED),
                "labels": "、".join(GOODS_KINDS[k][0] for k in REPORTED if found.get(k)),
            }
        )
    total = {
        "name": "合计",
        "cells": [sum(r["cells"][i] for r in rows) for i in range(len(kinds))],
        "reported": sum(r["reported"] for r in rows),
        "labels": "",
    }
    if request.GET.get("export") == "xlsx":
        headers = ["乡镇", *[GOODS_KINDS[k][0] for k in kinds], "其他救助方式（人次）", "物资种类"]
        return xlsx_response(
            "物资发放周报.xlsx",
            f"救助物资发放人次（{first}至{last}）",
            headers,
            ([r["name"], *r["cells"], r["reported"], r["labels"]] for r in [*rows, total]),
        )
    return render(
        request,
        "services/goods_weekly.html",
        {
            "rows": rows,
            "total": total,
            "kinds": [GOODS_KINDS[k][0] for k in kinds],
            "first": first,
            "last": last,
            "prev": (first - dt.timedelta(days=7)).isoformat(),
            "next": (first + dt.timedelta(days=7)).isoformat(),
        },
    )
