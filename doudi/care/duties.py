"""Visit duties: how often a person must be visited on a given day, from the dated
parameters care.* (rules/schema.py; 临民发【2024】22号: the heating season 11-20 … 03-15,
during which 分散供养特困 and 独居/失能 elderly are visited weekly, others monthly).

A duty is an interval, not a calendar slot: the next visit is due one week (or one month)
after the last one, and at once for a person never visited. That is what a helper can act
on ("who is due today, who is late") and what the township counts as covered. Framework-free
apart from reading the parameters."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from doudi.core import months

WEEKLY, MONTHLY = "weekly", "monthly"
FREQUENCY_LABELS = {WEEKLY: "每周", MONTHLY: "每月"}
OVERDUE, DUE, DONE = "overdue", "due", "done"
STATUS_LABELS = {OVERDUE: "逾期未访", DUE: "今日应访", DONE: "已访"}


@dataclass(frozen=True)
class DutyRule:
    heating_start: str  # "MM-DD"
    heating_end: str
    weekly_heating: frozenset
    weekly: frozenset
    monthly: frozenset

    def in_heating_season(self, day: dt.date) -> bool:
        md = f"{day.month:02d}-{day.day:02d}"
        if self.heating_start <= self.heating_end:
            return self.heating_start <= md <= self.heating_end
        return md >= self.heating_start or md <= self.heating_end  # the season spans the new year

    def frequency(self, groups, day: dt.date) -> str | None:
        """WEEKLY, MONTHLY, or None (no visit duty) for a person holding these groups."""
        groups = set(groups)
        if groups & self.weekly or (groups & self.weekly_heating and self.in_heating_season(day)):
            return WEEKLY
        if groups & self.monthly:
            return MONTHLY
        return None


@functools.lru_cache(maxsize=256)
def duty_rule(county: str, day: dt.date) -> DutyRule:
    """The rule in force on `day` for a county (its own parameter file, else the nearest above)."""
    from doudi.rules.policy import parameter

    def value(name):
        return parameter(f"care.{name}", county[:6], day).value

    return DutyRule(
        value("heating_season.start"),
        value("heating_season.end"),
        frozenset(value("duty.weekly_heating")),
        frozenset(value("duty.weekly")),
        frozenset(value("duty.monthly")),
    )


def next_due(last_visit: dt.date | None, frequency: str, today: dt.date) -> dt.date:
    if last_visit is None:
        return today
    if frequency == WEEKLY:
        return last_visit + dt.timedelta(days=7)
    month = months.add(months.of(last_visit), 1)
    return months.first_day(month).replace(day=min(last_visit.day, months.last_day(month).day))


def status(due: dt.date, today: dt.date) -> str:
    if due < today:
        return OVERDUE
    return DUE if due == today else DONE


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def born_before(day: dt.date, years: int) -> dt.date:
    """The latest birth date of someone at least `years` old on `day` (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
