"""Price-subsidy screen, campaigns with progress, fund ledger, overpayments."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from doudi.core.exports import xlsx_response
from doudi.core.models import Region
from doudi.core.permissions import require
from doudi.core.roles import BUILD_PAYROLL, MANAGE_PRICE_SUBSIDY, VIEW_PAYROLL, can
from doudi.payments import campaigns, ledger, params, price, selectors
from doudi.payments.forms import PriceIndexForm, RecoveryForm
from doudi.payments.models import PriceIndex
from doudi.payments.runs import PayrollError
from doudi.payments.views import _build_region, item_label
from doudi.rules.errors import RulesError


def _price_rows(user):
    """Per month and index region: indices, decision, people, amount, deadline, paid."""
    indices = PriceIndex.objects.select_related("region").order_by("-month", "region_id")
    code = user.scope_code or ""
    indices = indices.filter(Q(region_id__in=[code[:n] for n in (2, 4, 6)]) | Q(region__code__startswith=code))
    lines = selectors.lines_for(user).filter(item=price.ITEM)
    for index in indices[:120]:
        runs = selectors.runs_for(user).filter(item=price.ITEM, period=index.month, region__code__startswith=index.region_id[:6])
        month_lines = lines.filter(month=index.month)
        stats = month_lines.aggregate(n=Count("id"), amount=Sum("amount"), paid=Count("id", filter=Q(status="paid")))
        county = (code if len(code) >= 6 else index.region_id).ljust(6, "0")[:6]
        try:
            decision = price.decide(county=county, month=index.month, cpi=index.cpi, food=index.food, released=index.released_on)
        except (RulesError, PayrollError):
            decision = None
        yield {"index": index, "decision": decision, "people": stats["n"], "amount": stats["amount"] or 0,
               "paid": stats["paid"], "runs": list(runs)}


@require(VIEW_PAYROLL)
def price_screen(request):
    form = PriceIndexForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, MANAGE_PRICE_SUBSIDY) or _build_region(request.user) is None:
            messages.error(request, "您的角色或管辖区划不能录入价格指数")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                result = price.price_subsidy_run(month=data["month"], cpi=data["cpi"], food=data["food"],
                                                 region=_build_region(request.user)[:6], released=data["released"],
                                                 user=request.user)
            except (PayrollError, RulesError) as exc:
                messages.error(request, str(exc))
            else:
                hit = [c for c in result["counties"] if c["triggered"]]
                messages.success(request, f"{data['month']} 指数已录入：" + ("已达到启动条件，已生成发放名单。" if hit else "未达到启动条件。"))
                return redirect("price_subsidy")
    return render(request, "payments/price.html", {"rows": list(_price_rows(request.user)), "form": form,
                                                   "can_enter": can(request.user, MANAGE_PRICE_SUBSIDY)})


@require(VIEW_PAYROLL)
def campaign_list(request):
    lines = selectors.lines_for(request.user)
    rows = [campaigns.progress(c, lines) | {"campaign": c, "fund_label": params.FUND_LABELS.get(c.fund, c.fund)} for c in campaigns.campaigns().values()
            if (request.user.scope_code or "").startswith(c.region) or c.region.startswith(request.user.scope_code or "")]
    return render(request, "payments/campaigns.html", {"rows": rows, "can_build": can(request.user, BUILD_PAYROLL)
                                                       and _build_region(request.user) is not None})


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
    lines = selectors.lines_for(request.user)
    start, end = request.GET.get("from", "").strip(), request.GET.get("to", "").strip()
    if start:
        lines = lines.filter(month__gte=start)
    if end:
        lines = lines.filter(month__lte=end)
    rows = ledger.spending(lines, by=by)
    names = dict(Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("code", "name"))
    for row in rows:
        row["township_label"] = names.get(row.get("township"), row.get("township", ""))
        row["source_label"] = params.SOURCES.get(row.get("source"), "")
        row["item_label"] = item_label(row["item"]) if "item" in row else ""
    headers = {"source": "资金来源", "item": "发放项目", "township": "乡镇", "month": "月份"}
    if request.GET.get("export") == "xlsx":
        return xlsx_response("资金支出台账.xlsx", "资金支出台账（按来源）", [headers[k] for k in by] + ["金额（元）"],
                             ([row.get(f"{k}_label") or row[k] for k in by] + [str(row["amount"])] for row in rows))
    return render(request, "payments/ledger.html", {"rows": rows, "by": by, "headers": headers, "start": start, "end": end,
                                                    "total": sum(r["amount"] for r in rows)})


@require(VIEW_PAYROLL)
def overpayment_list(request):
    records = selectors.overpayments_for(request.user).order_by("state", "-created_at")
    if request.GET.get("export") == "xlsx":
        return xlsx_response("多发待追回.xlsx", "多发待追回", ["姓名", "类别", "起始月份", "原因", "多发金额", "已追回", "状态"],
                             ([o.person.name, item_label(o.category), o.from_month, o.reason, str(o.amount), str(o.recovered),
                               o.get_state_display()] for o in records.iterator()))
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "payments/overpayments.html", {"page": page, "form": RecoveryForm(),
                                                          "can_recover": can(request.user, BUILD_PAYROLL)})


@require_POST
@require(BUILD_PAYROLL)
def overpayment_recover(request, pk):
    record = selectors.overpayments_for(request.user).filter(pk=pk).first()
    if record is None:
        raise Http404("没有找到该记录，或不在您的管辖范围内")
    form = RecoveryForm(request.POST)
    if form.is_valid():
        try:
            ledger.recovery_record(overpayment=record, amount=form.cleaned_data["amount"], user=request.user,
                                   note=form.cleaned_data["note"])
            messages.success(request, "已登记追回。")
        except PayrollError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "追回金额应大于 0")
    return redirect("overpayment_list")

