"""The leaders' dashboard (领导驾驶舱, issue 18 item 5): the numbers behind each chart, for a
county or one township, over the last twelve month ends. Every chart is a plain dict —
{id, title, type, x, series: [{name, data}], headers, rows} — so the page draws it (ECharts,
a static JS file) and the same rows export to .xlsx (doudi/core/exports.py).

Sources, all through the other apps' selectors (not scoped there: the view checks the region):
- people by category (month ends) and by township (last month end): registry benefits in force;
- money by fund source and month: payments ledger.spending (lines sent or paid, reserve draws);
- warnings: raised and closed per month, mean days to close, still open past the deadline;
- cases: open by state, open past their due date (the clock), decided per month;
- visit coverage: persons with a visit duty visited within their interval (care.coverage);
- problems found vs solved per month (care);
- 临时救助 by cause: cases paid and reserve draws in the twelve months."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from doudi.care import selectors as care
from doudi.cases import selectors as cases
from doudi.core import months
from doudi.core.models import Region
from doudi.monitoring import selectors as monitoring
from doudi.payments import selectors as payments
from doudi.registry import selectors as registry
from doudi.rules import temp_assist as ta
from doudi.rules.schema import SOURCES

MONTHS = 12
CATEGORIES = {
    "dibao": ("低保", ("dibao", "dibao_single")),
    "tekun": ("特困", ("tekun",)),
    "edge": ("低保边缘", ("dibao_edge",)),
    "low_income": ("低收入人口", ("low_income",)),
    "children": ("孤儿、事实无人抚养儿童", ("orphan", "unsupported_child")),
}
CHARTS = {
    "people": "保障人数（按类别，月末）",
    "people_township": "保障人数（按乡镇，上月末）",
    "money": "资金支出（按资金来源，万元）",
    "warnings": "预警及处置时长",
    "cases": "申请办理及时限",
    "coverage": "走访覆盖率",
    "problems": "走访发现与解决问题",
    "temp": "临时救助（按事由）",
}


def month_span(today: dt.date) -> list[str]:
    """The last twelve ended months, oldest first."""
    last = months.add(months.of(today), -1)
    return months.span(months.add(last, -(MONTHS - 1)), last)


def _chart(key: str, kind: str, x: list, series: list[dict], headers: list[str], rows: list[list]) -> dict:
    return {"id": key, "title": CHARTS[key], "type": kind, "x": x, "series": series, "headers": headers, "rows": rows}


def people(region: Region, span: list[str]) -> dict:
    series = []
    for key, (label, cats) in CATEGORIES.items():
        data = [registry.persons_covered_on(region.code, months.last_day(m), cats).count() for m in span]
        series.append({"name": label, "data": data, "key": key})
    rows = [[m, *(s["data"][i] for s in series)] for i, m in enumerate(span)]
    return _chart("people", "line", span, series, ["月份", *(s["name"] for s in series)], rows)


def people_township(region: Region, span: list[str]) -> dict:
    from doudi.reports.winter import units

    day = months.last_day(span[-1])
    names = units(region)
    series = []
    for key, (label, cats) in CATEGORIES.items():
        counts = dict(
            registry.persons_covered_on(region.code, day, cats)
            .values("household__region_id")
            .annotate(n=Count("id"))
            .values_list("household__region_id", "n")
            .order_by()
        )
        per = defaultdict(int)
        for village, n in counts.items():
            per[village[: len(names[0][0])] if names else village] += n
        series.append({"name": label, "data": [per.get(code, 0) for code, _ in names], "key": key})
    x = [name for _, name in names]
    rows = [[name, *(s["data"][i] for s in series)] for i, (_, name) in enumerate(names)]
    return _chart("people_township", "bar", x, series, ["单位", *(s["name"] for s in series)], rows)


def money(region: Region, span: list[str]) -> dict:
    table: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in payments.spending_under(region.code, span[0], span[-1]):
        table[row["source"]][row["month"]] += row["amount"]
    series = []
    for source in [s for s in SOURCES if s in table] + sorted(s for s in table if s not in SOURCES):
        data = [float((table[source][m] / 10000).quantize(Decimal("0.0001"))) for m in span]
        series.append({"name": SOURCES.get(source, source), "data": data, "key": source})
    rows = [[m, *(Decimal(str(s["data"][i])) for s in series)] for i, m in enumerate(span)]
    return _chart("money", "stack", span, series, ["月份", *(f"{s['name']}（万元）" for s in series)], rows)


def warnings(region: Region, span: list[str], today: dt.date) -> dict:
    rows_q = monitoring.warnings_under(region.code)
    raised, closed, days = [], [], []
    for m in span:
        first, last = months.first_day(m), months.last_day(m)
        raised.append(rows_q.filter(created_at__date__gte=first, created_at__date__lte=last).count())
        done = list(rows_q.filter(closed_at__date__gte=first, closed_at__date__lte=last).values_list("created_at", "closed_at"))
        closed.append(len(done))
        days.append(round(sum((b - a).total_seconds() for a, b in done) / 86400 / len(done), 1) if done else 0)
    overdue = rows_q.filter(status__in=("open", "checking"), deadline__lt=today).count()
    series = [
        {"name": "新增预警", "data": raised},
        {"name": "办结预警", "data": closed},
        {"name": "平均处置天数", "data": days, "axis": 1},
    ]
    rows = [[m, raised[i], closed[i], days[i]] for i, m in enumerate(span)]
    chart = _chart("warnings", "bar", span, series, ["月份", "新增预警", "办结预警", "平均处置天数"], rows)
    chart["note"] = f"目前逾期未办结 {overdue} 条"
    chart["overdue"] = overdue
    return chart


def cases_chart(region: Region, span: list[str], today: dt.date) -> dict:
    rows_q = cases.cases_under(region.code)
    received, decided = [], []
    for m in span:
        first, last = months.first_day(m), months.last_day(m)
        received.append(rows_q.filter(received_on__gte=first, received_on__lte=last).count())
        decided.append(rows_q.filter(decided_on__gte=first, decided_on__lte=last).count())
    open_cases = rows_q.exclude(state__in=("enrolled", "refused", "withdrawn", "granted"))
    late = open_cases.filter(due__lt=today).count()
    series = [{"name": "受理", "data": received}, {"name": "审核确认", "data": decided}]
    rows = [[m, received[i], decided[i]] for i, m in enumerate(span)]
    chart = _chart("cases", "bar", span, series, ["月份", "受理", "审核确认"], rows)
    chart["note"] = f"在办 {open_cases.count()} 件，其中超过办结期限 {late} 件"
    chart["overdue"] = late
    return chart


def coverage(user, region: Region, today: dt.date) -> dict:
    township = region.code if region.level == Region.Level.TOWNSHIP else ""
    per = defaultdict(lambda: {"total": 0, "done": 0})
    for row in care.coverage(user, today=today, township=township):
        if not row["village"].startswith(region.code):
            continue
        key = row["township_name"] if not township else row["village_name"]
        per[key]["total"] += row["total"]
        per[key]["done"] += row["done"]
    x = sorted(per)
    data = [round(100 * per[k]["done"] / per[k]["total"]) if per[k]["total"] else 0 for k in x]
    rows = [[k, per[k]["total"], per[k]["done"], data[i]] for i, k in enumerate(x)]
    return _chart(
        "coverage",
        "bar",
        x,
        [{"name": "按期走访率（%）", "data": data}],
        ["单位", "应走访人数", "按期已走访", "按期走访率（%）"],
        rows,
    )


def problems(region: Region, span: list[str]) -> dict:
    found, solved = [], []
    for m in span:
        first, last = months.first_day(m), months.last_day(m)
        found.append(care.problems_found_between(region.code, first, last).count())
        solved.append(care.problems_solved_between(region.code, first, last).count())
    rows = [[m, found[i], solved[i]] for i, m in enumerate(span)]
    return _chart(
        "problems",
        "line",
        span,
        [{"name": "发现", "data": found}, {"name": "解决", "data": solved}],
        ["月份", "发现问题", "解决问题"],
        rows,
    )


def temp(region: Region, span: list[str]) -> dict:
    first, last = months.first_day(span[0]), months.last_day(span[-1])
    per = defaultdict(lambda: [0, Decimal(0)])
    for row in (
        cases.temp_paid_between(region.code, first, last).values("cause").annotate(n=Count("case_id"), s=Sum("amount")).order_by()
    ):
        per[ta.CAUSES.get(row["cause"], (row["cause"],))[0]][0] += row["n"]
        per[ta.CAUSES.get(row["cause"], (row["cause"],))[0]][1] += row["s"] or 0
    draws = payments.reserve_draws_between(region.code, first, last).filter(case__isnull=True, reverses__isnull=True)
    labels = {"emergency": "备用金支取：急难型", "expense": "备用金支取：支出型"}
    for row in draws.values("cause_type").annotate(n=Count("id"), s=Sum("amount")).order_by():
        key = labels.get(row["cause_type"], "备用金支取：其他")
        per[key][0] += row["n"]
        per[key][1] += row["s"] or 0
    x = sorted(per, key=lambda k: -per[k][0])
    series = [{"name": "人次", "data": [per[k][0] for k in x]}]
    rows = [[k, per[k][0], per[k][1]] for k in x]
    return _chart("temp", "pie", x, series, ["事由", "人次", "金额（元）"], rows)


def compute(user, region: Region, today: dt.date) -> dict:
    span = month_span(today)
    charts = [
        people(region, span),
        money(region, span),
        warnings(region, span, today),
        cases_chart(region, span, today),
        coverage(user, region, today),
        problems(region, span),
        temp(region, span),
    ]
    if region.level != Region.Level.TOWNSHIP:
        charts.insert(1, people_township(region, span))
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "months": span,
        "as_of": today.isoformat(),
        "charts": charts,
    }


def chart(user, region: Region, key: str, today: dt.date) -> dict | None:
    for item in compute(user, region, today)["charts"]:
        if item["id"] == key:
            return item
    return None
