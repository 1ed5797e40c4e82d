"""Month strings (YYYY-MM) and the dates payments need. Framework-free."""
from __future__ import annotations

import calendar
import datetime as dt
import re

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class BadMonth(ValueError):
    pass


def parse(text: str, what: str = "月份") -> str:
    text = str(text or "").strip()
    if not _MONTH.match(text):
        raise BadMonth(f"{what} {text!r} 应为 YYYY-MM 格式，如 2025-01")
    return text


def first_day(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:]), 1)


def last_day(month: str) -> dt.date:
    year, number = int(month[:4]), int(month[5:])
    return dt.date(year, number, calendar.monthrange(year, number)[1])


def add(month: str, count: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def span(start: str, end: str) -> list[str]:
    out, month = [], start
    while month <= end:
        out.append(month)
        month = add(month, 1)
    return out


def of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def spring_festival_eve(year: int) -> dt.date | None:
    """The working day before the first Spring Festival holiday of `year` (chinesecalendar)."""
    import chinese_calendar

    day = dt.date(year, 1, 15)
    try:
        while day < dt.date(year, 2, 28):
            holiday, name = chinese_calendar.get_holiday_detail(day)
            if holiday and name == chinese_calendar.Holiday.spring_festival.value:
                return day - dt.timedelta(days=1)
            day += dt.timedelta(days=1)
    except NotImplementedError:
        return None
    return None


def add_working_days(day: dt.date, count: int) -> dt.date:
    """`count` working days after `day` on the official calendar with 调休 (chinesecalendar);
    a clear error beyond the calendar's last known year."""
    import chinese_calendar

    try:
        while count > 0:
            day += dt.timedelta(days=1)
            if chinese_calendar.is_workday(day):
                count -= 1
    except NotImplementedError:
        raise BadMonth(f"节假日日历（chinesecalendar）尚无 {day.year} 年的数据，无法计算工作日；请升级 chinesecalendar") from None
    return day
