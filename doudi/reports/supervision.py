"""督导检查 (issue 18 item 6): inspections, findings handed over on the spot (现场交办) to a
责任单位 (a township, or a 股室 of the county) with a deadline, followed to 整改清零 on the one
workflow primitive (doudi/core/workflow.py):

  open (已交办) --progress (报告进展, text and/or files; stays open)--> open
  open --report (报整改, evidence required: text or files, the 责任单位 or the county)--> reported
  reported --close (整改清零, the county; not the one who reported)--> closed
  reported --reject (退回重改, reason required)--> open

Closing is refused without the rectification's evidence (text or a file). A finding without an
inspection is a 督办任务 (doudi/reports/tasks.py), on the same workflow. Also: 容错纠错 records (a wrongly
included person: unintentional? corrected in time? → 容错, or 追责 to look at as 人情保),
payroll runs sent after their due date (or overdue and not sent), and money held back
(滞留: approved by finance, not sent to the bank)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from doudi.core.models import AuditEntry, Region
from doudi.core.roles import INSPECT, RECTIFY, can
from doudi.core.scoping import in_scope, scope
from doudi.core.workflow import Log, Step, Workflow, WorkflowError
from doudi.payments import selectors as payments
from doudi.reports import evidence as evidence_files
from doudi.reports.models import Finding, FindingTransition, Inspection, WrongInclusion

S = Finding.State
FINDING_WORKFLOW = Workflow(
    noun="督导问题",
    model=Finding,
    log=Log(FindingTransition, "finding", reason_max=500),
    region_of=lambda f: f.region_id,
    steps={
        "progress": Step((S.OPEN,), S.OPEN, RECTIFY, "报告进展"),
        "report": Step((S.OPEN,), S.REPORTED, RECTIFY, "报送整改"),
        "close": Step((S.REPORTED,), S.CLOSED, INSPECT, "核验清零", not_by_who_entered=(S.REPORTED,)),
        "reject": Step((S.REPORTED,), S.OPEN, INSPECT, "退回重改", reason_required=True),
    },
    labels=lambda state: S(state).label if state in S.values else state,
)
TASK_WORKFLOW = dataclasses.replace(FINDING_WORKFLOW, noun="督办任务")


def workflow_of(finding: Finding) -> Workflow:
    """The same steps; only the noun in messages differs (督导问题 / 督办任务)."""
    return TASK_WORKFLOW if finding.is_task else FINDING_WORKFLOW


# 容错: corrected within this many days of being found counts as 及时纠正.
IN_TIME_DAYS = 30


class SupervisionError(ValueError):
    """Refused input; the message is for the user (Chinese)."""


def _date(value, what: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise SupervisionError(f"{what}「{value}」格式不对，应为 YYYY-MM-DD") from None


def _unit(user, code: str) -> Region:
    region = Region.objects.filter(code=str(code or "").strip()).first()
    if region is None or not in_scope(user, region.code):
        raise SupervisionError(f"区划「{code}」不存在或不在您的管辖范围内")
    if region.level not in (Region.Level.COUNTY, Region.Level.TOWNSHIP):
        raise SupervisionError("责任单位应为乡镇（街道）或县民政局股室")
    return region


# -- writes -------------------------------------------------------------------------------------
def inspection_create(*, user, region: str, held_on, inspectors: str, subject: str) -> Inspection:
    if not can(user, INSPECT):
        raise SupervisionError("您的角色无权登记督导检查")
    unit = _unit(user, region)
    day = _date(held_on, "检查日期")
    if day > timezone.localdate():
        raise SupervisionError("检查日期不能晚于今天")
    if not inspectors.strip() or not subject.strip():
        raise SupervisionError("请填写检查人员和检查内容")
    return Inspection.objects.create(
        region=unit, held_on=day, inspectors=inspectors.strip()[:100], subject=subject.strip()[:200], created_by=user
    )


def finding_create(*, user, inspection: Inspection, region: str, office: str = "", description: str, deadline) -> Finding:
    """现场交办: the problem, the 责任单位 (a township; or the county with its 股室) and the deadline."""
    if not can(user, INSPECT):
        raise SupervisionError("您的角色无权交办督导问题")
    unit = _unit(user, region)
    if unit.level == Region.Level.COUNTY and not office.strip():
        raise SupervisionError("责任单位为县民政局时须写明责任股室")
    if not description.strip():
        raise SupervisionError("请写明发现的问题")
    due = _date(deadline, "整改期限")
    if due < inspection.held_on:
        raise SupervisionError("整改期限不能早于检查日期")
    with transaction.atomic():
        finding = Finding.objects.create(
            inspection=inspection, region=unit, office=office.strip()[:40], description=description.strip()[:1000], deadline=due
        )
        FINDING_WORKFLOW.record(finding, user, S.OPEN, "现场交办", {"deadline": due.isoformat()}).save()
    return finding


def _move_with_files(finding: Finding, action: str, user, text: str, files, **fields) -> Finding:
    """One step with its evidence files: every file checked before anything is written; the
    step and the files' rows commit together (nothing half-written)."""
    checked = evidence_files.check(files)
    reason = text.strip()[:500] or f"上传佐证材料 {len(checked)} 份"
    with transaction.atomic():
        moved = workflow_of(finding).move(finding, action, user, reason=reason, **fields)
        if checked:
            evidence_files.store(moved, moved.transitions.order_by("-id").first(), user, checked)
    return moved


def finding_progress(*, user, finding: Finding, text: str, files=()) -> Finding:
    """报告进展: what has been done so far, with photos or papers; the finding stays open."""
    if not text.strip() and not files:
        raise WorkflowError("报告进展须写明进展情况或上传佐证材料")
    return _move_with_files(finding, "progress", user, text, files)


def finding_report(*, user, finding: Finding, evidence: str, files=(), today: dt.date | None = None) -> Finding:
    """报送整改 (完成): the rectification's account and/or its evidence files."""
    if not evidence.strip() and not files:
        raise WorkflowError("报送整改须写明整改情况或上传佐证材料（照片或 PDF）")
    day = today or timezone.localdate()
    fields = {"reported_on": day}
    if evidence.strip():
        fields["evidence"] = evidence.strip()
    return _move_with_files(finding, "report", user, evidence, files, **fields)


def has_evidence(finding: Finding) -> bool:
    return bool((finding.evidence or "").strip()) or finding.files.exists()


def finding_close(*, user, finding: Finding, reason: str = "", today: dt.date | None = None) -> Finding:
    """整改清零: refused without evidence of the rectification (its text or a file)."""
    if not has_evidence(finding):
        raise WorkflowError(f"没有整改佐证材料（情况说明或照片、PDF），不能{'办结' if finding.is_task else '整改清零'}")
    verb = "核验办结" if finding.is_task else "核验清零"
    return workflow_of(finding).move(finding, "close", user, reason=reason or verb, closed_on=today or timezone.localdate())


def finding_reject(*, user, finding: Finding, reason: str) -> Finding:
    return workflow_of(finding).move(finding, "reject", user, reason=reason)


def wrong_inclusion_record(*, user, person, found_on, description: str, unintentional: bool, corrected_on=None) -> WrongInclusion:
    """容错纠错: 容错 only when unintentional and corrected within IN_TIME_DAYS of being found."""
    if not can(user, INSPECT):
        raise SupervisionError("您的角色无权登记容错纠错")
    township = person.household.region_id[:9]
    if not in_scope(user, township):
        raise SupervisionError("该人员不在您的管辖范围内")
    found = _date(found_on, "发现日期")
    corrected = _date(corrected_on, "纠正日期") if corrected_on else None
    if corrected and corrected < found:
        raise SupervisionError("纠正日期不能早于发现日期")
    if not description.strip():
        raise SupervisionError("请写明错保情况")
    in_time = corrected is not None and (corrected - found).days <= IN_TIME_DAYS
    with transaction.atomic():
        record = WrongInclusion.objects.create(
            person=person,
            region_id=township,
            found_on=found,
            description=description.strip()[:500],
            unintentional=bool(unintentional),
            corrected_on=corrected,
            in_time=in_time,
            tolerated=bool(unintentional) and in_time,
            recorded_by=user,
        )
        AuditEntry.objects.create(
            user=user,
            role=getattr(user, "role", ""),
            action="create",
            entity="wrong_inclusion",
            entity_key=str(record.pk),
            household_code=person.household.code,
            reason="容错纠错登记",
            changes={"tolerated": record.tolerated},
        )
    return record


# -- reads (scoped) -------------------------------------------------------------------------------
def findings_for(user):
    return scope(Finding.objects.select_related("inspection", "region"), user, "region__code")


def finding_get(user, pk) -> Finding:
    found = findings_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有找到该督导问题，或不在您的管辖范围内")
    return found


def inspections_for(user):
    return scope(Inspection.objects.select_related("region"), user, "region__code")


def inspection_get(user, pk) -> Inspection:
    found = inspections_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有找到该督导检查，或不在您的管辖范围内")
    return found


def wrong_inclusions_for(user):
    return scope(WrongInclusion.objects.select_related("person", "region"), user, "region__code")


def late_runs(region_code: str, today: dt.date) -> list[dict]:
    """Runs sent after their due date, and runs past their due date not yet sent."""
    out = []
    for run in payments.runs_sent_annotated(region_code).filter(due__isnull=False).select_related("region").order_by("due"):
        sent = timezone.localtime(run.sent_at).date() if run.sent_at else None
        if sent and sent > run.due:
            out.append({"run": run, "sent": sent, "days": (sent - run.due).days, "status": "逾期发放"})
        elif not sent and today > run.due:
            out.append({"run": run, "sent": None, "days": (today - run.due).days, "status": "逾期未发放"})
    return out


def held_back(region_code: str, today: dt.date) -> list[dict]:
    """滞留: runs approved by finance and not sent to the bank."""
    runs = payments.runs_sent_annotated(region_code).filter(state="approved").select_related("region").order_by("due", "id")
    return [{"run": r, "days": (today - r.due).days if r.due and today > r.due else 0} for r in runs]
