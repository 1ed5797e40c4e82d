"""Price-subsidy screen, campaigns with progress, fund ledger (overpayments: views_overpayments.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from doudi.core.exports import ExportMeta, xlsx_response
from doudi.core.permissions import require
from doudi.core.roles import BUILD_PAYROLL, MANAGE_PRICE_SUBSIDY, VIEW_PAYROLL, can
from doudi.payments import campaigns, params, price, reports, selectors
from doudi.payments.forms import PriceIndexForm
from doudi.payments.runs import PayrollError
from doudi.payments.views import _build_region, item_label
from doudi.rules.errors import RulesError


@require(VIEW_PAYROLL)
def price_screen(request):
    form = PriceIndexForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, MANAGE_PRICE_SUBSIDY) or _build_region(request.user) is None:
            messages.error(request, "您的角色或管辖区划不能录入价格指数")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                result = price.price_subsidy_run(
                    month=data["month"],
                    cpi=data["cpi"],
                    food=data["food"],
                    region=_build_region(request.user)[:6],
                    released=data["released"],
                    user=request.user,
                )
            except (PayrollError, RulesError) as exc:
                messages.error(request, str(exc))
            else:
                hit = [c for c in result["counties"] if c["triggered"]]
                messages.success(
                    request, f"{data['month']} 指数已录入：" + ("已达到启动条件，已生成发放名单。" if hit else "未达到启动条件。")
                )
                return redirect("price_subsidy")
    rows = list(reports.price_rows(request.user))
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "价格临时补贴.xlsx",
            "价格临时补贴发放情况",
            reports.PRICE_HEADERS,
            reports.price_export(rows),
            ExportMeta(
                unit="元；人",
                user=request.user,
                filters=_scope_words(request.user),
                sums=("人数", "已到账人数"),
                skip=("CPI同比(%)", "食品CPI同比(%)", "依据涨幅(%)", "城市标准（元）", "农村标准（元）"),
            ),
        )
    return render(
        request, "payments/price.html", {"rows": rows, "form": form, "can_enter": can(request.user, MANAGE_PRICE_SUBSIDY)}
    )


@require(VIEW_PAYROLL)
def campaign_list(request):
    rows = reports.campaign_rows(request.user)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "一次性发放.xlsx",
            "一次性发放进度",
            reports.CAMPAIGN_HEADERS,
            reports.campaign_export(rows),
            ExportMeta(
                unit="元；笔",
                user=request.user,
                filters=_scope_words(request.user),
                sums=("应发笔数", "已发笔数"),
                skip=("标准（元）", "进度（%）"),
            ),
        )
    return render(
        request,
        "payments/campaigns.html",
        {"rows": rows, "can_build": can(request.user, BUILD_PAYROLL) and _build_region(request.user) is not None},
    )


@require(VIEW_PAYROLL)
def campaign_detail(request, code):
    try:
        campaign = campaigns.campaign_get(code)
    except PayrollError:
        raise Http404("没有该一次性发放项目") from None
    rows = reports.campaign_townships(request.user, campaign.code)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"{campaign.name}.xlsx",
            f"{campaign.name}（按乡镇）",
            reports.TOWNSHIP_HEADERS,
            reports.township_export(rows),
            ExportMeta(
                unit="元；笔；人",
                user=request.user,
                filters=_scope_words(request.user),
                sums=("笔数", "人数", "已到账笔数", "失败笔数"),
            ),
        )
    runs = selectors.runs_for(request.user).filter(item=campaign.code).select_related("region").order_by("region_id")
    total = {k: sum((r[k] or 0) for r in rows) for k in ("lines", "people", "amount", "paid", "paid_amount", "failed")}
    return render(
        request,
        "payments/campaign_detail.html",
        {
            "campaign": campaign,
            "rows": rows,
            "runs": runs,
            "total": total,
            "fund_label": params.FUND_LABELS.get(campaign.fund, campaign.fund),
        },
    )


@require_POST
@require(BUILD_PAYROLL)
def campaign_run(request, code):
    region = _build_region(request.user)
    try:
        if region is None:
            raise PayrollError("您的管辖区划不能生成名册（应为县或乡镇）")
        runs = campaigns.campaign_build(code=code, region=region, user=request.user)
    except PayrollError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已生成 {len(runs)} 个发放名册，共 {sum(r['people'] for r in runs)} 人。")
    return redirect("campaign_list")


@require(VIEW_PAYROLL)
def fund_ledger(request):
    by = tuple(k for k in ("source", "item", "township", "month") if request.GET.get(k, "1") == "1") or ("source",)
    start, end = request.GET.get("from", "").strip(), request.GET.get("to", "").strip()
    rows = reports.ledger_rows(request.user, by=by, start=start, end=end, item_label=item_label)
    headers = reports.LEDGER_LABELS
    if request.GET.get("export") == "xlsx":
        period = f"（{start or '最早'}至{end or '最近'}）" if start or end else ""
        return xlsx_response(
            "资金支出台账.xlsx",
            f"资金支出台账{period}",
            [headers[k] for k in by] + ["金额（元）"],
            reports.ledger_export(rows, by),  # ledger_export writes its own 合计 row
            ExportMeta(
                unit="元",
                user=request.user,
                total=False,
                filters=_scope_words(request.user)
                + [
                    ("期间", f"{start or '最早'}至{end or '最近'}" if start or end else ""),
                    ("分组", "、".join(headers[k] for k in by)),
                ],
            ),
        )
    return render(
        request,
        "payments/ledger.html",
        {"rows": rows, "by": by, "headers": headers, "start": start, "end": end, "total": sum(r["amount"] for r in rows)},
    )


def _scope_words(user) -> list[tuple[str, str]]:
    """The filter of a list that has none but the user's own region."""
    region = getattr(user, "region", None)
    return [("区划", region.name if region else "全部区划")]
