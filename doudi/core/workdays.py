"""The working-day calendar: official holidays and 调休 make-up working days.

Deadlines in the notices are counted in working days (e.g. 审核确认 within 10 working days,
价格临时补贴 within 20). The official arrangement comes from chinesecalendar; the State
Council publishes each year's arrangement late in the year before, so a year the installed
library does not know yet can be supplied in a YAML file named by `DOUDI_HOLIDAYS_FILE`:

    2027:
      source: 国办发明电〔2026〕X号
      holidays: [2027-01-01, 2027-02-06, ...]     # days off that would be working days
      workdays: [2027-02-14, ...]                 # weekend days that are working days

A date in a year known to neither is refused with a Chinese message (CalendarError), never
guessed. Framework-free.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path

import chinese_calendar
import yaml


class CalendarError(ValueError):
    """The calendar cannot answer (a year with no official arrangement); Chinese message."""


@functools.lru_cache(maxsize=4)
def _supplement(path: str, mtime: float) -> dict[int, tuple[frozenset, frozenset]]:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CalendarError(f"节假日补充文件 {Path(path).name} 无法读取：{exc}") from None
    years = {}
    for year, spec in raw.items():
        if not isinstance(year, int) or not isinstance(spec, dict) or not str(spec.get("source", "")).strip():
            raise CalendarError(f"节假日补充文件 {Path(path).name}：{year} 年须写明 source（放假安排的文号）和日期列表")
        try:
            holidays = frozenset(_day(d) for d in spec.get("holidays") or [])
            workdays = frozenset(_day(d) for d in spec.get("workdays") or [])
        except ValueError as exc:
            raise CalendarError(f"节假日补充文件 {Path(path).name}：{year} 年有日期格式不对（{exc}），应为 YYYY-MM-DD") from None
        if any(d.year != year for d in holidays | workdays):
            raise CalendarError(f"节假日补充文件 {Path(path).name}：{year} 年下列有不属于该年的日期")
        years[year] = (holidays, workdays)
    return years


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _supplied() -> dict[int, tuple[frozenset, frozenset]]:
    path = os.environ.get("DOUDI_HOLIDAYS_FILE", "").strip()
    if not path:
        return {}
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        raise CalendarError(f"节假日补充文件 {path} 不存在（环境变量 DOUDI_HOLIDAYS_FILE）") from None
    return _supplement(path, mtime)


def last_known_year() -> int:
    return max([max(chinese_calendar.holidays).year, *_supplied()])


def is_workday(day: dt.date) -> bool:
    supplied = _supplied().get(day.year)
    if supplied is not None:
        holidays, workdays = supplied
        return day in workdays or (day.weekday() < 5 and day not in holidays)
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise CalendarError(
            f"尚无 {day.year} 年的法定节假日安排，无法计算工作日（日历已知到 {last_known_year()} 年）。"
            f"请升级 chinesecalendar，或由管理员按国务院办公厅公布的放假安排补充节假日文件"
        ) from None


def add(day: dt.date, count: int) -> dt.date:
    """The `count`-th working day strictly after `day` (count 0 → `day` itself)."""
    if count < 0:
        raise CalendarError("工作日天数不能为负数")
    while count > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count -= 1
    return day


def between(first: dt.date, last: dt.date) -> int:
    """Working days after `first` up to and including `last` (0 if last ≤ first): how many
    working days of a deadline have passed, or remain when `first` is today."""
    count, day = 0, first
    while day < last:
        day += dt.timedelta(days=1)
        count += is_workday(day)
    return count
