"""临时救助 pages: receive at the place of the emergency, the case page's 临时救助 actions
(先行救助, 报县级, 批准, 一事一议, 材料补齐), the township's 台账 (person-times and amounts by
cause and tier), the 先行 list still missing papers and the 一事一议 list — each exportable
(ID numbers masked) and printable; a 未参保失业人员 warning opened as a case. Thin: reads
through selectors (scoped: another region is a 404), writes through doudi/cases/temp.py."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from doudi.cases import clock, selectors, services, temp, temp_pay
from doudi.cases.forms import TempApplyForm
from doudi.cases.models import TempAssist
from doudi.cases.workflow import WorkflowError
from doudi.core import months
from doudi.core.exports import ExportMask, export_response
from doudi.core.models import Region
from doudi.core.permissions import require
from doudi.core.roles import BUILD_PAYROLL, HANDLE_WARNINGS, PROCESS_CASES, RECEIVE_CASES, VIEW_CASES, can
from doudi.core.scoping import in_scope


def _money(value) -> str:
    return f"{value:.2f}" if value is not None else ""


@require(RECEIVE_CASES)
def apply(request):
    scope = (request.user.scope_code or "")[:6]
    villages = Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=scope).select_related("parent")
    form = TempApplyForm(request.POST or None, villages=villages, initial={"incident_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in form.cleaned_data.items()}
        try:
            case = temp.temp_receive(user=request.user, data=data)
        except services.ApplicationRefused as refused:
            for field, message in refused.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except services.DuplicateApplication as duplicate:
            messages.error(request, str(duplicate))
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已受理临时救助申请，案件编号 {case.number}")
            if in_scope(request.user, case.region_id):
                return redirect("cases:detail", number=case.number)
            return redirect("cases:temp_register")
    return render(request, "cases/temp_apply.html", {"form": form})


def _act(action: str, case, user, post):
    runs = {
        "advance": lambda: temp.temp_advance(case=case, user=user, amount=post.get("amount"), reason=post.get("reason", "")),
        "refer": lambda: temp.temp_refer(case=case, user=user, reason=post.get("reason", "")),
        "grant": lambda: temp.temp_grant(
            case=case,
            user=user,
            amount=post.get("amount"),
            tier=post.get("tier", ""),
            paid_by=post.get("paid_by", ""),
            reason=post.get("reason", ""),
            in_kind=post.get("in_kind", ""),
            in_kind_value=post.get("in_kind_value"),
            bank_name=post.get("bank_name", ""),
            bank_account=post.get("bank_account", ""),
        ),
        "account": lambda: temp_pay.account_set(
            case=case, user=user, bank_name=post.get("bank_name", ""), bank_account=post.get("bank_account", "")
        ),
        "complete": lambda: temp.temp_complete(case=case, user=user, reason=post.get("reason", "")),
        "conference": lambda: temp.conference_record(
            case=case,
            user=user,
            held_on=post.get("held_on"),
            attendees=post.get("attendees", ""),
            decision=post.get("decision", ""),
            agreed=post.get("agreed") == "1",
            amount=post.get("amount"),
        ),
    }
    if action not in runs:
        raise Http404("未知操作")
    return runs[action]()


DONE = {
    "advance": "已先行救助，请在期限内补齐材料",
    "refer": "已报县级审批",
    "grant": "已批准临时救助",
    "complete": "材料已补齐，先行救助已办结",
    "conference": "已登记“一事一议”记录",
    "account": "已登记收款账号，下一期临时救助县级发放花名册将付到该账号",
}


@require_POST
@require(PROCESS_CASES)
def act(request, number, action):
    case = selectors.case_get(request.user, number)
    if str(case.version) != request.POST.get("version", str(case.version)):
        messages.error(request, "该案件已被他人处理（当前状态可能已变），请查看最新状态后再操作")
        return redirect("cases:detail", number=number)
    try:
        _act(action, case, request.user, request.POST)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, DONE[action])
    return redirect("cases:detail", number=number)


def _dates(request) -> tuple[dt.date | None, dt.date | None]:
    out = []
    for key in ("from", "to"):
        try:
            out.append(dt.date.fromisoformat(request.GET.get(key, "").strip()))
        except ValueError:
            out.append(None)
    return out[0], out[1]


REGISTER_HEADERS = [
    "案件编号",
    "支付日期",
    "乡镇",
    "急难发生地",
    "姓名",
    "身份证号",
    "户籍地",
    "救助类型",
    "事由",
    "困难程度",
    "金额（元）",
    "实物救助",
    "实物折价（元）",
    "审批层级",
    "支付方式",
    "县级发放",
    "先行救助",
    "材料补齐",
]
SUMMARY_HEADERS = ["救助类型", "事由", "困难程度", "人次", "金额（元）", "实物折价（元）"]


def _register_rows(rows, mask: ExportMask):
    for chunk in _chunks(rows.iterator(chunk_size=2000), 2000):
        county = temp_pay.statuses([t.case for t in chunk if t.paid_by == TempAssist.PaidBy.COUNTY])
        yield from _register_chunk(chunk, county, mask)


def _chunks(items, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _register_chunk(chunk, county: dict, mask: ExportMask):
    for t in chunk:
        c = t.case
        yield [
            c.number,
            t.paid_on.isoformat(),
            c.region.parent.name if c.region.parent else "",
            c.region.name,
            c.applicant_name,
            mask.id(c.applicant_id_number),
            t.hukou_place,
            t.get_kind_display(),
            t.cause_label,
            t.get_tier_display(),
            t.amount,
            t.in_kind,
            t.in_kind_value,
            t.get_approval_display(),
            t.get_paid_by_display(),
            county[c.number]["label"] if c.number in county else "",
            "是" if t.advance else "",
            (t.papers_completed_on.isoformat() if t.papers_completed_on else ("待补齐" if t.advance else "")),
        ]


@require(VIEW_CASES)
def register(request):
    """乡镇临时救助台账: person-times and amounts by cause and tier, and every payment."""
    townships = selectors.townships_for(request.user)
    township = request.GET.get("township", "").strip()
    if township and not townships.filter(code=township).exists():
        raise Http404("没有该乡镇，或不在您的管辖范围内")
    start, end = _dates(request)
    rows = selectors.temp_paid(request.user, township=township, start=start, end=end)
    summary = selectors.temp_summary(rows)
    if request.GET.get("export") == "xlsx":
        return export_response(
            request, "临时救助台账.xlsx", "临时救助台账", REGISTER_HEADERS, lambda mask: _register_rows(rows, mask)
        )
    if request.GET.get("export") == "summary":
        return export_response(
            request,
            "临时救助分类统计.xlsx",
            "临时救助人次和金额（按事由、困难程度）",
            SUMMARY_HEADERS,
            lambda mask: ([s["kind"], s["cause"], s["tier"], s["times"], s["amount"], s["in_kind"]] for s in summary),
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    county = temp_pay.statuses([t.case for t in page if t.paid_by == TempAssist.PaidBy.COUNTY])
    for t in page:
        t.county_pay = county.get(t.case.number)
    total = {
        "times": sum(s["times"] for s in summary),
        "amount": sum(s["amount"] for s in summary),
        "in_kind": sum(s["in_kind"] for s in summary),
    }
    return render(
        request,
        "cases/temp_register.html",
        {
            "summary": summary,
            "total": total,
            "page": page,
            "townships": townships,
            "filters": {"township": township, "from": request.GET.get("from", ""), "to": request.GET.get("to", "")},
            "missing": selectors.temp_advances_missing(request.user).count(),
            "warnings": selectors.unemployed_warnings(request.user)[:50] if can(request.user, HANDLE_WARNINGS) else [],
            "may_receive": can(request.user, RECEIVE_CASES),
            "may_build_run": _may_build_run(request.user),
            "last_month": months.add(months.of(clock.today()), -1),
        },
    )


def _may_build_run(user) -> bool:
    return can(user, BUILD_PAYROLL) and temp.level_of(user) == "county" and len(user.scope_code or "") == 6


@require_POST
@require(BUILD_PAYROLL)
def county_run(request):
    """生成临时救助县级发放花名册: the month's granted county-paid cases not yet paid, one line each;
    then 复核 by another person, 财政审批, the bank file and return on the run's page."""
    try:
        result = temp_pay.county_run_build(user=request.user, period=request.POST.get("period", ""))
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("cases:temp_register")
    skipped = result["no_account"]
    note = (
        f"；{len(skipped)} 件缺少收款银行账号未纳入（{'、'.join(skipped[:5])}{'等' if len(skipped) > 5 else ''}），请在案件页登记"
        if skipped
        else ""
    )
    if result["run"] is None:
        messages.warning(request, "没有待发放的县级临时救助案件，未生成花名册" + note)
        return redirect("cases:temp_register")
    run = result["run"]
    messages.success(
        request, f"已生成 {run.period} 临时救助县级发放花名册：{run.lines} 件，{run.amount} 元；须由另一人复核{note}"
    )
    return redirect("payroll_detail", pk=run.pk)


def county_pay_context(case, user) -> dict:
    """The case page: where the county's money for a granted case is, and the card form."""
    info = case.temp
    if info.paid_by != TempAssist.PaidBy.COUNTY or case.state != case.State.GRANTED:
        return {}
    status = temp_pay.statuses([case])[case.number]
    may_set = can(user, PROCESS_CASES) and temp.level_of(user) == "county" and status["code"] in ("waiting", "failed")
    payee = temp_pay.payee_of(case)
    return {"county_pay": status, "county_payee": payee, "may_set_account": may_set}


ADVANCE_HEADERS = ["案件编号", "乡镇", "姓名", "身份证号", "事由", "先行救助金额（元）", "支付日期", "补齐材料期限", "状态"]


@require(VIEW_CASES)
def advances(request):
    """先行救助 still missing papers (the supervisor sees every one in the county)."""
    rows = selectors.temp_advances_missing(request.user)
    today = clock.today()

    def lines(mask: ExportMask):
        for t in rows:
            c = t.case
            yield [
                c.number,
                c.region.parent.name if c.region.parent else "",
                c.applicant_name,
                mask.id(c.applicant_id_number),
                t.cause_label,
                t.amount,
                t.paid_on.isoformat() if t.paid_on else "",
                t.papers_due.isoformat() if t.papers_due else "",
                _late(t, today),
            ]

    if request.GET.get("export") == "xlsx":
        return export_response(request, "先行救助待补材料.xlsx", "先行救助待补齐材料清单", ADVANCE_HEADERS, lines)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for t in page:
        t.late = _late(t, today)
    return render(request, "cases/temp_advances.html", {"page": page})


def _late(t: TempAssist, today: dt.date) -> str:
    if t.papers_due is None:
        return "无法计算期限"
    return f"已逾期（{t.papers_due:%Y-%m-%d}）" if t.papers_due < today else "待补齐"


CONFERENCE_HEADERS = [
    "会议日期",
    "案件编号",
    "乡镇",
    "姓名",
    "身份证号",
    "事由",
    "参会人员",
    "议定意见",
    "是否同意",
    "议定金额（元）",
    "记录人",
]


@require(VIEW_CASES)
def conferences(request):
    """县级“一事一议”记录."""
    rows = selectors.conferences_for(request.user)

    def lines(mask: ExportMask):
        for r in rows:
            c = r.case
            yield [
                r.held_on.isoformat(),
                c.number,
                c.region.parent.name if c.region.parent else "",
                c.applicant_name,
                mask.id(c.applicant_id_number),
                c.temp.cause_label,
                r.attendees,
                r.decision,
                "同意" if r.agreed else "不同意",
                r.amount,
                r.recorded_by.display_name() if r.recorded_by else "",
            ]

    if request.GET.get("export") == "xlsx":
        return export_response(request, "一事一议.xlsx", "临时救助“一事一议”记录", CONFERENCE_HEADERS, lines)
    return render(request, "cases/temp_conferences.html", {"page": Paginator(rows, 50).get_page(request.GET.get("page"))})


@require_POST
@require(RECEIVE_CASES)
def from_warning(request, pk):
    """A 未参保失业人员 warning becomes a 临时救助 case (the one-off of 晋民发〔2022〕38号 §8)."""
    warning = selectors.unemployed_warnings(request.user).filter(pk=pk).first()
    if warning is None:
        raise Http404("没有该预警，或不在您的管辖范围内")
    try:
        case = temp.case_from_warning(warning=warning, user=request.user)
    except services.ApplicationRefused as refused:
        messages.error(request, "；".join(refused.errors.values()))
    except (services.DuplicateApplication, WorkflowError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已开立临时救助案件 {case.number}，预警已确认（纳入保障）")
        return redirect("cases:detail", number=case.number)
    return redirect("cases:temp_register")
