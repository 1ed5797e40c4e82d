"""Building a run, whatever it pays: one transaction per run, keyed by (item, period,
region), set-based SQL for the lines (docs/design.md §1.4).

A run still in draft is rebuilt from scratch (its lines deleted and inserted again, in
the same transaction), so building twice on an unchanged registry gives the same lines;
a run past draft is never touched again. A crash anywhere inside rolls the whole run back.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Callable

from django.db import IntegrityError, connection, transaction

from doudi.core.models import Region
from doudi.payments.models import PaymentLine, PayrollRun, RunTransition

LINES = PaymentLine._meta.db_table
LINE_COLUMNS = (
    "run_id, item, month, holder_key, household_id, person_id, name, township, village, payee, payee_name, "
    "bank_name, bank_account, people, amount, fund, group_code, status, failure, bank_ref, payee_id_number"
)
CENT = Decimal("0.01")
# Every line insert ends with this: a line whose item, holder and month is already paid
# (or a failed line already re-issued) hits a unique index and is skipped. One index probe
# per row, on PostgreSQL and SQLite alike, whatever plan the rest of the statement gets.
SKIP_PAID = "ON CONFLICT DO NOTHING"


class PayrollError(Exception):
    """A user's mistake (bad period, unknown region or category): a Chinese message."""


_built_in_process = 0


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def sql_date(day):
    """Dates as ISO text on SQLite (how Django stores them there), as dates elsewhere."""
    return day.isoformat() if connection.vendor == "sqlite" else day


def subtree(code: str) -> tuple[str, str]:
    """Bounds of every region code in `code`'s subtree, for `BETWEEN`: all digits, so the
    range holds in any collation and a plain B-tree index serves it (LIKE 'x%' needs
    pattern operators on PostgreSQL)."""
    return code, code.ljust(12, "9")


def run_join(runs: list[PayrollRun], region_column: str) -> tuple[str, list]:
    """SQL joining a row to its run by region (`r.id`), for building many runs in one
    statement, and its parameters. The runs come in as literal rows, not from the runs
    table: the planner then knows how many there are (a run table analysed while empty
    made PostgreSQL loop over every household once per county). The span of the runs'
    subtrees keeps a single county on the region index."""
    lengths = {len(r.region_id) for r in runs}
    if len(lengths) != 1:
        raise PayrollError("一次生成的花名册区划级别应相同")
    codes = sorted(r.region_id for r in runs)
    rows = " UNION ALL ".join(["SELECT CAST(%s AS BIGINT) AS id, CAST(%s AS VARCHAR(12)) AS region_id"] * len(runs))
    sql = f"JOIN ({rows}) AS r ON r.region_id = substr({region_column}, 1, {lengths.pop()}) AND {region_column} BETWEEN %s AND %s"
    return sql, [v for r in runs for v in (r.pk, r.region_id)] + [subtree(codes[0])[0], subtree(codes[-1])[1]]


def months_join(months_paid: list[str], since_column: str = "b.since") -> tuple[str, list]:
    """SQL joining each benefit to the months it may be paid for (`bm.month`, `bm.first_day`,
    `bm.last_day`), as literal rows, and its parameters: a quarter or a back-pay is one
    statement, one pass over the registry."""
    from doudi.payments import months

    rows = " UNION ALL ".join(["SELECT CAST(%s AS VARCHAR(7)) AS month, %s AS first_day, %s AS last_day"] * len(months_paid))
    values = [v for m in months_paid for v in (m, sql_date(months.first_day(m)), sql_date(months.last_day(m)))]
    return f"JOIN ({rows}) AS bm ON {since_column} <= bm.last_day", values


def execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


Totals = dict[int, tuple]  # run id → (lines, amount, households, holders, people)


def execute_totals(sql: str, params: list) -> Totals | None:
    """An INSERT of lines that also returns each run's totals over the rows it inserted
    (PostgreSQL: a data-modifying CTE, so the lines are not read back); None elsewhere."""
    if connection.vendor != "postgresql":
        execute(sql, params)
        return None
    assert sql.endswith(SKIP_PAID)
    try:
        # A fresh month has nothing paid yet: a plain insert, where the unique index only checks, is cheaper than
        # ON CONFLICT's speculative insertion. Any line already paid (or a holder twice) makes it fail as a whole;
        # then the same rows again, skipping what is paid. The index decides either way.
        with transaction.atomic():
            return _counted(sql[: -len(SKIP_PAID)], params)
    except IntegrityError:
        return _counted(sql, params)


def _counted(sql: str, params: list) -> Totals:
    counted = (
        f"WITH ins AS ({sql} RETURNING run_id, holder_key, household_id, people, amount), "
        "per AS (SELECT run_id, holder_key, COUNT(*) AS n, SUM(amount) AS s, MAX(people) AS p FROM ins "
        "GROUP BY run_id, holder_key), hh AS (SELECT run_id, COUNT(DISTINCT household_id) AS h FROM ins GROUP BY run_id) "
        "SELECT per.run_id, SUM(n), COALESCE(SUM(s), 0), MAX(hh.h), COUNT(*), COALESCE(SUM(p), 0) "
        "FROM per JOIN hh ON hh.run_id = per.run_id GROUP BY per.run_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(counted, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _fault_hook() -> None:
    """DOUDI_PAYROLL_CRASH_AT=N: the process dies inside the Nth build (one item, every
    region asked for), after its lines are written and before they commit. Used by the
    crash tests; unset in production."""
    global _built_in_process
    _built_in_process += 1
    target = os.environ.get("DOUDI_PAYROLL_CRASH_AT")
    if target and target.isdigit() and int(target) == _built_in_process:
        os._exit(17)


def _lock(item: str) -> None:
    # Runs of one item for overlapping regions (a county and one of its townships) must not
    # interleave; SQLite serialises writers anyway.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"payroll:{item}"])


def _runs_for_update(*, kind, item, period, through, regions, due, user) -> tuple[list[PayrollRun], set[int]]:
    """The runs of `regions`, locked; those missing are created (their ids returned)."""
    found = {
        r.region_id: r for r in PayrollRun.objects.select_for_update().filter(item=item, period=period, region_id__in=regions)
    }
    fresh = [
        PayrollRun(kind=kind, item=item, period=period, through=through, region_id=code, due=due, created_by=user)
        for code in regions
        if code not in found
    ]
    PayrollRun.objects.bulk_create(fresh)  # the item's lock keeps two builders from both creating
    created = {r.pk for r in PayrollRun.objects.filter(item=item, period=period, region_id__in=[r.region_id for r in fresh])}
    runs = list(PayrollRun.objects.filter(item=item, period=period, region_id__in=regions).order_by("region_id"))
    return runs, created


def runs_build(
    *,
    kind: str,
    item: str,
    period: str,
    through: str,
    regions: list[str],
    due,
    user,
    fill: Callable[[list[PayrollRun]], Totals | None],
) -> list[PayrollRun]:
    """Builds (or rebuilds, those still in draft) the runs of one item and period for
    `regions`, in one transaction; new runs with nothing to pay are not kept. `fill` may
    return the runs' totals when it wrote every line in one counted statement."""
    with transaction.atomic():
        _lock(item)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")  # compiling costs more than these plain joins gain
                cursor.execute("SET LOCAL work_mem = '64MB'")  # a province's benefits hashed without spilling to disk
        runs, created = _runs_for_update(
            kind=kind, item=item, period=period, through=through, regions=regions, due=due, user=user
        )
        drafts = [r for r in runs if r.state == PayrollRun.State.DRAFT]
        PaymentLine.objects.filter(run__in=[r for r in drafts if r.pk not in created]).delete()
        for run in drafts:
            run.through, run.due = through, due
        counted = fill(drafts) if drafts else None
        _fault_hook()
        refresh_totals(drafts, counted)
        empty = [r.pk for r in drafts if r.pk in created and r.lines == 0]
        PayrollRun.objects.filter(pk__in=empty).delete()
        role = getattr(user, "role", "system") or "system"
        RunTransition.objects.bulk_create(
            [
                RunTransition(run=r, user=user, role=role, from_state="", to_state=r.state, reason="生成花名册")
                for r in drafts
                if r.pk in created and r.pk not in empty
            ]
        )
        return [r for r in runs if r.pk not in empty]


def run_build(
    *, kind: str, item: str, period: str, through: str, region: str, due, user, fill: Callable[[PayrollRun], None]
) -> PayrollRun | None:
    """One run: `fill` called with it; None when a new run would be empty."""
    runs = runs_build(
        kind=kind,
        item=item,
        period=period,
        through=through,
        regions=[region],
        due=due,
        user=user,
        fill=lambda drafts: fill(drafts[0]),
    )
    return runs[0] if runs else None


def count_lines(runs: list[PayrollRun]) -> Totals:
    """Each run's totals read from its lines, in two grouped queries."""
    ids = [r.pk for r in runs]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT run_id, COUNT(*), COALESCE(SUM(amount), 0), COUNT(DISTINCT household_id) FROM {LINES} "
            f"WHERE run_id IN ({marks}) GROUP BY run_id",
            ids,
        )
        first = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(
            f"SELECT run_id, COUNT(*), COALESCE(SUM(p), 0) FROM (SELECT run_id, holder_key, MAX(people) AS p "
            f"FROM {LINES} WHERE run_id IN ({marks}) GROUP BY run_id, holder_key) AS x GROUP BY run_id",
            ids,
        )
        second = {row[0]: row[1:] for row in cursor.fetchall()}
    return {pk: (*first[pk], *second[pk]) for pk in first}


def refresh_totals(runs: list[PayrollRun], counted: Totals | None = None) -> None:
    """Lines, holders, people, households and amount of each run: as counted while
    inserting, or read from the lines."""
    if not runs:
        return
    totals_by_run = count_lines(runs) if counted is None else counted
    for run in runs:
        lines, amount, households, holders, people = totals_by_run.get(run.pk, (0, 0, 0, 0, 0))
        run.lines, run.amount, run.households, run.holders, run.people = (
            int(lines),
            money(amount),
            int(households),
            int(holders),
            int(people),
        )
        run.version += 1
    _save_totals(runs)


def _save_totals(runs: list[PayrollRun]) -> None:
    fields = ["lines", "amount", "households", "holders", "people", "version", "through", "due"]
    if connection.vendor != "postgresql":
        PayrollRun.objects.bulk_update(runs, fields)
        return
    # One UPDATE from literal rows: bulk_update's CASE per field and run costs more to compile than a province's
    # build spends in it.
    row = (
        "(CAST(%s AS BIGINT), CAST(%s AS INTEGER), CAST(%s AS NUMERIC), CAST(%s AS INTEGER), CAST(%s AS INTEGER), "
        "CAST(%s AS INTEGER), CAST(%s AS INTEGER), CAST(%s AS VARCHAR(7)), CAST(%s AS DATE))"
    )
    table = PayrollRun._meta.db_table
    sets = ", ".join(f"{f} = v.{f}" for f in fields)
    values = [v for r in runs for v in (r.pk, *(getattr(r, f) for f in fields))]
    execute(
        f"UPDATE {table} SET {sets}, updated_at = now() FROM (VALUES {', '.join([row] * len(runs))}) "
        f"AS v(id, {', '.join(fields)}) WHERE {table}.id = v.id",
        values,
    )


def totals(run: PayrollRun) -> dict:
    """docs/interfaces.md §1 control totals of one run."""
    return {
        "category": run.item,
        "period": run.period,
        "region": run.region_id,
        "people": run.people,
        "households": run.households,
        "amount": str(run.amount),
        "through": run.through,
        "state": run.state,
        "lines": run.lines,
    }


def target_regions(region: str | None) -> list[str]:
    """The run regions: a county or township as given; each county under a province or
    city; every county in the database when none is given."""
    if region:
        found = Region.objects.filter(code=region).first()
        if found is None:
            raise PayrollError(f"未知区划 {region}：数据库中没有该行政区划代码")
        if found.level in (Region.Level.COUNTY, Region.Level.TOWNSHIP):
            return [found.code]
        if found.level == Region.Level.VILLAGE:
            raise PayrollError(f"区划 {region} 是村级；花名册按县或乡镇生成")
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if region:
        counties = counties.filter(code__startswith=region)
    codes = list(counties.order_by("code").values_list("code", flat=True))
    if not codes:
        raise PayrollError("数据库中没有县级区划，请先导入区划和台账")
    return codes
