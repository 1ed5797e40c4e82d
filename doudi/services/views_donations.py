"""Pages for the donation account (捐赠专户): the balance by purpose with the gift and spend
forms, the gifts and the spends (search, filters, Excel with ID numbers masked, print), one gift
or spend with its record and the second person's 复核, and the public thank-you list (no login:
only donors who agreed, amounts only where the donor allowed, never recipients)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from doudi.core.exports import export_response, xlsx_response
from doudi.core.models import Region
from doudi.core.permissions import require
from doudi.core.roles import CONFIRM_DONATIONS, HANDLE_DONATIONS, VIEW_DONATIONS, can
from doudi.services import donations as svc
from doudi.services import selectors
from doudi.services.common import ServiceError
from doudi.services.models import Donation
from doudi.services.models.donations import ITEM_CHOICES, Purpose, State

PAGE_SIZE = 50


def _date(raw):
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _filters(request, *keys):
    return {k: request.GET.get(k, "").strip()[:40] for k in keys}


def _county_user(user) -> bool:
    code = getattr(user, "scope_code", None)
    return code is not None and len(code) <= 6


@require(VIEW_DONATIONS)
def home(request):
    rows = list(selectors.donation_balances(request.user))
    if request.GET.get("export") == "xlsx":
        headers = [
            "专户",
            "用途",
            "资金或物资",
            "单位",
            "累计受赠（已复核）",
            "累计支出（已复核）",
            "待复核支出",
            "余额",
            "可用余额",
        ]
        return xlsx_response(
            "捐赠专户余额.xlsx",
            "捐赠专户余额（按用途）",
            headers,
            (
                [
                    b.county.name,
                    b.get_purpose_display(),
                    b.get_item_display(),
                    b.unit,
                    b.received,
                    b.spent,
                    b.reserved,
                    b.balance,
                    b.available,
                ]
                for b in rows
            ),
        )
    pending_gifts = selectors.gifts_for(request.user, state="recorded")[:20]
    pending_spends = selectors.spends_for(request.user, state="recorded")[:20]
    user = request.user
    return render(
        request,
        "services/donations.html",
        {
            "rows": rows,
            "pending_gifts": pending_gifts,
            "pending_spends": pending_spends,
            "may_gift": can(user, HANDLE_DONATIONS) and _county_user(user),
            "may_spend": can(user, HANDLE_DONATIONS),
            "may_confirm": can(user, CONFIRM_DONATIONS),
            "purposes": Purpose.choices,
            "items": ITEM_CHOICES,
            "donor_kinds": Donation.DonorKind.choices,
            "townships": selectors.townships_for(user),
            "token": secrets.token_hex(16),
            "today": timezone.localdate().isoformat(),
            "county": (user.scope_code or "")[:6],
        },
    )


def _write(request, call, success, target):
    try:
        obj, created = call(user=request.user, data=request.POST, token=request.POST.get("token") or None)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("services:donations")
    messages.success(request, success(obj) if created else "该表单已提交过，未重复登记")
    return redirect(target, pk=obj.pk)


@require_POST
@require(HANDLE_DONATIONS)
def gift_new(request):
    return _write(
        request,
        svc.gift_record,
        lambda g: f"已登记捐赠 {g.number}：{svc.fmt(g.amount, g.item)}，须由另一人复核确认后计入专户",
        "services:gift",
    )


@require_POST
@require(HANDLE_DONATIONS)
def spend_new(request):
    return _write(
        request,
        svc.spend_record,
        lambda s: f"已登记支出 {s.number}：发给 {s.recipient_name} {svc.fmt(s.amount, s.item)}，须由另一人复核确认",
        "services:spend",
    )


GIFT_HEADERS = [
    "编号",
    "捐赠日期",
    "捐赠人",
    "类别",
    "资金或物资",
    "金额或数量",
    "单位",
    "物资说明",
    "用途",
    "票据号",
    "同意公开致谢",
    "公开金额",
    "状态",
    "登记人",
]


@require(VIEW_DONATIONS)
def gift_list(request):
    f = _filters(request, "q", "state", "purpose", "start", "end")
    rows = selectors.gifts_for(
        request.user, q=f["q"], state=f["state"], purpose=f["purpose"], start=_date(f["start"]), end=_date(f["end"])
    )
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "捐赠明细.xlsx",
            "捐赠专户受赠明细",
            GIFT_HEADERS,
            (
                [
                    g.number,
                    g.on.isoformat(),
                    g.donor,
                    g.get_donor_kind_display(),
                    g.get_item_display(),
                    g.amount,
                    g.unit,
                    g.goods,
                    g.get_purpose_display(),
                    g.receipt,
                    "是" if g.thanks else "否",
                    "是" if g.show_amount else "否",
                    g.get_state_display(),
                    g.created_by.display_name() if g.created_by else "",
                ]
                for g in rows.iterator(chunk_size=2000)
            ),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "services/gift_list.html", {"page": page, "f": f, "purposes": Purpose.choices, "states": State.choices}
    )


SPEND_HEADERS = [
    "编号",
    "发放日期",
    "乡镇",
    "受助人",
    "身份证号",
    "台账人员",
    "用途",
    "资金或物资",
    "金额或数量",
    "单位",
    "发放内容",
    "救助事由",
    "状态",
    "经办人",
]


@require(VIEW_DONATIONS)
def spend_list(request):
    f = _filters(request, "q", "state", "purpose", "township", "start", "end")
    rows = selectors.spends_for(
        request.user,
        q=f["q"],
        state=f["state"],
        purpose=f["purpose"],
        township=f["township"],
        start=_date(f["start"]),
        end=_date(f["end"]),
    )
    if request.GET.get("export") == "xlsx":
        return export_response(
            request,
            "捐赠支出明细.xlsx",
            "捐赠专户支出明细",
            SPEND_HEADERS,
            lambda mask: (
                [
                    s.number,
                    s.on.isoformat(),
                    s.township.name,
                    s.recipient_name,
                    mask.id(s.recipient_id_number),
                    "是" if s.person_id else "否",
                    s.get_purpose_display(),
                    s.get_item_display(),
                    s.amount,
                    s.unit,
                    s.given,
                    mask.values(s.reason),
                    s.get_state_display(),
                    s.created_by.display_name() if s.created_by else "",
                ]
                for s in rows.iterator(chunk_size=2000)
            ),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/spend_list.html",
        {
            "page": page,
            "f": f,
            "purposes": Purpose.choices,
            "states": State.choices,
            "townships": selectors.townships_for(request.user),
        },
    )


def _steps(workflow, obj):
    labels = dict(State.choices)
    steps = list(workflow.history(obj).select_related("user"))
    for step in steps:
        step.state_label = labels.get(step.to_state, step.to_state)
    return steps


@require(VIEW_DONATIONS)
def gift_detail(request, pk):
    gift = selectors.gift_get(request.user, pk)
    return render(
        request,
        "services/gift_detail.html",
        {
            "g": gift,
            "steps": _steps(svc.GIFT_WORKFLOW, gift),
            "allowed": svc.GIFT_WORKFLOW.allowed(gift, request.user),
            "amount": svc.fmt(gift.amount, gift.item),
        },
    )


@require(VIEW_DONATIONS)
def spend_detail(request, pk):
    spend = selectors.spend_get(request.user, pk)
    return render(
        request,
        "services/spend_detail.html",
        {
            "s": spend,
            "steps": _steps(svc.SPEND_WORKFLOW, spend),
            "allowed": svc.SPEND_WORKFLOW.allowed(spend, request.user),
            "amount": svc.fmt(spend.amount, spend.item),
        },
    )


def _act(request, obj, action, calls, target):
    if action not in calls:
        raise Http404("未知操作")
    if str(obj.version) != request.POST.get("version", str(obj.version)):
        messages.error(request, "该记录已被他人处理，请查看最新状态后再操作")
        return redirect(target, pk=obj.pk)
    try:
        obj = calls[action]()
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{'复核确认' if action == 'confirm' else '复核退回'}，当前状态：{obj.get_state_display()}")
    return redirect(target, pk=obj.pk)


@require_POST
@require(CONFIRM_DONATIONS)
def gift_act(request, pk, action):
    gift = selectors.gift_get(request.user, pk)
    note = request.POST.get("note", "")
    return _act(
        request,
        gift,
        action,
        {
            "confirm": lambda: svc.gift_confirm(user=request.user, gift=gift, note=note),
            "refuse": lambda: svc.gift_refuse(user=request.user, gift=gift, reason=note),
        },
        "services:gift",
    )


@require_POST
@require(CONFIRM_DONATIONS)
def spend_act(request, pk, action):
    spend = selectors.spend_get(request.user, pk)
    note = request.POST.get("note", "")
    return _act(
        request,
        spend,
        action,
        {
            "confirm": lambda: svc.spend_confirm(user=request.user, spend=spend, note=note),
            "refuse": lambda: svc.spend_refuse(user=request.user, spend=spend, reason=note),
        },
        "services:spend",
    )


@login_not_required
@require_GET
def thanks(request, county: str):
    """The public thank-you list of one county (no login)."""
    region = Region.objects.filter(code=str(county)[:12], level=Region.Level.COUNTY).first()
    if region is None:
        raise Http404("没有找到该县（区）")
    rows = selectors.thanks_list(region.code)
    for g in rows:
        g.shown = svc.fmt(g.amount, g.item) if g.show_amount else ""
    response = render(request, "services/thanks.html", {"county": region, "rows": rows, "today": timezone.localdate()})
    response["Cache-Control"] = "no-store"
    return response
