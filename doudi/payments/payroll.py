"""Monthly and quarterly payrolls (发放花名册) from the benefits held (晋民发〔2022〕38号:
低保 by the 10th of each month; 分散供养特困 within the first 10 days of each quarter,
集中供养 paid to the institution), with early payment before the Spring Festival
(沁政办发〔2021〕7号) and re-issue of payments the bank returned as failed.

Enrolments are the registry's Benefit rows in force in a month: `since` on or before the
month's last day and `until` empty or on or after its first day.
"""

from __future__ import annotations

from doudi.core import codes
from doudi.payments import backpay, months, params
from doudi.payments.models import PayrollRun
from doudi.payments.runs import (
    LINE_COLUMNS,
    LINES,
    SKIP_PAID,
    PayrollError,
    Totals,
    execute,
    execute_totals,
    months_join,
    run_join,
    runs_build,
    sql_date,
    target_regions,
    totals,
)
from doudi.registry.extracts import BENEFITS as B
from doudi.registry.extracts import HOUSEHOLDS as H
from doudi.registry.extracts import PERSONS as P
from doudi.registry.extracts import in_force_sql

# {first} and {last} bound the month: parameters for one month, or the columns of the back-pay months joined in {months}.
_IN_FORCE = f"b.category = %s AND {in_force_sql('b', '{first}', '{last}')} AND b.monthly_amount > 0"

# {join} attaches each row to the run of its region (runs.run_join): one statement builds
# the runs of every county at once.
HOUSEHOLD_SQL = f"""INSERT INTO {LINES} ({LINE_COLUMNS})
SELECT r.id, b.category, {{month}}, h.code, h.id, p.id, p.name, substr(h.region_id, 1, 9), h.region_id, 'head', p.name,
       p.bank_name, p.bank_account, (SELECT COUNT(*) FROM {P} m WHERE m.household_id = h.id), b.monthly_amount, %s,
       '', 'pending', '', CAST(r.id AS VARCHAR(20)) || '-' || h.code, p.id_number
FROM {B} b {{months}} JOIN {H} h ON h.id = b.household_id JOIN {P} p ON p.household_id = h.id AND p.relation = 'head' {{join}}
WHERE b.person_id IS NULL AND {_IN_FORCE} {{since}} {SKIP_PAID}"""

PERSON_SQL = f"""INSERT INTO {LINES} ({LINE_COLUMNS})
SELECT r.id, b.category, {{month}}, p.id_number, h.id, p.id, p.name, substr(h.region_id, 1, 9), h.region_id,
       CASE WHEN b.support_mode = 'centralized' THEN 'institution' ELSE 'person' END,
       CASE WHEN b.support_mode = 'centralized' THEN b.institution ELSE p.name END,
       CASE WHEN b.support_mode = 'centralized' THEN '' ELSE p.bank_name END,
       CASE WHEN b.support_mode = 'centralized' THEN '' ELSE p.bank_account END,
       1, b.monthly_amount, %s, '', 'pending', '',
       CASE WHEN b.support_mode = 'centralized' THEN '' ELSE CAST(r.id AS VARCHAR(20)) || '-' || p.id_number END,
       CASE WHEN b.support_mode = 'centralized' THEN '' ELSE p.id_number END
FROM {B} b {{months}} JOIN {P} p ON p.id = b.person_id JOIN {H} h ON h.id = b.household_id {{join}}
WHERE b.person_id IS NOT NULL AND {_IN_FORCE} {{since}} {SKIP_PAID}"""
ONE_MONTH = {"month": "%s", "months": "", "first": "%s", "last": "%s", "since": ""}
MONTHS = {"month": "bm.month", "first": "bm.first_day", "last": "bm.last_day", "since": ""}  # with runs.months_join

# A failed line is paid again once (the unique index on re-issues), in the next run of its item, to the account the
# registry holds now (the clerk has corrected it); never if that month got paid otherwise.
REISSUE_SQL = f"""INSERT INTO {LINES} ({LINE_COLUMNS}, reissue_of_id)
SELECT r.id, f.item, f.month, f.holder_key, f.household_id, f.person_id, f.name, f.township, f.village, f.payee,
       CASE WHEN f.payee = 'institution' THEN f.payee_name ELSE COALESCE(p.name, f.payee_name) END,
       CASE WHEN f.payee = 'institution' THEN f.bank_name ELSE COALESCE(p.bank_name, f.bank_name) END,
       CASE WHEN f.payee = 'institution' THEN f.bank_account ELSE COALESCE(p.bank_account, f.bank_account) END,
       f.people, f.amount, f.fund, f.group_code, 'pending', '',
       CASE WHEN f.payee IN ('institution', 'voucher') THEN '' ELSE CAST(r.id AS VARCHAR(20)) || '-' || f.holder_key END,
       CASE WHEN f.payee = 'institution' THEN f.payee_id_number ELSE COALESCE(p.id_number, f.payee_id_number) END, f.id
FROM {LINES} f LEFT JOIN {P} p ON p.id = f.person_id {{join}}
WHERE f.item = %s AND f.status = 'failed' AND f.run_id <> r.id {SKIP_PAID}"""


def reissue_failed(runs: list[PayrollRun]) -> int:
    join, join_params = run_join(runs, "f.village")
    return execute(REISSUE_SQL.format(join=join), [*join_params, runs[0].item])


def _fill(category: str):
    sql = HOUSEHOLD_SQL if category in codes.HOUSEHOLD_CATEGORIES else PERSON_SQL

    def fill(runs: list[PayrollRun]) -> Totals | None:
        reissued = reissue_failed(runs)
        first_run = runs[0]
        fund = params.value(f"fund.{category}", first_run.region_id, months.first_day(first_run.period))
        join, join_params = run_join(runs, "h.region_id")
        paid = months.span(first_run.period, first_run.through)
        if len(paid) == 1:
            first, last = sql_date(months.first_day(paid[0])), sql_date(months.last_day(paid[0]))
            counted = execute_totals(sql.format(join=join, **ONE_MONTH), [paid[0], fund, *join_params, category, last, first])
        else:  # a quarter or an early payment: every month in one pass over the registry
            months_sql, months_params = months_join(paid)
            counted = execute_totals(
                sql.format(join=join, months=months_sql, **MONTHS), [fund, *months_params, *join_params, category]
            )
        back_paid = backpay.fill(sql, runs, category=category, fund=fund)
        # The counted totals are the runs' when that statement wrote every line.
        return counted if not reissued and not back_paid else None

    return fill


def _by_parameters(category: str, regions: list[str], first) -> dict[tuple, list[str]]:
    """Regions sharing the category's schedule and fund are built in one statement."""
    groups: dict[tuple, list[str]] = {}
    for code in regions:
        key = (params.value(f"schedule.{category}", code, first), params.value(f"fund.{category}", code, first))
        groups.setdefault(key, []).append(code)
    return groups


def due_date(schedule: params.Schedule, period: str, through: str):
    due = months.first_day(period).replace(day=schedule.due_day)
    if through > months.add(period, schedule.months - 1) and period[5:] == "01":
        # January–February (or the first quarter) paid early, before the Spring Festival.
        eve = months.spring_festival_eve(int(period[:4]))
        if eve:
            return min(eve, due)
    return due


def payroll_build(
    *, period: str, category: str | None = None, region: str | None = None, through: str | None = None, user=None, progress=None
) -> list[dict]:
    """Builds every due run of the period; returns the control totals of each (docs/interfaces.md §1)."""
    try:
        period = months.parse(period, "期次 --period")
        through = months.parse(through, "截至月份 --through") if through else None
    except months.BadMonth as exc:
        raise PayrollError(str(exc)) from None
    if through and through < period:
        raise PayrollError(f"截至月份 {through} 早于期次 {period}")
    if category and category not in params.PAID_CATEGORIES:
        raise PayrollError(f"保障类别 {category!r} 不按月发放或未知（可用：{', '.join(params.PAID_CATEGORIES)}）")
    categories = [category] if category else list(params.PAID_CATEGORIES)
    results = []
    regions = target_regions(region)
    first = months.first_day(period)
    for cat in categories:
        for (schedule, _fund), codes_ in _by_parameters(cat, regions, first).items():
            if not through and not schedule.is_due(period):
                continue
            end = through or months.add(period, schedule.months - 1)
            runs = runs_build(
                kind=PayrollRun.Kind.REGULAR,
                item=cat,
                period=period,
                through=end,
                regions=codes_,
                due=due_date(schedule, period, end),
                user=user,
                fill=_fill(cat),
            )
            results.extend(totals(run) for run in runs)
        if progress:
            progress(f"生成花名册：{codes.CATEGORY_SHORT[cat]}", categories.index(cat) + 1, len(categories))
    return results
