"""底数不清、措施不实 evidence per township for 追责问责 (issue 18 item 6): for a month, what each
township let slip — read from the other apps only through their selectors:

- 逾期未访 (care): persons with a visit duty whose visit is overdue on the period's last day
  (as of today for the running month), by the visits recorded now;
- 超期案件 (cases clocks): cases past their 办结期限 and not decided on that day, plus cases
  decided during the month after their 办结期限;
- 逾期预警 (monitoring): warnings past their 核查期限 and not closed on that day, plus warnings
  closed during the month after their 核查期限;
- 逾期发放 (payments): payroll runs due in the month sent to the bank after their due date,
  or not sent by the period's last day, that pay someone in the township;
- 滞留资金 (payments): money approved by finance and not sent to the bank — now (a run's
  state has no past), the township's lines' sum in yuan.

Each figure has its list (`rows`): the page links every number to it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.utils import timezone

from doudi.care import selectors as care
from doudi.care.duties import OVERDUE
from doudi.cases import selectors as cases
from doudi.core import months
from doudi.core.models import Region
from doudi.monitoring import selectors as monitoring
from doudi.payments import selectors as payments
from doudi.reports import supervision, winter

FIGURES = {
    "visits": "逾期未访（人）",
    "cases": "超期案件（件）",
    "warnings": "逾期预警（条）",
    "late_runs": "逾期发放花名册（个）",
    "held": "滞留资金（元）",
}


class Period:
    """A month, counted up to its last day — or to today while it runs."""

    def __init__(self, month: str, today: dt.date):
        self.code = months.parse(month, "统计月份")
        self.first, self.last = months.first_day(self.code), months.last_day(self.code)
        if self.first > today:
            raise months.BadMonth(f"统计月份 {self.code} 尚未开始")
        self.as_of = min(self.last, today)

    @property
    def label(self) -> str:
        return f"{self.first.year}年{self.first.month}月（截至{self.as_of.month}月{self.as_of.day}日）"


# -- the records behind each figure (region: a township or the county; caller checks scope) -------
def overdue_visits(user, region: str, period: Period) -> list:
    return [d for d in care.duty_list(user, region=region, today=period.as_of) if d.status == OVERDUE]


def overdue_cases(region: str, period: Period):
    rows = cases.cases_under(region).filter(due__isnull=False)
    running = Q(decided_on__isnull=True, state__in=("received", "checked", "surveyed", "deliberated", "publicity"))
    open_then = Q(due__lt=period.as_of) & (running | Q(decided_on__gt=period.as_of))
    late = Q(decided_on__gte=period.first, decided_on__lte=period.as_of, decided_on__gt=F("due"))
    return rows.filter(open_then | late).select_related("region").order_by("due", "id")


def overdue_warnings(region: str, period: Period):
    rows = monitoring.warnings_under(region)
    active = rows.model.ACTIVE
    open_then = Q(deadline__lt=period.as_of) & (
        Q(closed_at__isnull=True, status__in=active) | Q(closed_at__date__gt=period.as_of)
    )
    late = Q(closed_at__date__gte=period.first, closed_at__date__lte=period.as_of, closed_at__date__gt=F("deadline"))
    return rows.filter(open_then | late).select_related("person").order_by("deadline", "id")


def late_runs(region: str, period: Period) -> list[dict]:
    """Late runs (supervision.late_runs as of the period's last day) due in the month, with
    lines in `region`."""
    found = [r for r in supervision.late_runs(region[:6], period.as_of) if period.first <= r["run"].due <= period.last]
    paying = set(payments.run_lines_in(region, [r["run"].pk for r in found]).values_list("run_id", flat=True).distinct())
    return [r for r in found if r["run"].pk in paying]


def held_back(region: str, today: dt.date) -> list[dict]:
    """Runs held back now, with the amount of their lines in `region` (yuan)."""
    rows = supervision.held_back(region[:6], today)
    amounts = dict(
        payments.run_lines_in(region, [r["run"].pk for r in rows])
        .values("run_id")
        .annotate(total=Sum("amount"))
        .values_list("run_id", "total")
    )
    return [{**r, "amount": amounts[r["run"].pk]} for r in rows if amounts.get(r["run"].pk)]


# -- the table ------------------------------------------------------------------------------------
def summary(user, region: Region, period: Period, today: dt.date | None = None) -> dict:
    """{"rows": [{code, name, visits, cases, warnings, late_runs, held}], "total": {…}}: each
    township of the county (or the township alone); counts of the lists above."""
    today = today or timezone.localdate()
    units = winter.units(region)
    rows = {code: {"code": code, "name": name, **dict.fromkeys(FIGURES, 0)} for code, name in units}
    rows_held = {code: Decimal("0.00") for code in rows}
    for duty in overdue_visits(user, region.code, period):
        if duty.village[:9] in rows:
            rows[duty.village[:9]]["visits"] += 1
    for code in rows:
        rows[code]["cases"] = overdue_cases(code, period).count()
        rows[code]["warnings"] = overdue_warnings(code, period).count()
        rows[code]["late_runs"] = len(late_runs(code, period))
        rows_held[code] = sum((r["amount"] for r in held_back(code, today)), Decimal("0.00"))
    for code, amount in rows_held.items():
        rows[code]["held"] = amount
    total = {key: sum(r[key] for r in rows.values()) for key in FIGURES if key != "late_runs"}
    total["late_runs"] = len(late_runs(region.code, period))  # a county run late counts once
    total["held"] = sum(rows_held.values(), Decimal("0.00"))
    return {"rows": list(rows.values()), "total": total}


def drill(user, figure: str, region: Region, period: Period, today: dt.date | None = None) -> tuple[list[str], list[dict]]:
    """(headers, rows) behind one figure: each row {"cells": [...], "url": link or ""}."""
    today = today or timezone.localdate()
    if figure == "visits":
        return ["姓名", "村（社区）", "上次走访", "应访日期"], [
            {"cells": [d.name, d.village, d.last_visit or "未走访", d.due], "url": ("care:person", d.person_id)}
            for d in overdue_visits(user, region.code, period)
        ]
    if figure == "cases":
        return ["案件编号", "申请人", "办结期限", "审核确认日期", "状态"], [
            {
                "cells": [c.number, c.applicant_name, c.due, c.decided_on or "未办结", c.get_state_display()],
                "url": ("cases:detail", c.number),
            }
            for c in overdue_cases(region.code, period)
        ]
    if figure == "warnings":
        return ["姓名", "预警", "核查期限", "办结时间", "状态"], [
            {
                "cells": [
                    w.person.name,
                    w.get_rule_display(),
                    w.deadline,
                    timezone.localtime(w.closed_at).date() if w.closed_at else "未办结",
                    w.get_status_display(),
                ],
                "url": ("warning_detail", w.pk),
            }
            for w in overdue_warnings(region.code, period)
        ]
    if figure == "late_runs":
        return ["花名册", "应发放日期", "报送银行", "逾期天数", "状态"], [
            {
                "cells": [
                    f"{r['run'].item} {r['run'].period} {r['run'].region.name}",
                    r["run"].due,
                    r["sent"] or "未报送",
                    r["days"],
                    r["status"],
                ],
                "url": ("payroll_detail", r["run"].pk),
            }
            for r in late_runs(region.code, period)
        ]
    if figure == "held":
        return ["花名册", "应发放日期", "本单位金额（元）", "已过应发放日期（天）"], [
            {
                "cells": [
                    f"{r['run'].item} {r['run'].period} {r['run'].region.name}",
                    r["run"].due or "—",
                    r["amount"],
                    r["days"],
                ],
                "url": ("payroll_detail", r["run"].pk),
            }
            for r in held_back(region.code, today)
        ]
    raise KeyError(figure)
