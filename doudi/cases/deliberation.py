"""民主评议 between 入户调查 and 公示, where the county uses it (parameter cases.democratic_review,
dated, per county): the date, how many took part, the result (同意 / 不同意 / 暂缓) and the
minutes, recorded with the case's move to 已民主评议 (one append-only Deliberation row and one
CaseStep, in one transaction).

- parameter off: there is no such step; 公示 follows 入户调查 (a deliberation is refused);
- parameter on: 公示 waits for a deliberation whose result is 同意; after 暂缓 or 不同意 the
  case may be deliberated again, or refused (不予保障) by whoever confirms.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from doudi.cases import clock
from doudi.cases.models import Case, Deliberation
from doudi.cases.workflow import CASE_WORKFLOW, WorkflowError

S = Case.State


def in_use(case: Case, day: dt.date) -> bool:
    """Whether the case's county holds 民主评议 on `day` (applications only)."""
    if case.category == "temp_assist" or case.kind != Case.Kind.APPLY:
        return False
    return bool(clock.value("cases.democratic_review", case.region_id, day))


def latest(case: Case) -> Deliberation | None:
    return Deliberation.objects.filter(case=case).order_by("-held_on", "-id").first()


def _date(value, day: dt.date) -> dt.date:
    if isinstance(value, dt.date):
        held = value
    else:
        try:
            held = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise WorkflowError("请填写民主评议日期（如 2026-10-12）") from None
    if held > day:
        raise WorkflowError(f"民主评议日期 {held:%Y-%m-%d} 晚于今天，请核对")
    return held


def _count(value) -> int:
    try:
        count = int(str(value).strip())
    except (TypeError, ValueError):
        raise WorkflowError("请填写参加民主评议的人数（整数）") from None
    if not 1 <= count <= 999:
        raise WorkflowError("参加民主评议的人数应在 1 至 999 之间")
    return count


def case_deliberate(*, case: Case, user, held_on, participants, result: str, minutes: str, today: dt.date | None = None) -> Case:
    """Records a 民主评议 and moves the case to 已民主评议; WorkflowError (Chinese) otherwise,
    nothing written."""
    day = today or clock.today()
    if case.category == "temp_assist" or case.kind != Case.Kind.APPLY:
        raise WorkflowError("临时救助和在保复核案件不经民主评议")
    CASE_WORKFLOW.check(case, "deliberate", user)
    if not in_use(case, day):
        raise WorkflowError("本县未组织民主评议，入户调查后直接公示")
    held, count = _date(held_on, day), _count(participants)
    if result not in Deliberation.Result.values:
        raise WorkflowError("请选择民主评议结果（同意、不同意或暂缓）")
    if not str(minutes or "").strip():
        raise WorkflowError("请填写民主评议记录（评议意见摘要）")
    last = latest(case) if case.state == S.DELIBERATED else None
    if last is not None and last.result == Deliberation.Result.AGREE:
        raise WorkflowError("民主评议已同意，请开始公示（不能重复登记）")
    label = Deliberation.Result(result).label
    text = str(minutes).strip()
    with transaction.atomic():
        moved = CASE_WORKFLOW.move(
            case,
            "deliberate",
            user,
            f"民主评议（{held:%Y-%m-%d}，{count} 人参加）：{label}。{text}"[:500],
            {"held_on": held.isoformat(), "participants": count, "result": result},
        )
        Deliberation.objects.create(
            case=moved, held_on=held, participants=count, result=result, minutes=text[:4000], recorded_by=user
        )
    return moved


def publicity_allowed(case: Case, day: dt.date) -> None:
    """Before 公示: a county that holds 民主评议 needs one with the result 同意."""
    if case.state == S.SURVEYED and in_use(case, day):
        raise WorkflowError("本县实行民主评议：请先登记民主评议结果（同意），再开始公示")
    if case.state == S.DELIBERATED:
        last = latest(case)
        if last is None or last.result != Deliberation.Result.AGREE:
            shown = last.get_result_display() if last else "—"
            raise WorkflowError(f"民主评议结果为“{shown}”，不能公示：可再次组织评议，或由审核确认人作出不予保障决定")


def offered(case: Case, actions: list[str], day: dt.date | None = None) -> list[str]:
    """The case page's buttons: 民主评议 only where it is held, 公示 only once it may start."""
    day = day or clock.today()
    out = list(actions)
    if "deliberate" in out:
        last = latest(case) if case.state == S.DELIBERATED else None
        if not in_use(case, day) or (last is not None and last.result == Deliberation.Result.AGREE):
            out.remove("deliberate")
    if "publicize" in out:
        try:
            publicity_allowed(case, day)
        except WorkflowError:
            out.remove("publicize")
    return out
