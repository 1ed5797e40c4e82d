"""Payroll pages: the runs, one run with its control totals and lines, the workflow
buttons, the bank file and the return file. Thin: services do the work."""

from __future__ import annotations

import os
import tempfile
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from doudi.core import codes
from doudi.core.exports import MASKED, ExportMask, ExportMeta, export_response, list_page, xlsx_response
from doudi.core.jobs import job_start
from doudi.core.models import AuditEntry, Region
from doudi.core.permissions import require
from doudi.core.roles import BUILD_PAYROLL, VIEW_PAYROLL, Role, can
from doudi.core.scoping import in_scope
from doudi.payments import bankfiles, campaigns, ledger, params, selectors
from doudi.payments.forms import BuildForm, ReturnForm
from doudi.payments.models import PayrollRun
from doudi.payments.runs import PayrollError
from doudi.payments.workflow import RUN_WORKFLOW, TransitionRefused, run_transition

PAGE_SIZE = 50
LINE_HEADERS = [
    "乡镇",
    "发放对象",
    "姓名",
    "收款方",
    "收款人",
    "开户银行",
    "银行账号",
    "所属月份",
    "人数",
    "金额",
    "资金来源",
    "状态",
    "失败原因",
]


def item_label(item: str) -> str:
    return codes.CATEGORY_SHORT.get(item) or campaigns.label(item)


@require(VIEW_PAYROLL)
def run_list(request):
    return _run_list(request, BuildForm())


def _run_list(request, form: BuildForm, status: int = 200):
    """The list of runs with the build form: empty, or as typed when it was refused."""
    filters = {k: request.GET.get(k, "").strip() for k in ("period", "item", "state")}
    runs = selectors.runs_for(request.user).select_related("region")
    for key, field in (("period", "period"), ("item", "item"), ("state", "state")):
        if filters[key]:
            runs = runs.filter(**{field: filters[key]})
    runs = runs.order_by("-period", "item", "region_id")
    rows = (
        [r.period, item_label(r.item), r.region.name, r.get_state_display(), r.people, r.households, r.amount, r.due]
        for r in runs.iterator()
    )
    if request.GET.get("export") == "xlsx":
        states = dict(PayrollRun.State.choices)
        meta = ExportMeta(
            unit="元；人；户",
            user=request.user,
            sums=("人数", "户数"),
            filters=[
                ("期次", filters["period"]),
                ("发放项目", item_label(filters["item"]) if filters["item"] else ""),
                ("状态", states.get(filters["state"], filters["state"])),
            ],
        )
        return xlsx_response(
            "发放花名册.xlsx",
            "发放花名册",
            ["期次", "发放项目", "区划", "状态", "人数", "户数", "金额（元）", "应发放日期"],
            rows,
            meta,
        )
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    for run in page.object_list:
        run.label = item_label(run.item)
    return render(
        request,
        "payments/run_list.html",
        {
            "page": page,
            "filters": filters,
            "states": PayrollRun.State.choices,
            "form": form,
            "can_build": can(request.user, BUILD_PAYROLL) and _build_region(request.user) is not None,
        },
        status=status,
    )


def _build_region(user) -> str | None:
    """Runs are built for the user's own county or township."""
    code = user.scope_code
    if code == "":
        return None
    return code if code and len(code) in (6, 9) else None


@require_POST
@require(BUILD_PAYROLL)
def run_build(request):
    form = BuildForm(request.POST)
    region = _build_region(request.user)
    if region is None:
        messages.error(request, "您的管辖区划不能生成花名册（应为县或乡镇）")
        return redirect("payroll_list")
    if not form.is_valid():  # the list again, with what was typed and the reason next to the field
        return _run_list(request, form, status=400)
    data = form.cleaned_data
    job = job_start(
        kind="payroll",
        label=f"{data['period']} 发放花名册生成",
        target="doudi.payments.jobs:build_job",
        params={
            "period": data["period"],
            "category": data["category"],
            "through": data["through"] or "",
            "region": region,
            "user_id": request.user.pk,
        },
        user=request.user,
    )
    return redirect("job_detail", pk=job.pk)


@require(VIEW_PAYROLL)
def run_detail(request, pk):
    run = selectors.run_get(request.user, pk)
    filters = {k: request.GET.get(k, "").strip() for k in ("township", "status", "q", "sort")}
    lines = selectors.run_lines(request.user, run, **filters)
    scoped = selectors.lines_for(request.user).filter(run=run)
    townships = Region.objects.filter(code__in=scoped.values("township").distinct()).order_by("code")
    statuses = dict(bankfiles.PaymentLine.Status.choices)
    meta = ExportMeta(
        unit="元",
        user=request.user,
        sums=("人数",),
        filters=[
            ("区划", run.region.name),
            ("乡镇", next((t.name for t in townships if t.code == filters["township"]), filters["township"])),
            ("状态", statuses.get(filters["status"], filters["status"])),
            ("查询", filters["q"]),
        ],
    )
    title = f"{item_label(run.item)} {run.period} 发放明细"
    if request.GET.get("export") == "xlsx":
        return export_response(
            request, f"花名册明细_{run.period}.xlsx", title, LINE_HEADERS, lambda mask: _line_rows(lines, mask), meta
        )
    page = list_page(request, lines.select_related(None), PAGE_SIZE)
    page.object_list = list(page.object_list)
    for line in page.object_list:
        line.holder_shown = MASKED.holder(line.holder_key)  # an ID number masked, a household code as it is
    acting = in_scope(request.user, run.region_id)
    allowed = RUN_WORKFLOW.allowed(run, request.user)
    return render(
        request,
        "payments/run_detail.html",
        {
            "run": run,
            "label": item_label(run.item),
            "filters": filters,
            "page": page,
            "meta": meta,
            "print_title": title,
            "count_unit": "笔",
            "totals": ledger.control_totals(scoped),
            "transitions": _transitions(run),
            "townships": townships,
            "statuses": bankfiles.PaymentLine.Status.choices,
            "can_check": "check" in allowed,
            "can_approve": "approve" in allowed,
            "can_send": "send" in allowed,
            "second_person": _second_person_note(run, request.user, allowed),
            "can_file": acting and can(request.user, BUILD_PAYROLL) and run.state in ("sent", "reconciled"),
            "can_return": acting and can(request.user, BUILD_PAYROLL) and run.state == "sent",
            "layouts": bankfiles.layouts(),
            "return_form": ReturnForm(),
            "returns": run.bank_returns.all(),
            "bad_accounts": _bad_accounts(scoped) if run.state in ("draft", "checked", "approved") else 0,
        },
    )


def _second_person_note(run, user, allowed) -> str:
    """Why a user who may act on this run in general cannot take its next step (maker-checker)."""
    step = {"draft": "check", "checked": "approve"}.get(run.state)
    if step is None or step in allowed or not can(user, RUN_WORKFLOW.steps[step].permission):
        return ""
    return f"您已办理过该花名册的上一环节，须由另一人{RUN_WORKFLOW.steps[step].verb}（经办与审核分离）。"


def _transitions(run):
    states = dict(PayrollRun.State.choices)
    for t in run.transitions.select_related("user"):
        t.role_label = Role(t.role).label if t.role in Role.values else t.role
        t.from_label, t.to_label = states.get(t.from_state, "—"), states.get(t.to_state, t.to_state)
        yield t


def _bad_accounts(lines) -> int:
    """Lines whose card would be refused at sending: shown before approval so they get fixed."""
    pending = lines.filter(status="pending").exclude(payee__in=bankfiles.OFF_BANK).values_list("bank_account", flat=True)
    return sum(1 for account in pending.iterator(chunk_size=20000) if not bankfiles.valid_account(account))


def _line_rows(lines, mask: ExportMask):
    """As the run page shows them: the holder's ID number and the account masked."""
    for line in lines.iterator(chunk_size=5000):
        yield [
            line.township,
            mask.holder(line.holder_key),
            line.name,
            line.get_payee_display(),
            line.payee_name,
            line.bank_name,
            mask.account(line.bank_account),
            line.month,
            line.people,
            line.amount,
            params.FUND_LABELS.get(line.fund, line.fund),
            line.get_status_display(),
            line.failure,
        ]


@require_POST
@require(VIEW_PAYROLL)
def run_action(request, pk, action):
    run = selectors.run_get(request.user, pk)
    try:
        if action == "send":
            outcome = bankfiles.bank_send(run=run, user=request.user)
            messages.success(request, f"已报送银行。{outcome['failed_account']} 笔因银行账号校验不通过未报送，将在下期补发。")
        else:
            run_transition(run=run, action=action, user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "操作成功。")
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    return redirect("payroll_detail", pk=run.pk)


@require(BUILD_PAYROLL)
def run_bank_file(request, pk, layout):
    run = selectors.run_get(request.user, pk)
    if not in_scope(request.user, run.region_id):
        messages.error(request, "该花名册不在您的管辖范围内")
        return redirect("payroll_detail", pk=run.pk)
    with tempfile.NamedTemporaryFile(delete=False) as handle:
        path = handle.name
    try:
        name = bankfiles.bank_file(run=run, layout=layout, target=path)
    except PayrollError as exc:
        os.unlink(path)
        messages.error(request, str(exc))
        return redirect("payroll_detail", pk=run.pk)
    # The file holds full account numbers: every download is on the audit trail.
    AuditEntry.objects.create(
        user=request.user,
        role=request.user.role,
        action="create",
        entity="bank_file",
        entity_key=str(run.pk),
        changes={"layout": layout, "file": name},
        reason="导出一卡通代发文件",
    )
    response = FileResponse(open(path, "rb"), as_attachment=True)
    os.unlink(path)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@require_POST
@require(BUILD_PAYROLL)
def run_return(request, pk):
    run = selectors.run_get(request.user, pk)
    form = ReturnForm(request.POST, request.FILES)
    if not form.is_valid() or not in_scope(request.user, run.region_id):
        messages.error(
            request, "请选择文件格式和回盘文件" if in_scope(request.user, run.region_id) else "该花名册不在您的管辖范围内"
        )
        return redirect("payroll_detail", pk=run.pk)
    upload = form.cleaned_data["file"]
    try:
        result = bankfiles.return_import(
            run=run, layout=form.cleaned_data["layout"], name=upload.name, content=upload.read(), user=request.user
        )
    except bankfiles.ReturnRejected as exc:
        for error in exc.errors[:20]:
            messages.error(request, error)
        messages.error(request, "回盘文件未导入，花名册没有任何改动。")
    else:
        messages.success(
            request, f"回盘已导入：成功 {result['paid']} 笔，失败 {result['failed']} 笔；失败的将在下期花名册中补发。"
        )
    return redirect("payroll_detail", pk=run.pk)
