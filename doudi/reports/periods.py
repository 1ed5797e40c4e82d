"""Report periods: ISO weeks (附件2 is weekly, 临民发【2024】22号 备注1 "此表每周三报回") and
their due dates. Framework-free, so the command, the pages and the calendar read periods
the same way."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
# 附件2 备注1: returned every Wednesday, for the week that ended the Sunday before.
WEEKLY_DUE_WEEKDAY = 2  # Monday 0 … Wednesday 2
# 临民发【2024】22号 二: 从 11 月 20 日起至次年 3 月 15 日，以一个采暖季为期.
SEASON_START = (11, 20)
SEASON_END = (3, 15)


class PeriodError(ValueError):
    """A period that cannot be reported; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class Week:
    code: str  # 2026-W49
    first: dt.date  # Monday
    last: dt.date  # Sunday: the table counts the records as of this day

    @property
    def due(self) -> dt.date:
        return self.last + dt.timedelta(days=WEEKLY_DUE_WEEKDAY + 1)

    @property
    def label(self) -> str:
        return f"{self.first.year}年{self.first.month}月{self.first.day}日至{self.last.month}月{self.last.day}日"

    def ended(self, today: dt.date) -> bool:
        return self.last < today


def parse_week(text) -> Week:
    """'2026-W49' → Week; PeriodError (Chinese, naming what was given) otherwise."""
    raw = str(text or "").strip()
    match = _WEEK.match(raw.upper())
    if not match:
        raise PeriodError(f"统计周期「{raw}」格式不对，应为 ISO 周，如 2026-W49")
    year, number = int(match[1]), int(match[2])
    try:
        monday = dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise PeriodError(f"统计周期「{raw}」不存在：{year} 年没有第 {number} 周") from None
    return Week(f"{year:04d}-W{number:02d}", monday, monday + dt.timedelta(days=6))


def week_of(day: dt.date) -> Week:
    year, number, _ = day.isocalendar()
    return parse_week(f"{year:04d}-W{number:02d}")


def ended_week(text, today: dt.date) -> Week:
    """The week, refused unless it has ended: a table of a running week would change tomorrow."""
    week = parse_week(text)
    if not week.ended(today):
        raise PeriodError(
            f"统计周期 {week.code}（{week.label}）尚未结束，结束后（{week.last + dt.timedelta(days=1)} 起）才能生成报表"
        )
    return week


def season_weeks(today: dt.date) -> list[Week]:
    """The weeks of the heating season that holds `today` (or the last one, out of season),
    from the first week touching 20 November to the last touching 15 March."""
    year = today.year if (today.month, today.day) >= SEASON_START else today.year - 1
    start, end = dt.date(year, *SEASON_START), dt.date(year + 1, *SEASON_END)
    weeks, week = [], week_of(start)
    while week.first <= end:
        weeks.append(week)
        week = week_of(week.last + dt.timedelta(days=1))
    return weeks
