"""到期提醒 (issue 18 item 4): what falls due within `reports.remind_days` working days — the
report calendar's tables not yet submitted, supervision findings and 督办任务 still open — and
what is overdue; shown on the responsible users' home to-do (workbench source `reports_due`)
and sent as in-app notifications (workbench.notifications.notify).

Who is responsible: the county's own tables and findings assigned to a 股室 → the county's
staff and administrators; a township's → its 乡镇经办员. Overdue items are also shown to the
county (every township's), and notified once to both.

Idempotent: each notification is keyed in `Reminder` (item, audience, day) under a unique
constraint, so sending again the same day — on any home page load in the county, or two at
once — writes nothing; an overdue item is notified once, not every day. The workbench hands
`notify` in (its to-do source calls `todo`): reports may not import the workbench, which
imports every app (tests/test_architecture.py forbids the cycle)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse

from doudi.core import workdays
from doudi.core.models import Region
from doudi.core.roles import INSPECT, RECTIFY, SUBMIT_REPORTS, Role, can
from doudi.core.scoping import in_scope
from doudi.reports import festival, periods, winter
from doudi.reports.models import Finding, Reminder, ReportVersion

# Overdue reports are reminded of for this many days after their due date (the calendar keeps
# showing them in red after that): last season's unsent weeks must not nag all summer.
OVERDUE_WINDOW_DAYS = 30
COUNTY_ROLES = (Role.COUNTY_STAFF, Role.COUNTY_ADMIN)


@dataclass(frozen=True)
class Due:
    key: str  # report:winter-weekly:2026-W48:140521 / finding:7
    kind: str  # report / finding / task
    text: str  # Chinese, the whole sentence
    unit: str  # the responsible unit's region code
    unit_name: str
    due: dt.date
    url: str
    overdue: bool


def remind_days(region: str, day: dt.date) -> int:
    from doudi.rules.policy import parameter

    return int(parameter("reports.remind_days", (region or "")[:6] or "national", day).value)


def soon_until(region: str, today: dt.date) -> dt.date:
    """The last due date still reminded of today: `reports.remind_days` working days ahead
    (calendar days for a year the holiday calendar does not know yet)."""
    days = remind_days(region, today)
    try:
        return workdays.add(today, days)
    except workdays.CalendarError:
        return today + dt.timedelta(days=days)


def _short(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _report_items(county: Region, today: dt.date, until: dt.date) -> list[Due]:
    units = [(county.code, county.name, county.level), *((c, n, Region.Level.TOWNSHIP) for c, n in winter.units(county))]
    sent = set(
        ReportVersion.objects.filter(kind__in=(winter.KIND, festival.KIND), region__code__startswith=county.code).values_list(
            "kind", "period", "region_id"
        )
    )
    # A table is reminded of only in a county that files it (has submitted it before): 附件2 is
    # 临猗's form, the festival table 重庆's — a county that never used one is not nagged about it.
    in_use = {kind for kind, _period, _region in sent}
    periods_due = []
    if winter.KIND in in_use:
        periods_due += [
            (winter.KIND, w.code, "附件2 温暖过冬统计表", lambda level, w=w: w.due) for w in periods.season_weeks(today)
        ]
    if festival.KIND in in_use:
        periods_due += [(festival.KIND, f.code, "元旦春节兜底保障统计表", f.due_for) for f in festival.season(today)]
    out = []
    for kind, period, title, due_for in periods_due:
        for code, name, level in units:
            due = due_for(level)
            if due is None or (kind, period, code) in sent or due > until or due < today - dt.timedelta(OVERDUE_WINDOW_DAYS):
                continue
            overdue = due < today
            url = reverse("reports:festival" if kind == festival.KIND else "reports:table", args=[period, code])
            text = (
                f"{name}{title}（{period}）{'逾期未报，应报日期' if overdue else '应于'}{_short(due)}{'' if overdue else '报送'}"
            )
            out.append(Due(f"report:{kind}:{period}:{code}", "report", text, code, name, due, url, overdue))
    return out


def _finding_items(county: Region, today: dt.date, until: dt.date) -> list[Due]:
    rows = Finding.objects.filter(region__code__startswith=county.code, deadline__lte=until).exclude(state=Finding.State.CLOSED)
    out = []
    for f in rows.select_related("region").order_by("deadline", "id"):
        overdue = f.deadline < today
        if not overdue and f.state != Finding.State.OPEN:
            continue  # reported, waiting for the county: nothing for the unit to do
        unit = f.region.name + (f"·{f.office}" if f.office else "")
        what = f.description if len(f.description) <= 30 else f.description[:30] + "…"
        verb = "逾期未办结" if f.is_task else "逾期未整改清零"
        text = f"{unit}{f.noun}「{what}」" + (f"{verb}，期限{_short(f.deadline)}" if overdue else f"期限{_short(f.deadline)}")
        kind = "task" if f.is_task else "finding"
        url = reverse("reports:finding", args=[f.pk])
        out.append(Due(f"finding:{f.pk}", kind, text, f.region_id, unit, f.deadline, url, overdue))
    return out


def collect(county: Region, today: dt.date) -> list[Due]:
    """Everything of one county due within the reminder period or overdue, by due date."""
    until = soon_until(county.code, today)
    items = _report_items(county, today, until) + _finding_items(county, today, until)
    return sorted(items, key=lambda d: (not d.overdue, d.due, d.key))


def _county_of(user) -> Region | None:
    code = getattr(user, "scope_code", None) or ""
    if len(code) < 6:
        return None
    return Region.objects.filter(code=code[:6], level=Region.Level.COUNTY).first()


def _responsible(user, item: Due) -> bool:
    """The user is one of the item's responsible users (their unit, their role)."""
    code = getattr(user, "scope_code", None) or ""
    if item.kind == "report" and not can(user, SUBMIT_REPORTS):
        return False
    if item.kind != "report" and not can(user, RECTIFY):
        return False
    return code == item.unit


def for_user(user, today: dt.date) -> list[Due]:
    """The user's items: those their unit is responsible for (due soon or overdue), and — for
    the county — every overdue item of its townships."""
    county = _county_of(user)
    if county is None:
        return []
    # The county's staff see every township's overdue items; read-only roles have nothing to do.
    county_view = len(user.scope_code) == 6 and (can(user, INSPECT) or can(user, SUBMIT_REPORTS))
    return [
        d for d in collect(county, today) if in_scope(user, d.unit) and (_responsible(user, d) or (d.overdue and county_view))
    ]


def audiences(item: Due, county: str) -> list[tuple[str, str]]:
    """(role, region) pairs to notify: the responsible unit's; for an overdue item also the county's."""
    own = [(r, item.unit) for r in COUNTY_ROLES] if len(item.unit) == 6 else [(Role.TOWNSHIP_CLERK, item.unit)]
    if item.overdue and len(item.unit) > 6:
        own += [(r, county) for r in COUNTY_ROLES]
    return own


def send(today: dt.date, notify, county: Region | None = None) -> int:
    """Notifications (through workbench.notifications.notify) for every county's (or one
    county's) items; returns how many were written. Once a day per item and audience while
    due soon; once only when overdue."""
    counties = [county] if county else list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    written = 0
    for c in counties:
        for item in collect(c, today):
            day = item.due if item.overdue else today
            for role, region in audiences(item, c.code):
                key = f"{item.key}:{role}:{region}"[:80]
                if Reminder.objects.filter(key=key, day=day).exists():
                    continue
                try:
                    with transaction.atomic():
                        reminder = Reminder.objects.create(key=key, day=day)
                        note = notify(
                            ("【已逾期】" if item.overdue else "【到期提醒】") + item.text, item.url, role=role, region=region
                        )
                        reminder.notification = note.pk
                        reminder.save(update_fields=["notification"])
                except IntegrityError:  # sent at the same moment by another request or the command
                    continue
                written += 1
    return written


def send_for(user, today: dt.date, notify) -> int:
    """Sends the user's county's reminders (a home page load does it; idempotent)."""
    county = _county_of(user)
    return send(today, notify, county) if county is not None else 0


def todo(user, today: dt.date, notify=None) -> list[dict]:
    """The home to-do's lines: [{label, count, url, urgent, hint}]; with `notify`, sends the
    county's notifications of the day first (idempotent)."""
    if notify is not None:
        send_for(user, today, notify)
    items = for_user(user, today)
    if not items:
        return []
    url = reverse("reports:due")
    reports = [d for d in items if d.kind == "report"]
    work = [d for d in items if d.kind != "report"]
    return [
        {"label": "逾期未报的统计报表", "count": sum(d.overdue for d in reports), "url": url, "urgent": True, "hint": ""},
        {
            "label": "即将到期的统计报表",
            "count": sum(not d.overdue for d in reports),
            "url": url,
            "urgent": False,
            "hint": "应报日期前几个工作日提醒",
        },
        {
            "label": "逾期未办结的督导问题和督办任务",
            "count": sum(d.overdue for d in work),
            "url": url,
            "urgent": True,
            "hint": "",
        },
        {
            "label": "即将到期的督导整改和督办任务",
            "count": sum(not d.overdue for d in work),
            "url": url,
            "urgent": False,
            "hint": "",
        },
    ]
