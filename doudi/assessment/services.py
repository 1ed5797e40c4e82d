"""Writes of the assessment app: monthly batch evaluations and policy simulations.

The rules themselves are doudi/rules (one definition); the batch (doudi/batch) runs them
set-based on DuckDB or Spark. An evaluation stores its decisions as Parquet and its
differences against benefits held in the database (models.py says why), and is audited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from doudi.assessment.models import Difference, EvaluationRun
from doudi.batch.differences import differences
from doudi.batch.engines import EngineError, open_engine
from doudi.batch.evaluate import evaluate_tables
from doudi.core.bulk import insert_rows
from doudi.core.models import AuditEntry, Region
from doudi.core.roles import RUN_EVALUATION, can
from doudi.core.scoping import in_scope
from doudi.registry.extracts import tables_from_registry
from doudi.registry.models import Household, Person
from doudi.rules.errors import RulesError
from doudi.rules.inputs import month_start


class EvaluationError(Exception):
    """A user's mistake or a refused request; the message is Chinese."""


def check_request(*, month: str, region_code: str, user, permission: str = RUN_EVALUATION) -> dt.date:
    """The month's first day, after checking month, region and the user's right to it."""
    try:
        day = month_start(month)
    except ValueError as exc:
        raise EvaluationError(str(exc)) from None
    if region_code and not Region.objects.filter(code=region_code).exists():
        raise EvaluationError(f"区划代码 {region_code} 不存在")
    if user is not None:
        if not can(user, permission):
            raise EvaluationError("当前账号无权执行此操作")
        if not in_scope(user, region_code):
            raise EvaluationError(f"区划 {region_code} 不在当前账号的管辖范围内")
    return day


def _decisions_path(run: EvaluationRun) -> Path:
    folder = Path(settings.DATA_DIR) / "evaluations"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{run.pk}.parquet"


def households_path(decisions_file) -> Path:
    """Per-household results (per-capita income) stored next to the decisions file."""
    path = Path(decisions_file)
    return path.with_name(f"{path.stem}-households.parquet")


def evaluate_registry(
    *, month: str, region_code: str, engine: str = "duckdb", policy=None, spark_session=None, progress=None
) -> dict:
    """{'households', 'decisions', 'held'} Arrow tables for the registry under region_code."""
    try:
        tables, _day, _policy = tables_from_registry(
            region_code, month, policy, progress=(lambda n: progress.update(n, None, f"已读取 {n:,} 户")) if progress else None
        )
        with open_engine(engine, spark_session=spark_session) as runner:
            out = evaluate_tables(runner, tables)
    except (RulesError, EngineError) as exc:
        raise EvaluationError(str(exc)) from None
    out["held"] = tables["held"]
    return out


def _counts(out: dict, diffs) -> dict:
    eligible = out["decisions"].filter(out["decisions"].column("eligible"))
    grouped = eligible.group_by("category").aggregate([("amount", "sum"), ("amount", "count")]).to_pylist()
    changes = diffs.group_by("change").aggregate([("change", "count")]).to_pylist()
    return {
        "households": out["households"].num_rows,
        "decisions": out["decisions"].num_rows,
        "eligible": {
            g["category"]: {"count": g["amount_count"], "amount": str(g["amount_sum"] or 0)}
            for g in sorted(grouped, key=lambda g: g["category"])
        },
        "differences": {c["change"]: c["change_count"] for c in changes},
    }


def _ids(model, field: str, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i in range(0, len(keys), 500):
        found.update(model.objects.filter(**{f"{field}__in": keys[i : i + 500]}).values_list(field, "id"))
    return found


def _store_differences(run: EvaluationRun, diffs) -> None:
    rows = diffs.to_pylist()
    houses = _ids(Household, "code", sorted({r["household_id"] for r in rows}))
    persons = _ids(Person, "id_number", sorted({r["person"] for r in rows if r["person"]}))
    fields = [
        "run",
        "household",
        "household_code",
        "person",
        "person_key",
        "region_code",
        "township_code",
        "category",
        "change",
        "held_amount",
        "new_amount",
        "reasons",
    ]
    insert_rows(
        Difference,
        fields,
        (
            (
                run.pk,
                houses.get(r["household_id"]),
                r["household_id"],
                persons.get(r["person"]),
                r["person"],
                r["region"],
                r["region"][:9],
                r["category"],
                r["change"],
                r["held_amount"],
                r["new_amount"],
                r["reasons"][:300],
            )
            for r in rows
        ),
    )


def evaluation_run(
    *, month: str, region_code: str, engine: str = "duckdb", user, progress=None, spark_session=None
) -> EvaluationRun:
    """Evaluates every household under region_code for month; stores decisions and differences."""
    check_request(month=month, region_code=region_code, user=user)
    run = EvaluationRun.objects.create(
        month=month,
        region_code=region_code,
        engine=engine,
        policy=region_code[:2] or "全部",
        created_by=_user(user),
        role=getattr(user, "role", "") or "",
    )
    try:
        out = evaluate_registry(
            month=month, region_code=region_code, engine=engine, spark_session=spark_session, progress=progress
        )
    except EvaluationError as exc:
        EvaluationRun.objects.filter(pk=run.pk).update(
            status=EvaluationRun.Status.FAILED, error=str(exc), finished_at=timezone.now()
        )
        raise
    path = _decisions_path(run)
    pq.write_table(out["decisions"], path)
    pq.write_table(out["households"], households_path(path))
    diffs = differences(out["households"], out["decisions"], out["held"])
    with transaction.atomic():
        _store_differences(run, diffs)
        run.counts, run.decisions_file = _counts(out, diffs), str(path)
        run.status, run.finished_at = EvaluationRun.Status.DONE, timezone.now()
        run.save(update_fields=["counts", "decisions_file", "status", "finished_at"])
        AuditEntry.objects.create(
            user=_user(user),
            role=run.role,
            action="create",
            entity="evaluation",
            entity_key=str(run.pk),
            changes={"month": month, "region": region_code, "engine": engine, "counts": run.counts["differences"]},
            reason="月度批量评估",
        )
    if progress:
        progress.update(run.counts["households"], run.counts["households"], "评估完成")
    return run


def _user(user):
    return user if getattr(user, "pk", None) else None


def evaluation_job(progress, *, month: str, region_code: str, engine: str = "duckdb", user_id: int | None = None) -> dict:
    """Background-job target (doudi.core.jobs): runs evaluation_run, returns its counts."""
    from django.urls import NoReverseMatch, reverse

    from doudi.core.jobs import JobFailed
    from doudi.core.models import User

    user = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        run = evaluation_run(month=month, region_code=region_code, engine=engine, user=user, progress=progress)
    except EvaluationError as exc:
        raise JobFailed(str(exc)) from None
    result = {"run": run.pk, **run.counts}
    try:
        result["url"] = reverse("assessment:evaluation_detail", args=[run.pk])
    except NoReverseMatch:  # the page belongs to the web helper; the job works without it
        pass
    return result


def policy_simulate(
    *,
    region_code: str,
    month: str,
    changes: list[dict],
    user=None,
    progress=None,
    engine: str = "duckdb",
    spark_session=None,
    categories=None,
) -> dict:
    """What-if: the register under region_code evaluated with and without `changes`.

    Returns {"region_code", "month", "changes", "rows": [{township, township_name, category,
    persons_before, persons_after, entering, leaving, budget_before, budget_after}], "totals"}
    with money as text (JSON-able, exact). EvaluationError (Chinese, naming the parameter).
    `categories` (codes) limits the rows, and the work, to those categories."""
    from doudi.batch.whatif import SimulationError, run_both, whatif_policy
    from doudi.core.roles import SIMULATE_POLICY

    day = check_request(month=month, region_code=region_code, user=user, permission=SIMULATE_POLICY)
    try:
        base, whatif = whatif_policy(region_code, changes)
        tables, _day, _policy = tables_from_registry(region_code, month, base)
        rows = run_both(
            tables, day, base, whatif, engine=engine, spark_session=spark_session, progress=progress, categories=categories
        )
    except (SimulationError, RulesError, EngineError) as exc:
        raise EvaluationError(str(exc)) from None
    names = dict(Region.objects.filter(code__in={r["township"] for r in rows}).values_list("code", "name"))
    for row in rows:
        row["township_name"] = names.get(row["township"], row["township"])
        for key in ("budget_before", "budget_after"):
            row[key] = str(row[key])
    totals = {key: sum(int(r[key]) for r in rows) for key in ("persons_before", "persons_after", "entering", "leaving")}
    totals.update({key: str(sum((Decimal(r[key]) for r in rows), Decimal(0))) for key in ("budget_before", "budget_after")})
    if user is not None:
        AuditEntry.objects.create(
            user=_user(user),
            role=getattr(user, "role", ""),
            action="create",
            entity="simulation",
            entity_key=region_code,
            changes={"month": month, "changes": changes},
            reason="政策测算",
        )
    return {"region_code": region_code, "month": month, "changes": changes, "rows": rows, "totals": totals}


SIMULATION_HEADERS = (
    "乡镇",
    "保障类别",
    "调整前人数",
    "调整后人数",
    "新增人数",
    "退出人数",
    "调整前月资金（元）",
    "调整后月资金（元）",
    "资金变化（元）",
)


def simulation_xlsx(result: dict, meta=None):
    """The simulation table as .xlsx (doudi.core.exports), with a total row; `meta` (an
    ExportMeta: filters in words, 制表人) is written above the header."""
    from doudi.core.codes import CATEGORIES
    from doudi.core.exports import xlsx_response

    def line(label, category, r):
        before, after = Decimal(r["budget_before"]), Decimal(r["budget_after"])
        return [
            label,
            category,
            int(r["persons_before"]),
            int(r["persons_after"]),
            int(r["entering"]),
            int(r["leaving"]),
            before,
            after,
            after - before,
        ]

    rows = [
        line(r.get("township_name") or r["township"], CATEGORIES.get(r["category"], r["category"]), r) for r in result["rows"]
    ]
    rows.append(line("合计", "", result["totals"]))
    title = f"政策测算 {result['region_code']} {result['month']}"
    return xlsx_response(f"政策测算-{result['region_code']}-{result['month']}.xlsx", title, SIMULATION_HEADERS, rows, meta)


def simulation_job(
    progress,
    *,
    region_code: str,
    month: str,
    changes: list[dict],
    user_id: int | None = None,
    categories: list[str] | None = None,
) -> dict:
    """Background-job target for the 政策测算 page."""
    from doudi.core.jobs import JobFailed
    from doudi.core.models import User

    user = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        return policy_simulate(
            region_code=region_code, month=month, changes=changes, user=user, progress=progress, categories=categories
        )
    except EvaluationError as exc:
        raise JobFailed(str(exc)) from None
