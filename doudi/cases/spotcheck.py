"""县级抽查 of township confirmations (审批权限下放, 沁政办发〔2021〕7号 §五): where the county's
parameter cases.township_confirms delegates 审核确认 to townships, the county draws a sample of
the cases each township confirmed in a month (cases.spot_check_rate, a fraction, rounded up
per township) and records a result for each: 无误, or 有误 with a note, which opens a change
case (变更核查) for the household through the bulk opening (one per spot-check, never twice).

The sample is reproducible: each case's place in the draw is sha256("county|month|case number"),
the lowest ranks are taken, so drawing the same finished month again (or from another
computer) gives the same cases. Only a month that has ended may be drawn: its population no
longer changes. Drawing and recording are the county's (a township sees its own samples only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from doudi.cases import bulk, clock
from doudi.cases.models import Case, SpotCheck, SpotCheckStep
from doudi.core import codes, months
from doudi.core.roles import APPROVE_CASES, can
from doudi.core.scoping import scope
from doudi.core.workflow import Log, Step, Workflow, WorkflowError
from doudi.registry.models import Benefit

T = SpotCheck.State
SPOT_CHECK_WORKFLOW = Workflow(
    noun="抽查",
    model=SpotCheck,
    steps={
        "correct": Step((T.DRAWN,), T.CORRECT, APPROVE_CASES, "登记抽查结果"),
        "wrong": Step((T.DRAWN,), T.WRONG, APPROVE_CASES, "登记抽查结果", reason_required=True),
    },
    log=Log(SpotCheckStep, "spot_check", reason_max=500),
    region_of=lambda check: check.township,
    labels=lambda state: T(state).label,
)


def county_of(user) -> str:
    """The county a user may spot-check for; PermissionError for anyone else (a township included)."""
    code = getattr(user, "scope_code", None)
    if not can(user, APPROVE_CASES) or code is None or len(code) != 6:
        raise PermissionError("县级抽查由县民政部门办理，乡镇和其他角色不能抽取或登记抽查结果")
    return code


def rank(county: str, month: str, number: str) -> str:
    return hashlib.sha256(f"{county}|{month}|{number}".encode()).hexdigest()


def rate_of(county: str, month: str) -> Decimal:
    """The sample share in force on the month's last day, 0…1."""
    raw = clock.value("cases.spot_check_rate", county, months.last_day(month))
    try:
        rate = Decimal(str(raw))
    except InvalidOperation:
        rate = Decimal(-1)
    if not 0 <= rate <= 1:
        raise WorkflowError(f"抽查比例参数为 {raw}，应在 0 至 1 之间（如 0.1 为抽查 10%），请县级管理员修改参数")
    return rate


def population(county: str, month: str) -> QuerySet:
    """Applications a township confirmed (纳入保障) in `month` in the county."""
    return Case.objects.filter(
        region__code__startswith=county,
        kind=Case.Kind.APPLY,
        state=Case.State.ENROLLED,
        decided_by_township=True,
        decided_on__gte=months.first_day(month),
        decided_on__lte=months.last_day(month),
    )


def sample(county: str, month: str, rate: Decimal) -> list[tuple[str, Case]]:
    """[(rank, case)] drawn per township: ceil(rate × confirmed) of the lowest ranks."""
    by_township: dict[str, list[tuple[str, Case]]] = {}
    for case in population(county, month).only("pk", "number", "region_id"):
        by_township.setdefault(case.region_id[:9], []).append((rank(county, month, case.number), case))
    out = []
    for township in sorted(by_township):
        rows = sorted(by_township[township], key=lambda r: r[0])
        out += rows[: math.ceil(len(rows) * rate)]
    return out


def spot_check_draw(*, user, month: str, today: dt.date | None = None) -> tuple[int, int]:
    """Draws the month's sample for the user's county: (newly drawn, sample size). Drawing
    again adds nothing (the same cases; each case is drawn at most once)."""
    county = county_of(user)
    day = today or clock.today()
    try:
        month = months.parse(month)
    except months.BadMonth as exc:
        raise WorkflowError(str(exc)) from None
    if month >= months.of(day):
        raise WorkflowError(f"{month} 尚未结束，只能抽查已经结束的月份（该月的审核确认还可能增加）")
    rate = rate_of(county, month)
    drawn = sample(county, month, rate)
    have = set(SpotCheck.objects.filter(case_id__in=[c.pk for _, c in drawn]).values_list("case_id", flat=True))
    new = 0
    for place, case in drawn:
        if case.pk in have:
            continue
        try:
            with transaction.atomic():
                check = SpotCheck.objects.create(
                    case=case, county=county, township=case.region_id[:9], month=month, rank=place, rate=rate, drawn_by=user
                )
                SPOT_CHECK_WORKFLOW.record(
                    check, user, T.DRAWN, f"抽取 {month} 乡镇审核确认案件（抽查比例 {rate:%}）"[:500], {"rank": place}
                ).save()
            new += 1
        except IntegrityError:  # drawn by someone else at the same moment
            continue
    return new, len(drawn)


def spot_check_record(*, user, check: SpotCheck, result: str, note: str = "", today: dt.date | None = None) -> SpotCheck:
    """无误 or 有误 (with a note): 有误 opens a change case for the household. WorkflowError for a
    result recorded before (two at once: one wins), PermissionError for a township."""
    county_of(user)
    day = today or clock.today()
    if result not in ("correct", "wrong"):
        raise WorkflowError("请选择抽查结果（无误或有误）")
    note = str(note or "").strip()
    with transaction.atomic():
        moved = SPOT_CHECK_WORKFLOW.move(
            check,
            result,
            user,
            note if result == "wrong" else note or "抽查无误",
            note=note[:500],
            checked_on=day,
            checked_by=user,
        )
        if result == "wrong":
            opened = _open_change_case(moved, user, note, day)
            if opened is not None:
                SpotCheck.objects.filter(pk=moved.pk).update(review_case=opened)
    moved.refresh_from_db()
    return moved


def _open_change_case(check: SpotCheck, user, note: str, day: dt.date) -> Case | None:
    """A change case (变更核查) on the benefit the confirmation started, if still held."""
    case = check.case
    personal = case.category not in codes.HOUSEHOLD_CATEGORIES
    key = case.person.id_number if personal and case.person_id else ""
    held = Benefit.objects.filter(household_id=case.household_id, category=case.category, person_key=key, until__isnull=True)
    benefit = held.first()
    if benefit is None or case.person_id is None:
        return None
    finding = bulk.Finding(
        f"spotcheck:{check.pk}",
        f"{check.month} 县级抽查有误：{note}"[:200],
        case.household,
        case.category,
        Case.Kind.CHANGE,
        case.person,
        benefit,
    )
    result = bulk.open_cases(user=user, findings=[finding], origin=f"spotcheck:{check.month}", today=day)
    return result.opened[0] if result.opened else None


# ---- reads ---------------------------------------------------------------------------------
def spot_checks_for(user) -> QuerySet:
    """Samples in the user's scope (the county: its townships'; a township: its own)."""
    return scope(SpotCheck.objects.select_related("case", "case__region__parent", "checked_by", "review_case"), user, "township")


def spot_check_get(user, pk) -> SpotCheck:
    from django.http import Http404

    check = spot_checks_for(user).filter(pk=pk).first()
    if check is None:
        raise Http404("没有找到该抽查记录，或不在您的管辖范围内")
    return check


def summary(rows) -> list[dict]:
    """Per month and township: drawn, 无误, 有误, 待抽查."""
    table: dict[tuple, dict] = {}
    for r in rows:
        entry = table.setdefault((r.month, r.township), {"month": r.month, "township": r.case.region.parent.name, "n": 0})
        entry["n"] += 1
        entry[r.state] = entry.get(r.state, 0) + 1
    return [table[k] for k in sorted(table, reverse=True)]
