"""Building a run, whatever it pays: one transaction per run, keyed by (item, period,
region), set-based SQL for the lines (DESIGN §1.4).

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
LINE_COLUMNS = ("run_id, item, month, holder_key, household_id, person_id, name, township, village, payee, payee_name, "
                "bank_name, bank_account, people, amount, fund, group_code, status, failure, bank_ref")
CENT = Decimal("0.01")


class PayrollError(Exception):
    """A user's mistake (bad period, unknown region or category): a Chinese message."""


class _Empty(Exception):
    """A new run with nothing to pay: rolled back, so no empty runs pile up."""


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


def execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _fault_hook(run: PayrollRun) -> None:
    """DOUDI_PAYROLL_CRASH_AT=N: the process dies inside the Nth run built, after its lines
    are written and before they commit. Used by the crash tests; unset in production."""
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


def _run_for_update(*, kind, item, period, through, region, due, user) -> tuple[PayrollRun, bool]:
    run = PayrollRun.objects.select_for_update().filter(item=item, period=period, region_id=region).first()
    if run:
        return run, False
    try:
        with transaction.atomic():
            run = PayrollRun.objects.create(kind=kind, item=item, period=period, through=through, region_id=region,
                                            due=due, created_by=user)
    except IntegrityError:  # built at the same moment by someone else: use theirs
        return PayrollRun.objects.select_for_update().get(item=item, period=period, region_id=region), False
    return run, True


def run_build(*, kind: str, item: str, period: str, through: str, region: str, due, user,
              fill: Callable[[PayrollRun], None]) -> PayrollRun | None:
    """Builds (or rebuilds, if still a draft) the run; None when a new run would be empty."""
    try:
        with transaction.atomic():
            _lock(item)
            run, created = _run_for_update(kind=kind, item=item, period=period, through=through, region=region,
                                           due=due, user=user)
            if run.state != PayrollRun.State.DRAFT:
                return run
            if not created:
                PaymentLine.objects.filter(run=run).delete()
                run.through, run.due = through, due
            fill(run)
            _fault_hook(run)
            refresh_totals(run)
            if created and run.lines == 0:
                raise _Empty
            if created:
                RunTransition.objects.create(run=run, user=user, role=getattr(user, "role", "system") or "system",
                                             from_state="", to_state=run.state, reason="生成花名册")
            return run
    except _Empty:
        return None


def refresh_totals(run: PayrollRun) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), COALESCE(SUM(amount), 0), COUNT(DISTINCT household_id) FROM {LINES} WHERE run_id = %s",
                       [run.pk])
        lines, amount, households = cursor.fetchone()
        cursor.execute(f"SELECT COUNT(*), COALESCE(SUM(p), 0) FROM (SELECT holder_key, MAX(people) AS p FROM {LINES} "
                       f"WHERE run_id = %s GROUP BY holder_key) AS x", [run.pk])
        holders, people = cursor.fetchone()
    run.lines, run.amount, run.households, run.holders, run.people = lines, money(amount), households, holders, int(people)
    run.version += 1
    run.save()


def totals(run: PayrollRun) -> dict:
    """SPEC §1 control totals of one run."""
    return {"category": run.item, "period": run.period, "region": run.region_id, "people": run.people,
            "households": run.households, "amount": str(run.amount), "through": run.through, "state": run.state,
            "lines": run.lines}


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
