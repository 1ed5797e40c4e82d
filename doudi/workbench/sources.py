"""What waits for whom, area by area, from each app's own (scoped) selectors. The workbench
sits above every app, so it may import them; no app imports the workbench except to call
`notifications.notify` or `todo.add_source`."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from doudi.core.roles import (
    APPROVE_PAYROLL,
    ASSESS,
    BUILD_PAYROLL,
    DRAW_RESERVE,
    EDIT_REGISTRY,
    HANDLE_PROBLEMS,
    HANDLE_WARNINGS,
    IMPORT_REGISTRY,
    PROCESS_CASES,
    RECORD_VISIT,
    VIEW_PAYROLL,
    can,
)
from doudi.workbench.todo import Item, add_source

LEDGER, ASSESSMENT, MONEY, FINDING = "台账", "认定", "资金", "比对预警"
REPORTS = "报表与督导"


def payroll(user, today: dt.date) -> list[Item]:
    """Runs to check (county staff, not the builder) and to approve (finance, not the checker)."""
    if not (can(user, BUILD_PAYROLL) or can(user, APPROVE_PAYROLL)):
        return []
    from doudi.payments.selectors import runs_waiting

    waiting = runs_waiting(user)
    items = []
    for action, label, state, hint in (
        ("check", "待复核的发放花名册", "draft", "经办与复核分离：不含您本人生成的"),
        ("approve", "待财政审批的发放花名册", "checked", "经办与审批分离：不含您本人复核的"),
    ):
        runs = waiting[action]
        url = reverse("payroll_detail", args=[runs[0].pk]) if len(runs) == 1 else f"{reverse('payroll_list')}?state={state}"
        items.append(Item(label, len(runs), url, hint=hint))
    return items


def bank_returns(user, today: dt.date) -> list[Item]:
    """Payments the bank returned as failed, to check the account before the next run pays again."""
    if not (can(user, VIEW_PAYROLL) and can(user, EDIT_REGISTRY)):
        return []
    from doudi.payments.selectors import failed_lines_waiting

    failed = failed_lines_waiting(user)
    count = failed.count()
    if not count:
        return []
    run = failed.order_by("-run_id").values_list("run_id", flat=True).first()
    return [
        Item(
            "银行回盘发放失败",
            count,
            f"{reverse('payroll_detail', args=[run])}?status=failed",
            urgent=True,
            hint="请核对银行账号，下期花名册将补发",
        )
    ]


def reserve_checks(user, today: dt.date) -> list[Item]:
    """临时救助备用金 entries waiting for a second person, for those who may confirm them (not their own)."""
    if not can(user, DRAW_RESERVE):
        return []
    from doudi.payments.selectors import reserve_waiting

    count = len(reserve_waiting(user))
    return [Item("备用金待复核", count, f"{reverse('reserve')}#reserve-waiting", hint="经办与审核分离：不含您本人登记的")]


def writeoffs(user, today: dt.date) -> list[Item]:
    """Overpayment write-offs waiting for approval, for county users who may approve them (not the proposer)."""
    if not can(user, BUILD_PAYROLL):
        return []
    from doudi.payments.selectors import writeoffs_waiting

    count = len(writeoffs_waiting(user))
    return [Item("多发款项待核销审批", count, f"{reverse('overpayment_list')}?state=writeoff", hint="不含您本人申请的")]


def warnings(user, today: dt.date) -> list[Item]:
    if not can(user, HANDLE_WARNINGS):
        return []
    from doudi.monitoring.selectors import overdue_count, warning_search

    url = reverse("warning_list")
    return [
        Item("已超过核查期限的预警", overdue_count(user), f"{url}?age=overdue", urgent=True),
        Item("7天内到期的预警", warning_search(user, age="7").count(), f"{url}?age=7"),
    ]


def evaluations(user, today: dt.date) -> list[Item]:
    """Findings of the latest finished batch evaluation in the user's part of it."""
    if not (can(user, ASSESS) and can(user, EDIT_REGISTRY)):
        return []
    from doudi.assessment.models import EvaluationRun
    from doudi.assessment.selectors import differences_for, runs_visible

    run = runs_visible(user).filter(status=EvaluationRun.Status.DONE).order_by("-started_at", "-id").first()
    if run is None:
        return []
    return [
        Item(
            f"{run.month} 批量评估发现的差异",
            differences_for(user, run).count(),
            reverse("assessment:evaluation_detail", args=[run.pk]),
            hint="应新增、应停止或应调整金额，请核实后处理",
        )
    ]


def pending_benefits(user, today: dt.date) -> list[Item]:
    """New or higher benefits from township imports, waiting for the county to confirm."""
    from doudi.registry.models import PendingBenefitChange
    from doudi.registry.selectors import pending_benefits_for

    if not (can(user, IMPORT_REGISTRY) and PendingBenefitChange.may_decide(user)):
        return []
    count = pending_benefits_for(user).filter(status=PendingBenefitChange.Status.PENDING).count()
    return [Item("待县级确认的保障", count, reverse("import_pending"))]


def cases(user, today: dt.date) -> list[Item]:
    if not can(user, PROCESS_CASES):
        return []
    from doudi.cases.selectors import tab_counts

    counts = tab_counts(user)
    url = reverse("cases:queue")
    return [
        Item("已逾期的案件", counts.get("overdue", 0), f"{url}?tab=overdue", urgent=True),
        Item("待我办理的案件", counts.get("mine", 0), f"{url}?tab=mine"),
        Item("即将到期的案件", counts.get("soon", 0), f"{url}?tab=soon"),
        Item("新受理的案件", counts.get("new", 0), f"{url}?tab=new"),
    ]


def visits(user, today: dt.date) -> list[Item]:
    """Visits due today or overdue (helpers and townships: a county's whole list is its townships' work)."""
    if not can(user, RECORD_VISIT) or len(getattr(user, "scope_code", None) or "") < 9:
        return []
    from doudi.care.duties import DUE, OVERDUE
    from doudi.care.selectors import duty_list

    duties = duty_list(user, today=today)
    url = reverse("care:duties")
    return [
        Item("逾期未访", sum(1 for d in duties if d.status == OVERDUE), url, urgent=True),
        Item("今日应访", sum(1 for d in duties if d.status == DUE), url),
    ]


def problems(user, today: dt.date) -> list[Item]:
    if not can(user, HANDLE_PROBLEMS):
        return []
    from doudi.care.selectors import problem_search

    open_problems = list(problem_search(user, state="active").values_list("deadline", flat=True))
    url = f"{reverse('care:problems')}?state=active"
    return [
        Item("已超过办结期限的走访问题", sum(1 for d in open_problems if d and d < today), url, urgent=True),
        Item("未解决的走访问题", len(open_problems), url),
    ]


def agreements(user, today: dt.date) -> list[Item]:
    """分散特困 without a valid 照料服务协议, and agreements about to expire (care decides who sees them)."""
    from doudi.care.agreements import reminders

    return [Item(r["label"], r["count"], r["url"], urgent=r["urgent"], hint=r["hint"]) for r in reminders(user, today)]


def reports_due(user, today: dt.date) -> list[Item]:
    """Reports, supervision findings and 督办任务 due soon or overdue (reports decides who sees
    them); the day's reminders are notified once (reports cannot import the workbench)."""
    from doudi.reports.reminders import todo
    from doudi.workbench.notifications import notify

    return [Item(r["label"], r["count"], r["url"], urgent=r["urgent"], hint=r["hint"]) for r in todo(user, today, notify)]


def register() -> None:
    for order, area, source in (
        (10, LEDGER, pending_benefits),
        (15, LEDGER, visits),
        (16, LEDGER, problems),
        (17, LEDGER, agreements),
        (20, ASSESSMENT, cases),
        (25, ASSESSMENT, evaluations),
        (40, FINDING, warnings),
        (50, MONEY, payroll),
        (55, MONEY, bank_returns),
        (56, MONEY, reserve_checks),
        (57, MONEY, writeoffs),
        (60, REPORTS, reports_due),
    ):
        add_source(order, area, source)
