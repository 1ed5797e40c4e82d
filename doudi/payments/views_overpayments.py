"""多发追回 pages: the list (state filter incl. 待核销审批, totals of 多发/追回/核销/未追回, Excel,
print), one overpayment with its history (recoveries and write-off steps), recovery and the
write-off (核销: proposed by one person, approved by another). Thin: ledger.py and
writeoff.py write, selectors.py and reports.py read (scoped)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from doudi.core.exports import ExportMeta, export_response
from doudi.core.permissions import require
from doudi.core.roles import BUILD_PAYROLL, VIEW_PAYROLL, can
from doudi.core.workflow import WorkflowError
from doudi.payments import ledger, reports, selectors, writeoff
from doudi.payments.forms import RecoveryForm, WriteOffDecideForm, WriteOffProposeForm
from doudi.payments.models import Overpayment
from doudi.payments.runs import PayrollError
from doudi.payments.views import item_label
from doudi.payments.views_funds import _scope_words


@require(VIEW_PAYROLL)
def overpayment_list(request):
    state = request.GET.get("state", "").strip()
    records = selectors.overpayments_for(request.user)
    if state in Overpayment.State.values:
        records = records.filter(state=state)
    records = records.order_by("state", "-created_at")
    if request.GET.get("export") == "xlsx":
        return export_response(
            request,
            "多发待追回.xlsx",
            "多发待追回",
            reports.OVERPAYMENT_HEADERS,
            lambda mask: reports.overpayment_export(records, item_label, mask),
            ExportMeta(
                unit="元",
                user=request.user,
                filters=_scope_words(request.user) + [("状态", dict(Overpayment.State.choices).get(state, ""))],
            ),
        )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/overpayments.html",
        {
            "page": page,
            "form": RecoveryForm(),
            "can_recover": can(request.user, BUILD_PAYROLL),
            "states": Overpayment.State.choices,
            "state": state,
            "totals": reports.overpayment_totals(records),
        },
    )


@require(VIEW_PAYROLL)
def overpayment_detail(request, pk):
    record = selectors.overpayment_get(request.user, pk)
    actions = writeoff.actions_for(record, request.user)
    return render(
        request,
        "payments/overpayment_detail.html",
        {
            "o": record,
            "open": writeoff.open_amount(record),
            "history": _history(record),
            "actions": actions,
            "can_recover": can(request.user, BUILD_PAYROLL) and record.state not in ("recovered", "waived"),
            "propose_form": WriteOffProposeForm(),
            "decide_form": WriteOffDecideForm(),
        },
    )


def _history(record: Overpayment) -> list[dict]:
    """Recoveries and write-off steps in the order they happened."""
    labels = dict(Overpayment.State.choices)
    rows = [
        {"at": r.at, "user": r.user, "what": f"追回 {r.amount} 元", "note": r.note}
        for r in record.recoveries.select_related("user").order_by("id")
    ]
    for t in writeoff.WRITE_OFF_WORKFLOW.history(record).select_related("user"):
        what = f"{labels.get(t.from_state, '登记')} → {labels.get(t.to_state, t.to_state)}"
        if t.data.get("written_off"):
            what += f"（核销 {t.data['written_off']} 元）"
        elif t.data.get("open"):
            what += f"（申请核销 {t.data['open']} 元）"
        note = t.reason + (f"；文号：{t.data['ref']}" if t.data.get("ref") else "")
        rows.append({"at": t.at, "user": t.user, "what": what, "note": note})
    return sorted(rows, key=lambda row: row["at"])


def _back(record: Overpayment):
    return redirect(reverse("overpayment_detail", args=[record.pk]))


@require_POST
@require(BUILD_PAYROLL)
def overpayment_recover(request, pk):
    record = selectors.overpayment_get(request.user, pk)
    form = RecoveryForm(request.POST)
    if form.is_valid():
        try:
            ledger.recovery_record(
                overpayment=record, amount=form.cleaned_data["amount"], user=request.user, note=form.cleaned_data["note"]
            )
            messages.success(request, "已登记追回。")
        except PayrollError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "追回金额应大于 0")
    if request.POST.get("next") == "detail":
        return _back(record)
    return redirect("overpayment_list")


@require_POST
@require(BUILD_PAYROLL)
def overpayment_writeoff(request, pk, action):
    """申请核销 (propose), 审批核销 (approve) or 退回 (return) — the workflow decides who may."""
    record = selectors.overpayment_get(request.user, pk)
    try:
        if action == "propose":
            form = WriteOffProposeForm(request.POST)
            if not form.is_valid():
                raise WorkflowError("申请核销须写明原因")
            done = writeoff.writeoff_propose(
                overpayment=record, user=request.user, reason=form.cleaned_data["reason"], ref=form.cleaned_data["ref"]
            )
            messages.success(request, f"已申请核销 {writeoff.open_amount(done)} 元，待另一人审批。")
        elif action == "approve":
            form = WriteOffDecideForm(request.POST)
            data = form.cleaned_data if form.is_valid() else {"note": "", "ref": ""}
            done = writeoff.writeoff_approve(overpayment=record, user=request.user, note=data["note"], ref=data["ref"])
            messages.success(request, f"已审批核销，累计核销 {done.written_off} 元。")
        elif action == "return":
            form = WriteOffDecideForm(request.POST)
            reason = form.cleaned_data["note"] if form.is_valid() else ""
            writeoff.writeoff_return(overpayment=record, user=request.user, reason=reason)
            messages.success(request, "已退回核销申请。")
        else:
            messages.error(request, "未知操作")
    except WorkflowError as exc:
        messages.error(request, str(exc))
    return _back(record)
