"""临时救助备用金 page: balances per township, the entries with filters, Excel and print,
the draw form (clerks, county staff), the allocation form (county roles), reversals.
Thin: reserve.py writes, reports.py and selectors.py read (scoped)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from doudi.core.exports import ExportMeta, xlsx_response
from doudi.core.permissions import require
from doudi.core.roles import ALLOCATE_RESERVE, DRAW_RESERVE, VIEW_RESERVE, can
from doudi.core.workflow import WorkflowError
from doudi.payments import params, reports, reserve, reserve_check, selectors
from doudi.payments.forms import ReserveAllocationForm, ReserveCheckForm, ReserveDrawForm, ReserveReverseForm
from doudi.payments.models import ReserveEntry


def _townships(user) -> list[tuple[str, str]]:
    return list(selectors.reserve_townships_for(user).values_list("code", "name"))


def _funds() -> list[tuple[str, str]]:
    return [(code, params.FUND_LABELS.get(code, code)) for code in params.fund_codes()]


def _draw_form(user, data=None):
    return ReserveDrawForm(
        data, townships=_townships(user), funds=_funds(), initial={"token": uuid.uuid4().hex, "cause_type": "emergency"}
    )


def _allocation_form(user, data=None):
    return ReserveAllocationForm(data, townships=_townships(user), initial={"token": uuid.uuid4().hex})


@require(VIEW_RESERVE)
def reserve_page(request, draw_form=None, allocation_form=None):
    user = request.user
    filters = {k: request.GET.get(k, "").strip() for k in ("township", "kind", "month", "state")}
    if filters["township"] and filters["township"] not in dict(_townships(user)):
        raise Http404("没有该乡镇，或不在您的管辖范围内")
    entries = reports.reserve_entries(user, **filters)
    if request.GET.get("export") == "xlsx":
        kinds = dict(ReserveEntry.Kind.choices)
        meta = ExportMeta(
            unit="元",
            user=user,
            total=False,
            filters=[  # reserve_export writes its own 支取合计
                ("乡镇", dict(_townships(user)).get(filters["township"], "")),
                ("类型", kinds.get(filters["kind"], filters["kind"])),
                ("月份", filters["month"]),
                ("复核状态", dict(ReserveEntry.State.choices).get(filters["state"], "")),
            ],
        )
        return xlsx_response(
            "临时救助备用金.xlsx", "临时救助备用金收支明细", reports.RESERVE_HEADERS, reports.reserve_export(entries), meta
        )
    balances = reports.reserve_balances(user)
    live_reversal = ReserveEntry.objects.filter(reverses=OuterRef("pk")).exclude(state=ReserveEntry.State.REJECTED)
    # A draw for a 临时救助 case links to it (doudi/cases/temp.py).
    entries = entries.select_related("case", "checked_by").annotate(reversed=Exists(live_reversal))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.fund_label = params.FUND_LABELS.get(entry.fund, entry.fund)
        entry.checks = reserve_check.may_check(entry, user)
    waiting = selectors.reserve_waiting(user)
    for entry in waiting:
        entry.fund_label = params.FUND_LABELS.get(entry.fund, entry.fund)
    can_draw, can_allocate = can(user, DRAW_RESERVE), can(user, ALLOCATE_RESERVE)
    return render(
        request,
        "payments/reserve.html",
        {
            "balances": balances,
            "page": page,
            "filters": filters,
            "townships": _townships(user),
            "kinds": ReserveEntry.Kind.choices,
            "states": ReserveEntry.State.choices,
            "waiting": waiting,
            "pending_total": {k: sum(b[k] for b in balances) for k in ("pending_allocated", "pending_drawn")},
            "can_draw": can_draw,
            "can_allocate": can_allocate,
            "draw_form": draw_form or (_draw_form(user) if can_draw else None),
            "allocation_form": allocation_form or (_allocation_form(user) if can_allocate else None),
            "reverse_form": ReserveReverseForm(),
            "total": {k: sum(b[k] for b in balances) for k in ("allocated", "drawn", "balance")},
        },
    )


def _saved(request, entry: ReserveEntry, created: bool, what: str):
    if created and entry.state == ReserveEntry.State.CONFIRMED:
        messages.success(
            request, f"已登记{what} {entry.amount} 元（{entry.township.name}），余额 {reserve.balance_of(entry.township_id)} 元。"
        )
    elif created:
        messages.success(
            request,
            f"已登记{what} {entry.amount} 元（{entry.township.name}），待另一人复核后计入余额"
            f"（当前余额 {reserve.balance_of(entry.township_id)} 元）。",
        )
    else:
        messages.info(request, "该表单已提交过，未重复登记。")
    return redirect("reserve")


@require_POST
@require(DRAW_RESERVE)
def reserve_draw(request):
    def write(data):
        return reserve.reserve_draw(
            township=data["township"],
            amount=data["amount"],
            on=data["on"],
            recipient_name=data["recipient_name"],
            recipient_id_number=data["recipient_id_number"],
            cause_type=data["cause_type"],
            cause=data["cause"],
            advance=data["advance"],
            fund=data["fund"],
            note=data["note"],
            user=request.user,
            token=data["token"],
        )

    return _submit(request, _draw_form(request.user, request.POST), write, "支取", "draw_form")


@require_POST
@require(ALLOCATE_RESERVE)
def reserve_allocate(request):
    def write(data):
        return reserve.reserve_allocate(
            township=data["township"],
            amount=data["amount"],
            on=data["on"],
            ref=data["ref"],
            user=request.user,
            token=data["token"],
        )

    return _submit(request, _allocation_form(request.user, request.POST), write, "下拨", "allocation_form")


def _submit(request, form, write, label: str, form_name: str):
    """A valid form is written; a refused one comes back with what was typed and why."""
    if form.is_valid():
        try:
            entry, created = write(form.cleaned_data)
        except reserve.ReserveError as exc:
            form.add_error(None, str(exc))
        else:
            return _saved(request, entry, created, label)
    messages.error(request, f"{label}未登记，请按提示修改后重新提交。")
    return reserve_page(request, **{form_name: form})


@require_POST
@require(VIEW_RESERVE)
def reserve_reverse(request, pk):
    entry = selectors.reserve_entry_get(request.user, pk)
    form = ReserveReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "冲销须写明原因")
    else:
        try:
            reserve.reserve_reverse(entry=entry, reason=form.cleaned_data["reason"], user=request.user)
            messages.success(request, f"已冲销 {entry.amount} 元。")
        except reserve.ReserveError as exc:
            messages.error(request, str(exc))
    return redirect("reserve")


@require_POST
@require(DRAW_RESERVE)
def reserve_decide(request, pk, action):
    """复核 (confirm) or 退回 (reject, with a reason) an entry 待复核, by a second person who may
    allocate (an allocation or its reversal) or draw (a draw or its reversal) in that township."""
    if action not in ("confirm", "reject"):
        raise Http404("未知操作")
    entry = selectors.reserve_entry_get(request.user, pk)
    needed = ALLOCATE_RESERVE if entry.kind == ReserveEntry.Kind.ALLOCATION else DRAW_RESERVE
    if not can(request.user, needed):
        raise PermissionDenied("您的角色无权复核该笔备用金")
    form = ReserveCheckForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    what = f"{entry.get_kind_display()}{'（冲销）' if entry.reverses_id else ''} {entry.amount} 元（{entry.township.name}）"
    try:
        if action == "confirm":
            reserve_check.reserve_confirm(entry=entry, user=request.user, note=note)
            messages.success(request, f"已复核{what}，余额 {reserve.balance_of(entry.township_id)} 元。")
        else:
            reserve_check.reserve_reject(entry=entry, user=request.user, reason=note)
            messages.success(request, f"已退回{what}，未计入余额。")
    except (WorkflowError, reserve.ReserveError) as exc:
        messages.error(request, str(exc))
    return redirect("reserve")
