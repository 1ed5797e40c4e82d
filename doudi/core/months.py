"""Months (YYYY-MM) and periods, parsed and counted in one place. Framework-free: the rules
package, payments, cases and reports all read months through this module."""

from __future__ import annotations

import calendar
import datetime as dt
import re

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class BadMonth(ValueError):
    """A month that is not YYYY-MM; the message is Chinese and names what was given."""


def parse(text, what: str = "月份") -> str:
    """'2025-01' (also ' 2025-01 ') → '2025-01'; BadMonth otherwise."""
    text = str(text or "").strip()
    if not _MONTH.match(text):
        raise BadMonth(f"{what} {text!r} 应为 YYYY-MM 格式，如 2025-01")
    return text


def first_day(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:]), 1)


def last_day(month: str) -> dt.date:
    year, number = int(month[:4]), int(month[5:])
    return dt.date(year, number, calendar.monthrange(year, number)[1])


def start(text, what: str = "月份") -> dt.date:
    """The first day of a month given as text: parse and first_day in one."""
    return first_day(parse(text, what))


def index(day: dt.date) -> int:
    """Months since year 0: differences of two indexes count whole months."""
    return day.year * 12 + day.month - 1


def add(month: str, count: int) -> str:
    number = int(month[:4]) * 12 + int(month[5:]) - 1 + count
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def span(first: str, last: str) -> list[str]:
    """Every month from first to last, both included (empty if last is before first)."""
    out, month = [], first
    while month <= last:
        out.append(month)
        month = add(month, 1)
    return out


def of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def this_month(today: dt.date | None = None) -> str:
    return of(today or dt.date.today())
