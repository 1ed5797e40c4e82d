"""补发: months a holder was entitled to but missed because the benefit was entered after
that month's (or quarter's) run was built — a person enrolled mid-quarter, or a benefit
whose `since` lies in a month already paid without it. The next run of the item pays
them, at most `backpay.months` months back (dated parameter with its 文号).

Only months already covered by a run of the same item for the same region (or a region
containing it) that left draft count: a month never paid through doudi (before the county
started using it) is never back-paid, and a month whose run is still a draft is paid by
rebuilding that run. Candidates are benefits that started within the look-back window, so
the statement reads the new enrolments, not the province. The unique index on (item,
holder, month) keeps any month from being paid twice (SKIP_PAID), whichever run got there
first.
"""

from __future__ import annotations

from doudi.payments import months, params
from doudi.payments.models import PayrollRun
from doudi.payments.runs import execute, months_join, run_join, sql_date


def window(item: str, region: str, period: str) -> list[str]:
    """The months before `period` that may be back-paid under the parameter in force."""
    back = params.value("backpay.months", region, months.first_day(period))
    return months.span(months.add(period, -back), months.add(period, -1)) if back else []


def covered_months(runs: list[PayrollRun], item: str, period: str) -> tuple[str | None, dict[int, tuple[str, ...]]]:
    """The earliest window start, and per run the months of its window paid by an earlier
    run (past draft) of its region or an ancestor."""
    spans = {r.pk: window(item, r.region_id, period) for r in runs}
    start = min((s[0] for s in spans.values() if s), default=None)
    if start is None:
        return None, {}
    earlier = list(
        PayrollRun.objects.filter(item=item, period__lt=period, through__gte=start)
        .exclude(state=PayrollRun.State.DRAFT)
        .values_list("region_id", "period", "through")
    )
    out = {}
    for run in runs:
        paid = tuple(
            m
            for m in spans[run.pk]
            if any(run.region_id.startswith(code) and first <= m <= through for code, first, through in earlier)
        )
        if paid:
            out[run.pk] = paid
    return start, out


MONTHS = {"month": "bm.month", "first": "bm.first_day", "last": "bm.last_day"}


def fill(sql: str, runs: list[PayrollRun], *, category: str, fund: str) -> int:
    """Inserts the missed months' lines into `runs` (one statement per distinct set of
    months); candidates are the benefits that started within the look-back window."""
    groups: dict[tuple[str, ...], list[PayrollRun]] = {}
    start, covered = covered_months(runs, category, runs[0].period)
    for run_id, back in covered.items():
        groups.setdefault(back, []).append(next(r for r in runs if r.pk == run_id))
    inserted = 0
    for back, members in groups.items():
        months_sql, months_params = months_join(list(back))
        join, join_params = run_join(members, "h.region_id")
        statement = sql.format(join=join, months=months_sql, **(MONTHS | {"since": "AND b.since >= %s"}))
        inserted += execute(statement, [fund, *months_params, *join_params, category, sql_date(months.first_day(start))])
    return inserted
