"""Writes for data comparison and warnings: store a comparison run, record a door-to-door
check, confirm (stop the benefit) or dismiss a warning. Every status change is an
append-only WarningTransition (who, role, from, to, why, when)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from doudi.core import uploads
from doudi.core.roles import HANDLE_WARNINGS, can
from doudi.core.scoping import in_scope
from doudi.core.workflow import Log, Step, Workflow, WorkflowError
from doudi.monitoring.models import ComparisonRun, VisitPhoto, Warning, WarningTransition, WarningVisit
from doudi.monitoring.rules import RULES
from doudi.monitoring.runner import Finding, compute_findings

ENGINES = ("duckdb", "spark")
MAX_PHOTO_BYTES = 8 * 1024 * 1024
W = Warning.Status
WARNING_WORKFLOW = Workflow(
    noun="预警",
    model=Warning,
    state_field="status",
    steps={
        "check": Step((W.OPEN,), W.CHECKING, HANDLE_WARNINGS, "登记核查"),
        "confirm": Step((W.OPEN, W.CHECKING), W.CONFIRMED, HANDLE_WARNINGS, "确认", reason_required=True),
        "dismiss": Step((W.OPEN, W.CHECKING), W.DISMISSED, HANDLE_WARNINGS, "排除", reason_required=True),
    },
    log=Log(WarningTransition, "warning", "from_status", "to_status", reason_max=500),
    region_of=lambda warning: warning.region_code,
    labels=lambda status: W(status).label,
)


class ComparisonError(Exception):
    """A reason the comparison cannot run, in Chinese, for the person who asked."""


def comparison_check(*, as_of, engine: str) -> dt.date:
    """The as-of date, or ComparisonError: unknown engine, future date, no datasets."""
    from doudi.datasets.models import DatasetImport

    if engine not in ENGINES:
        raise ComparisonError(f"未知的计算引擎「{engine}」，应为 duckdb 或 spark")
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            raise ComparisonError(f"比对日期「{as_of}」格式不对，应为 YYYY-MM-DD") from None
    if as_of > timezone.localdate():
        raise ComparisonError(f"比对日期 {as_of} 晚于今天，不能比对未来的日期")
    if not DatasetImport.objects.filter(as_of__lte=as_of).exists():
        raise ComparisonError(
            f"尚未导入截至 {as_of} 或更早的部门数据，请先运行 doudi import dataset KIND FILE --as-of YYYY-MM-DD"
        )
    return as_of


def comparison_run(
    *, as_of, engine: str = "duckdb", user=None, region_code: str = "", progress=None, spark_session=None
) -> tuple[ComparisonRun, list[Finding]]:
    """Runs every rule, stores the warnings; returns the run and the findings it reports
    (new or still open; a finding whose evidence was already dismissed or confirmed is left out)."""
    as_of = comparison_check(as_of=as_of, engine=engine)
    started = timezone.now()
    findings, inputs = compute_findings(
        as_of=as_of, engine_name=engine, region_code=region_code, progress=progress, spark_session=spark_session
    )
    with transaction.atomic():
        run = ComparisonRun.objects.create(
            as_of=as_of,
            engine=engine,
            region_code=region_code,
            started_at=started,
            user=user if getattr(user, "pk", None) else None,
            inputs=inputs,
        )
        kept, counts = _store(run, findings, user)
        run.counts, run.finished_at = counts, timezone.now()
        run.save(update_fields=["counts", "finished_at"])
    return run, kept


def _prior(findings: list[Finding]) -> dict[tuple[str, int], list[Warning]]:
    prior: dict[tuple[str, int], list[Warning]] = {}
    ids = sorted({f.person_id for f in findings})
    for start in range(0, len(ids), 5000):
        for warning in Warning.objects.filter(person_id__in=ids[start : start + 5000]).order_by("id"):
            prior.setdefault((warning.rule, warning.person_id), []).append(warning)
    return prior


def _store(run: ComparisonRun, findings: list[Finding], user) -> tuple[list[Finding], dict]:
    prior = _prior(findings)
    counts = {code: {"found": 0, "new": 0, "open": 0, "suppressed": 0} for code in RULES}
    kept, new, refreshed = [], [], []
    deadlines = _DeadlineDays(run.as_of)
    today = timezone.localdate()
    for finding in findings:
        count = counts[finding.rule]
        count["found"] += 1
        if finding.person_id < 0:
            # A monitored person not in the register (missed_monitoring): written to the
            # comparison's output file and counted, but a warning needs a register person
            # to be handled on, so none is stored (docs/monitoring.md).
            count["outside_register"] = count.get("outside_register", 0) + 1
            kept.append(finding)
            continue
        earlier = prior.get((finding.rule, finding.person_id), [])
        active = next((w for w in earlier if w.is_active), None)
        if active is not None:
            active.level, active.detail, active.fingerprint, active.last_run = (
                finding.level,
                finding.detail,
                finding.fingerprint,
                run,
            )
            refreshed.append(active)
            count["open"] += 1
        elif any(w.fingerprint == finding.fingerprint for w in earlier):
            count["suppressed"] += 1
            continue
        else:
            new.append(
                Warning(
                    rule=finding.rule,
                    person_id=finding.person_id,
                    household_id=finding.household_id,
                    region_code=finding.village,
                    township_code=finding.township,
                    level=finding.level,
                    detail=finding.detail,
                    fingerprint=finding.fingerprint,
                    first_run=run,
                    last_run=run,
                    deadline=today + dt.timedelta(days=deadlines.get(finding.county, finding.level)),
                )
            )
            count["new"] += 1
        kept.append(finding)
    Warning.objects.bulk_update(refreshed, ["level", "detail", "fingerprint", "last_run"], batch_size=1000)
    Warning.objects.bulk_create(new, batch_size=1000)
    WarningTransition.objects.bulk_create(
        [WARNING_WORKFLOW.record(w, user, w.status, f"数据比对发现（截至 {run.as_of}）", {"run": run.pk}) for w in new],
        batch_size=1000,
    )
    return kept, counts


class _DeadlineDays:
    """Days allowed for the check, by level, from each county's dated parameters."""

    def __init__(self, as_of: dt.date):
        self.as_of, self.cache = as_of, {}

    def get(self, county: str, level: str) -> int:
        from doudi.rules.policy import load_policy

        if county not in self.cache:
            self.cache[county] = load_policy(county[:2]).resolve(county, self.as_of)
        return int(self.cache[county][f"compare.deadline_days.{level}"].value)


def _guard(user, warning: Warning) -> None:
    """Role and region first (a 403, not a form error); each move checks them again."""
    if not can(user, HANDLE_WARNINGS) or not in_scope(user, warning.region_code):
        raise PermissionError("您的角色或管辖范围无权处理该预警")


def _photo_type(upload) -> str:
    try:
        return uploads.sniff(upload, max_bytes=MAX_PHOTO_BYTES, what="照片")[0]
    except uploads.UploadRefused as exc:
        raise WorkflowError(str(exc)) from None


def warning_visit_record(*, warning: Warning, user, visited_on: dt.date, notes: str, photos=()) -> WarningVisit:
    """Records a 入户核查 with notes and photos; an open warning becomes 核查中."""
    _guard(user, warning)
    if not warning.is_active:
        raise WorkflowError("该预警已办结，不能再登记核查")
    if not notes.strip():
        raise WorkflowError("请填写核查情况")
    if visited_on > timezone.localdate():
        raise WorkflowError("核查日期不能晚于今天")
    kinds = [_photo_type(p) for p in photos]
    with transaction.atomic():
        visit = WarningVisit.objects.create(warning=warning, visited_on=visited_on, visitor=user, role=user.role, notes=notes)
        for upload, kind in zip(photos, kinds):
            VisitPhoto.objects.create(visit=visit, file=upload, content_type=kind, size=upload.size)
        if warning.status == Warning.Status.OPEN:
            WARNING_WORKFLOW.move(warning, "check", user, "登记入户核查", {"visit": visit.pk})
    return visit


def warning_dismiss(*, warning: Warning, user, reason: str) -> Warning:
    """Dismissed with a reason; the same evidence will not raise it again."""
    _guard(user, warning)
    if not reason.strip():
        raise WorkflowError("排除预警必须填写原因")
    with transaction.atomic():
        WARNING_WORKFLOW.move(warning, "dismiss", user, reason, {}, closed_at=timezone.now(), outcome_note=reason[:500])
    return warning


BULK_ACTIONS = {"check": "登记核查（已安排入户）", "dismiss": "排除（核实无问题）"}
BULK_MAX = 500


def warnings_bulk(*, user, ids, action: str, reason: str) -> int:
    """批量处理 (issue 13 item 3): one step for the chosen warnings, all or none. 确认 is not
    offered in bulk: it needs each household's benefits and a stop date."""
    if action not in BULK_ACTIONS:
        raise WorkflowError("请选择批量处理的方式")
    try:
        ids = sorted({int(i) for i in ids})
    except (TypeError, ValueError):
        raise WorkflowError("所选预警编号有误，请刷新页面后重新选择") from None
    if not ids:
        raise WorkflowError("请先勾选要处理的预警")
    if len(ids) > BULK_MAX:
        raise WorkflowError(f"一次最多批量处理 {BULK_MAX} 条预警")
    reason = (reason or "").strip()
    if action == "dismiss" and not reason:
        raise WorkflowError("批量排除预警必须填写原因")
    warnings = list(Warning.objects.filter(pk__in=ids))
    if len(warnings) != len(ids):
        raise WorkflowError("所选预警有的已不存在，请刷新页面后重新选择")
    refused = []
    for warning in warnings:
        _guard(user, warning)
        try:
            WARNING_WORKFLOW.check(warning, action, user, reason or "批量")
        except WorkflowError as exc:
            refused.append(f"编号 {warning.pk}：{exc}")
    if refused:
        raise WorkflowError("所选预警均未处理。" + "；".join(refused[:5]) + ("等" if len(refused) > 5 else ""))
    fields = {"closed_at": timezone.now(), "outcome_note": reason[:500]} if action == "dismiss" else {}
    with transaction.atomic():
        return WARNING_WORKFLOW.move_many(warnings, action, user, reason or "批量登记核查", **fields)


def warning_confirm(*, warning: Warning, user, outcome: str, reason: str, benefits=(), stop_on: dt.date | None = None) -> Warning:
    """Confirmed after the check. outcome "stop" ends the chosen benefits (registry
    service, audited) and records the overpayment where the payments app offers it."""
    from doudi.registry.services import benefit_stop

    _guard(user, warning)
    if outcome not in Warning.Outcome.values:
        raise WorkflowError("请选择处理结果")
    if not reason.strip():
        raise WorkflowError("确认预警必须填写处理说明")
    benefits = list(benefits)
    if outcome == Warning.Outcome.STOP and not benefits:
        raise WorkflowError("停发待遇时请至少选择一项待遇")
    stop_on = stop_on or timezone.localdate()
    if any(b.household_id != warning.household_id or (b.until is not None and b.until <= stop_on) for b in benefits):
        raise WorkflowError("只能停发该户当前享受的待遇")
    label = RULES[warning.rule].name
    with transaction.atomic():
        for benefit in benefits if outcome == Warning.Outcome.STOP else ():
            benefit_stop(benefit=benefit, until=stop_on, reason=f"预警确认（{label}）：{reason}", user=user)
        data = {"benefits": [b.pk for b in benefits], "stop_on": stop_on.isoformat()}
        if outcome == Warning.Outcome.STOP:
            data["overpayment"] = _record_overpayment(warning, benefits, user, reason, stop_on)
        WARNING_WORKFLOW.move(
            warning, "confirm", user, reason, data, outcome=outcome, outcome_note=reason[:500], closed_at=timezone.now()
        )
    return warning


def _record_overpayment(warning: Warning, benefits, user, reason: str, stop_on: dt.date):
    """For a confirmed death, what was paid after it, per stopped benefit that pays money
    (an unpaid status such as 低收入人口 has nothing overpaid), through the stop month: the
    lines doudi sent, else the benefit's monthly amount; a household benefit counts the dead
    member's share, as the comparison rule does (so the record says what the warning said)."""
    from doudi.core import months
    from doudi.payments.ledger import overpayment_record
    from doudi.payments.runs import PayrollError

    death = warning.detail.get("death_date")
    if warning.rule != "deceased" or not death or not benefits:
        return None
    after_death = months.add(months.of(dt.date.fromisoformat(death)), 1)
    members = warning.household.members.count() if warning.household_id else 1
    records = []
    try:
        for benefit in benefits:
            if benefit.monthly_amount <= 0:
                continue
            first = max(after_death, months.of(benefit.since))
            records.append(
                overpayment_record(
                    person=warning.person,
                    category=benefit.category,
                    from_month=first,
                    through_month=months.of(stop_on),
                    monthly=benefit.monthly_amount,
                    members=members if benefit.person_id is None else 1,
                    reason=f"预警确认：{reason}",
                    user=user,
                )
            )
    except PayrollError as exc:
        raise WorkflowError(str(exc)) from None
    return [{"overpayment": r.pk, "category": r.category, "amount": str(r.amount)} for r in records]
