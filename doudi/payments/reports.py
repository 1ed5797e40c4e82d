"""The funds screens' tables, read once for the page and for its Excel export (one
definition of each list): campaigns and one campaign by township, the price-subsidy
months, the fund ledger, overpayments. Every read goes through selectors, so each list
is scoped to the user's region subtree (docs/design.md §1.5). Amounts go to the exports as Decimal
(number cells, core.exports); ID numbers through an ExportMask (masked unless asked)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from doudi.core import codes
from doudi.core.exports import MASKED, ExportMask
from doudi.core.models import Region
from doudi.payments import campaigns, ledger, params, price, selectors
from doudi.payments.models import PaymentLine, PriceIndex
from doudi.payments.runs import PayrollError, money
from doudi.rules.errors import RulesError

PAID = Q(status=PaymentLine.Status.PAID)


def _township_names() -> dict[str, str]:
    return dict(Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("code", "name"))


def _targets(campaign) -> str:
    return "、".join(codes.CATEGORY_SHORT.get(t, t) for t in campaign.targets)


def campaign_rows(user) -> list[dict]:
    """The campaigns that apply to the user's region, with progress over the lines they may see."""
    scope_code = user.scope_code or ""
    lines = selectors.lines_for(user)
    rows = []
    for campaign in campaigns.campaigns().values():
        if not (scope_code.startswith(campaign.region) or campaign.region.startswith(scope_code)):
            continue
        sums = (
            lines.filter(item=campaign.code)
            .exclude(status=PaymentLine.Status.FAILED, reissues__isnull=False)
            .aggregate(total=Sum("amount"), paid_total=Sum("amount", filter=PAID))
        )
        rows.append(
            campaigns.progress(campaign, lines)
            | {
                "campaign": campaign,
                "fund_label": params.FUND_LABELS.get(campaign.fund, campaign.fund),
                "amount": money(sums["total"]),
                "paid_amount": money(sums["paid_total"]),
            }
        )
    return rows


CAMPAIGN_HEADERS = [
    "名称",
    "文号",
    "对象",
    "标准（元）",
    "单位",
    "形式",
    "资金",
    "截止日期",
    "应发笔数",
    "应发金额（元）",
    "已发笔数",
    "已发金额（元）",
    "进度（%）",
]


def campaign_export(rows: list[dict]):
    for r in rows:
        c = r["campaign"]
        yield [
            c.name,
            c.ref,
            _targets(c),
            c.amount,
            "人" if c.unit == "person" else "户",
            c.form_label,
            r["fund_label"],
            c.deadline.isoformat(),
            r["lines"],
            r["amount"],
            r["paid"],
            r["paid_amount"],
            r["percent"],
        ]


def campaign_townships(user, code: str) -> list[dict]:
    """One campaign by township: lines, people, amount, paid, failed (re-issued failures not counted twice)."""
    names = _township_names()
    lines = (
        selectors.lines_for(user)
        .filter(item=code)
        .exclude(status=PaymentLine.Status.FAILED, reissues__isnull=False)
        .values("township")
        .annotate(
            n=Count("id"),
            persons=Sum("people"),
            total=Sum("amount"),
            paid=Count("id", filter=PAID),
            paid_total=Sum("amount", filter=PAID),
            failed=Count("id", filter=Q(status=PaymentLine.Status.FAILED)),
        )
        .order_by("township")
    )
    return [
        {
            "township": row["township"],
            "township_name": names.get(row["township"], row["township"]),
            "lines": row["n"],
            "people": row["persons"],
            "amount": money(row["total"]),
            "paid": row["paid"],
            "paid_amount": money(row["paid_total"]),
            "failed": row["failed"],
        }
        for row in lines
    ]


TOWNSHIP_HEADERS = ["乡镇", "笔数", "人数", "金额（元）", "已到账笔数", "已到账金额（元）", "失败笔数"]


def township_export(rows: list[dict]):
    for r in rows:
        yield [r["township_name"], r["lines"], r["people"], r["amount"], r["paid"], r["paid_amount"], r["failed"]]


def price_rows(user, limit: int = 120):
    """Per month and index region: indices, decision, people, amount, deadline, paid."""
    code = user.scope_code or ""
    indices = (
        PriceIndex.objects.select_related("region")
        .order_by("-month", "region_id")
        .filter(Q(region_id__in=[code[:n] for n in (2, 4, 6)]) | Q(region__code__startswith=code))
    )
    lines = selectors.lines_for(user).filter(item=price.ITEM)
    for index in indices[:limit]:
        runs = selectors.runs_for(user).filter(item=price.ITEM, period=index.month, region__code__startswith=index.region_id[:6])
        stats = lines.filter(month=index.month).aggregate(n=Count("id"), amount=Sum("amount"), paid=Count("id", filter=PAID))
        county = (code if len(code) >= 6 else index.region_id).ljust(6, "0")[:6]
        try:
            decision = price.decide(county=county, month=index.month, cpi=index.cpi, food=index.food, released=index.released_on)
        except (RulesError, PayrollError):
            decision = None
        yield {
            "index": index,
            "decision": decision,
            "people": stats["n"],
            "amount": money(stats["amount"]),
            "paid": stats["paid"],
            "runs": list(runs.select_related("region")),
        }


PRICE_HEADERS = [
    "月份",
    "指数区划",
    "CPI同比(%)",
    "食品CPI同比(%)",
    "启动条件",
    "是否启动",
    "依据涨幅(%)",
    "城市标准（元）",
    "农村标准（元）",
    "人数",
    "金额（元）",
    "发放期限",
    "已到账人数",
]


def price_export(rows):
    for r in rows:
        d, i = r["decision"], r["index"]
        hit = bool(d and d.triggered)
        yield [
            i.month,
            i.region.name,
            i.cpi,
            i.food,
            f"CPI≥{d.trigger_cpi} 或 食品≥{d.trigger_food}" if d else "",
            "已启动" if hit else "未启动",
            d.rise if hit else "",
            d.amount_urban if hit else "",
            d.amount_rural if hit else "",
            r["people"],
            r["amount"],
            d.deadline.isoformat() if d else "",
            r["paid"],
        ]


LEDGER_LABELS = {"source": "资金来源", "item": "发放项目", "township": "乡镇", "month": "月份"}


def ledger_rows(user, *, by: tuple[str, ...], start: str = "", end: str = "", item_label=str) -> list[dict]:
    lines, draws = selectors.lines_for(user), selectors.reserve_entries_for(user)
    if start:
        lines, draws = lines.filter(month__gte=start), draws.filter(month__gte=start)
    if end:
        lines, draws = lines.filter(month__lte=end), draws.filter(month__lte=end)
    rows = ledger.spending(lines, by=by, draws=draws)
    names = _township_names()
    for row in rows:
        row["township_label"] = names.get(row.get("township"), row.get("township", ""))
        row["source_label"] = params.SOURCES.get(row.get("source"), "")
        row["item_label"] = item_label(row["item"]) if "item" in row else ""
    return rows


def ledger_export(rows: list[dict], by: tuple[str, ...]):
    for row in rows:
        yield [row.get(f"{k}_label") or row[k] for k in by] + [money(row["amount"])]
    yield ["合计"] + [""] * (len(by) - 1) + [money(sum(r["amount"] for r in rows))]


OVERPAYMENT_HEADERS = [
    "乡镇",
    "姓名",
    "身份证号",
    "类别",
    "起始月份",
    "原因",
    "多发金额（元）",
    "已追回（元）",
    "已核销（元）",
    "未追回（元）",
    "状态",
]


def overpayment_export(records, item_label=str, mask: ExportMask = MASKED):
    """One row per overpayment; the export's 合计 row sums 多发, 已追回, 已核销 and 未追回."""
    names = _township_names()
    for o in records.iterator():
        yield [
            names.get(o.township, o.township),
            o.person.name,
            mask.id(o.person.id_number),
            item_label(o.category),
            o.from_month,
            o.reason,
            money(o.amount),
            money(o.recovered),
            money(o.written_off),
            money(o.amount - o.recovered - o.written_off),
            o.get_state_display(),
        ]


def overpayment_totals(records) -> dict[str, Decimal]:
    """多发, 已追回, 已核销 and 未追回 over the records (the list's filter applied)."""
    sums = records.aggregate(amount=Sum("amount"), recovered=Sum("recovered"), written_off=Sum("written_off"))
    sums = {k: money(v or Decimal(0)) for k, v in sums.items()}
    sums["open"] = money(sums["amount"] - sums["recovered"] - sums["written_off"])
    return sums


def reserve_balances(user) -> list[dict]:
    """Per township in the user's scope: allocated, drawn, balance (confirmed entries only), and
    what waits for a second person (下拨、支取待复核; a reversal counts with its sign).
    Townships without entries show zeros."""
    balances = selectors.reserve_balances_for(user)
    pending: dict[tuple[str, str], Decimal] = {
        (row["township_id"], row["kind"]): row["s"]
        for row in selectors.reserve_pending_for(user).values("township_id", "kind").annotate(s=Sum("amount")).order_by()
    }
    rows = []
    for township in selectors.reserve_townships_for(user):
        b = balances.get(township.code)
        allocated, drawn = (b.allocated, b.drawn) if b else (Decimal(0), Decimal(0))
        rows.append(
            {
                "township": township.code,
                "township_name": township.name,
                "allocated": money(allocated),
                "drawn": money(drawn),
                "balance": money(allocated - drawn),
                "pending_allocated": money(pending.get((township.code, "allocation"), Decimal(0))),
                "pending_drawn": money(pending.get((township.code, "draw"), Decimal(0))),
            }
        )
    return rows


def reserve_entries(user, *, township: str = "", kind: str = "", month: str = "", state: str = ""):
    """The reserve entries the user may see, newest first, filtered."""
    entries = selectors.reserve_entries_for(user)
    if township:
        entries = entries.filter(township_id=township)
    if kind in ("allocation", "draw"):
        entries = entries.filter(kind=kind)
    if month:
        entries = entries.filter(month=month)
    if state in ("pending", "confirmed", "rejected"):
        entries = entries.filter(state=state)
    return entries.order_by("-on", "-id")


RESERVE_HEADERS = [
    "乡镇",
    "日期",
    "类型",
    "金额（元）",
    "收款人",
    "身份证号",
    "救助类型",
    "事由",
    "先行救助",
    "资金来源",
    "文号或说明",
    "经办人",
    "复核状态",
    "复核人",
    "复核意见",
]


def reserve_export(entries, mask: ExportMask = MASKED):
    """The entries as rows; the 支取合计 counts confirmed draws (less confirmed reversals) only."""
    total = Decimal(0)
    for e in entries.select_related("checked_by").iterator():
        total += e.amount if e.kind == "draw" and e.state == "confirmed" else 0
        kind = e.get_kind_display() + ("（冲销）" if e.reverses_id else "")
        yield [
            e.township.name,
            e.on.isoformat(),
            kind,
            money(e.amount),
            e.recipient_name,
            mask.id(e.recipient_id_number),
            e.get_cause_type_display(),
            e.cause,
            "是" if e.advance else "",
            params.FUND_LABELS.get(e.fund, e.fund),
            e.ref,
            e.created_by.display_name() if e.created_by else "",
            e.get_state_display(),
            e.checked_by.display_name() if e.checked_by else "",
            e.check_note,
        ]
    yield ["支取合计（已复核）", "", "", money(total)] + [""] * 11
