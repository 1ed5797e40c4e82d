"""The dates payments need, over the one month module (`doudi.core.months`) and the one
working-day calendar (`doudi.core.workdays`). Framework-free."""

from __future__ import annotations

import datetime as dt

from doudi.core import workdays
from doudi.core.months import BadMonth, add, first_day, last_day, of, parse, span  # noqa: F401  (payments' month API)


def spring_festival_eve(year: int) -> dt.date | None:
    """The working day before the first Spring Festival holiday of `year` (chinesecalendar),
    or None for a year the calendar does not know."""
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
    """`count` working days after `day`; BadMonth (the payments' error) past the calendar."""
    try:
        return workdays.add(day, count)
    except workdays.CalendarError as exc:
        raise BadMonth(str(exc)) from None
