"""Case clocks in working days on the official calendar (doudi.core.workdays), their lengths
from dated parameters (cases.* in doudi/rules/schema.py, 民发〔2021〕57号).

A deadline past the calendar's last known year cannot be computed: the case then shows
"无法计算期限（…）" with the calendar's reason, never a guess and never a crash. Time spent
waiting for the applicant's documents (退回补充材料) does not count: the whole-process
deadline moves by the working days paused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from doudi.core import workdays
from doudi.core.workdays import CalendarError
from doudi.rules.policy import parameter

DUE_SOON_DAYS = 3  # a case due within this many working days is "due soon" in the queue


def today() -> dt.date:
    """The local date; one seam so tests can put a case in any year."""
    return timezone.localdate()


def value(name: str, region: str, day: dt.date):
    return parameter(name, region, day).value


def whole_days(region: str, day: dt.date, special: bool) -> int:
    return int(value("cases.total_days_special" if special else "cases.total_days", region, day))


@dataclass(frozen=True)
class Deadlines:
    survey_due: dt.date | None
    due: dt.date | None
    note: str  # "" or why a deadline could not be computed


def deadlines(region: str, received_on: dt.date, special: bool, paused_days: int = 0) -> Deadlines:
    """Survey start and whole-process deadlines of a case received on `received_on`."""
    try:
        survey = workdays.add(received_on, int(value("cases.survey_start_days", region, received_on)) + paused_days)
    except CalendarError as exc:
        return Deadlines(None, None, _cannot(exc))
    try:
        due = workdays.add(received_on, whole_days(region, received_on, special) + paused_days)
    except CalendarError as exc:
        return Deadlines(survey, None, _cannot(exc))
    return Deadlines(survey, due, "")


def _cannot(exc: Exception) -> str:
    return f"无法计算期限（{exc}）"[:200]


def add_workdays(day: dt.date, count: int) -> tuple[dt.date | None, str]:
    try:
        return workdays.add(day, count), ""
    except CalendarError as exc:
        return None, _cannot(exc)


def paused_workdays(since: dt.date, until: dt.date) -> tuple[int, str]:
    """Working days from `since` to `until` (the days the clock stood still)."""
    try:
        return workdays.between(since, until), ""
    except CalendarError as exc:
        # Beyond the calendar the pause is counted in calendar days less weekends: shown, not hidden.
        days = sum(1 for n in range(1, (until - since).days + 1) if (since + dt.timedelta(days=n)).weekday() < 5)
        return days, _cannot(exc)


def soon_limit(day: dt.date) -> dt.date | None:
    """The last due date that counts as "due soon" today (None past the calendar)."""
    return add_workdays(day, DUE_SOON_DAYS)[0]


def status(case, day: dt.date | None = None) -> dict:
    """{"text", "kind": ok|soon|overdue|paused|closed|unknown, "days"} for the case page and lists."""
    day = day or today()
    if not case.is_open:
        return {"text": "已办结", "kind": "closed", "days": None}
    if case.state == "returned":
        since = case.paused_since.isoformat() if case.paused_since else ""
        return {"text": f"已暂停计时（退回补充材料，自 {since} 起）", "kind": "paused", "days": None}
    if case.due is None:
        return {"text": case.clock_note or "无法计算期限", "kind": "unknown", "days": None}
    try:
        if day <= case.due:
            left = workdays.between(day, case.due)
            kind = "soon" if left <= DUE_SOON_DAYS else "ok"
            return {"text": f"剩余 {left} 个工作日（{case.due:%Y-%m-%d} 前办结）", "kind": kind, "days": left}
        late = workdays.between(case.due, day)
        return {"text": f"已逾期 {late} 个工作日（应于 {case.due:%Y-%m-%d} 前办结）", "kind": "overdue", "days": -late}
    except CalendarError as exc:
        return {"text": _cannot(exc), "kind": "unknown", "days": None}
