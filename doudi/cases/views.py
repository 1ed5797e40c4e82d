"""Pages of the cases app: the work queue, receiving an application, the case page with its
clock, timeline, documents and actions, the refusal notice, the supervisor's override list.
Views are thin: reads through selectors (scoped: another region is a 404), writes through
services (a refused move is a Chinese message, nothing changed)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from doudi.cases import clock, decisions, deliberation, evidence, selectors, services
from doudi.cases.forms import ApplyForm
from doudi.cases.models import CATEGORY_CHOICES, Case
from doudi.cases.workflow import ACTION_LABELS, TEMP_ONLY, WorkflowError, actions_for
from doudi.core.exports import ExportMask, export_response
from doudi.core.models import Region
from doudi.core.permissions import require
from doudi.core.roles import APPROVE_CASES, PROCESS_CASES, RECEIVE_CASES, VIEW_CASE_OVERRIDES, VIEW_CASES, can
from doudi.core.scoping import in_scope

PAGE_SIZE = 50
EXPORT_HEADERS = [
    "案件编号",
    "申请类别",
    "申请人",
    "身份证号",
    "所在乡镇",
    "所在村",
    "申请渠道",
    "受理日期",
    "状态",
    "办结期限",
    "时限",
    "与规则测算不一致",
]


@require(VIEW_CASES)
def queue(request):
    filters = {k: request.GET.get(k, "").strip() for k in ("tab", "q", "category", "state", "township")}
    filters["tab"] = filters["tab"] if filters["tab"] in selectors.TABS else "open"
    cases = selectors.queue(request.user, **filters)
    if request.GET.get("export") == "xlsx":
        title = f"案件清单（{selectors.TABS[filters['tab']]}）"
        return export_response(request, "案件清单.xlsx", title, EXPORT_HEADERS, lambda mask: _rows(cases, mask))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.today()
    for case in page:
        case.clock = clock.status(case, today)
    batch = filters["tab"] == "mine" and decisions.may_confirm(request.user, None) and can(request.user, APPROVE_CASES)
    from doudi.cases.bulk import may_open_bulk

    return render(
        request,
        "cases/queue.html",
        {
            "batch": batch,
            "bulk_ok": may_open_bulk(request.user),
            "page": page,
            "filters": filters,
            "tabs": selectors.TABS,
            "counts": selectors.tab_counts(request.user, today),
            "categories": CATEGORY_CHOICES,
            "states": Case.State.choices,
            "townships": selectors.townships_for(request.user),
        },
    )


def _rows(cases, mask: ExportMask):
    today = clock.today()
    for c in cases.iterator(chunk_size=2000):
        yield [
            c.number,
            c.category_label,
            c.applicant_name,
            mask.id(c.applicant_id_number),
            c.region.parent.name if c.region.parent else "",
            c.region.name,
            c.get_channel_display(),
            c.received_on.isoformat(),
            c.get_state_display(),
            c.due.isoformat() if c.due else "",
            clock.status(c, today)["text"],
            "是" if c.override else "",
        ]


@require(RECEIVE_CASES)
def apply(request):
    scope = (request.user.scope_code or "")[:6]
    villages = Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=scope).select_related("parent")
    form = ApplyForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_receive(user=request.user, data=form.cleaned_data)
        except services.ApplicationRefused as refused:
            for field, message in refused.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except services.DuplicateApplication as duplicate:
            messages.error(request, str(duplicate))
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            if in_scope(request.user, case.region_id):
                messages.success(request, f"已受理，案件编号 {case.number}")
                return redirect("cases:detail", number=case.number)
            messages.success(request, f"已受理，案件编号 {case.number}，已转至{case.region.parent.name}办理（一门受理）")
            return redirect("cases:queue")
    return render(request, "cases/apply.html", {"form": form})


@require(VIEW_CASES)
def detail(request, number):
    case = selectors.case_get(request.user, number)
    actions = deliberation.offered(case, actions_for(case, request.user))
    if not decisions.may_confirm(request.user, case):
        actions = [a for a in actions if a not in ("approve", "refuse")]
    context = {}
    if case.category == "temp_assist" and hasattr(case, "temp"):
        context = _temp_context(case, request.user, [a for a in actions if a in TEMP_ONLY])
        actions = [a for a in actions if a not in TEMP_ONLY]
    from doudi.cases.views_lifecycle import life_context

    context |= life_context(case, request.user) | _side_context(case, request.user)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "clock": clock.status(case),
            "steps": selectors.timeline(case),
            "documents": case.documents.all(),
            "actions": [(a, ACTION_LABELS[a]) for a in actions],
            "may_upload": case.is_open and can(request.user, RECEIVE_CASES),
            "may_act": can(request.user, PROCESS_CASES),
            **context,
        },
    )


def _temp_context(case: Case, user, actions: list[str]) -> dict:
    """The 临时救助 panel: limits in force today, payments, 一事一议, 先行 reminder."""
    from doudi.cases import temp, views_temp
    from doudi.rules import temp_assist as ta

    info = case.temp
    try:
        limits = temp.decide(case, clock.today())
    except WorkflowError:
        limits = None
    level = temp.level_of(user)
    conference_ok = (
        level == "county"
        and can(user, PROCESS_CASES)
        and case.state in (Case.State.CHECKED, Case.State.SURVEYED, Case.State.REFERRED)
    )
    return {
        "temp": info,
        "limits": limits,
        "temp_actions": [(a, ACTION_LABELS[a]) for a in actions],
        "conferences": case.conferences.select_related("recorded_by"),
        "may_conference": conference_ok,
        "reserve_entries": case.reserve_entries.all(),
        "tiers": list(ta.TIERS.items()),
        "user_level": level,
        "papers_late": info.papers_missing and info.papers_due is not None and info.papers_due < clock.today(),
        **views_temp.county_pay_context(case, user),  # county fund: the run's line (temp_pay.py)
    }


def _side_context(case: Case, user) -> dict:
    """民主评议 records, referrals (转办) and the county's spot-check of this case."""
    from doudi.cases.models import Deliberation, Referral

    return {
        "deliberations": case.deliberations.select_related("recorded_by"),
        "deliberation_results": Deliberation.Result.choices,
        "referrals": case.referrals.select_related("created_by").order_by("sent_on", "id"),
        "referral_kinds": Referral.Kind.choices,
        "may_refer": can(user, PROCESS_CASES),
        "spot_check": getattr(case, "spot_check", None) if case.decided_by_township else None,
        "today": clock.today(),
    }


def _act(action: str, case: Case, user, post) -> Case:
    text = post.get("reason", "")
    runs = {
        "check": lambda: services.case_check(case=case, user=user, findings=post.get("findings", "")),
        "survey": lambda: services.case_survey(case=case, user=user, notes=post.get("notes", "")),
        "deliberate": lambda: deliberation.case_deliberate(
            case=case,
            user=user,
            held_on=post.get("held_on", ""),
            participants=post.get("participants", ""),
            result=post.get("result", ""),
            minutes=post.get("minutes", ""),
        ),
        "publicize": lambda: services.case_publicize(case=case, user=user),
        "approve": lambda: decisions.case_approve(
            case=case,
            user=user,
            reason=text,
            override_reason=post.get("override_reason", ""),
            monthly_amount=post.get("monthly_amount") or None,
            new_household={"hukou": post.get("hukou", ""), "address": post.get("address", "").strip()},
        ),
        "refuse": lambda: decisions.case_refuse(
            case=case, user=user, reasons=text, override_reason=post.get("override_reason", "")
        ),
        "return": lambda: decisions.case_return(case=case, user=user, reason=text),
        "resume": lambda: decisions.case_resume(case=case, user=user, reason=text),
        "withdraw": lambda: decisions.case_withdraw(case=case, user=user, reason=text),
        "reopen": lambda: decisions.case_reopen(case=case, user=user, reason=text),
    }
    if action not in runs:
        raise Http404("未知操作")
    return runs[action]()


@require_POST
@require(PROCESS_CASES)
def act(request, number, action):
    case = selectors.case_get(request.user, number)
    if str(case.version) != request.POST.get("version", str(case.version)):
        messages.error(request, "该案件已被他人处理（当前状态可能已变），请查看最新状态后再操作")
        return redirect("cases:detail", number=number)
    try:
        case = _act(action, case, request.user, request.POST)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{ACTION_LABELS[action]}，当前状态：{case.get_state_display()}")
    return redirect("cases:detail", number=number)


@require_POST
@require(PROCESS_CASES)
def approve_batch(request):
    """The cases ticked on the queue, each confirmed with its rules amount; refusals listed."""
    numbers = request.POST.getlist("number")[:200]
    cases = list(selectors.cases_for(request.user).filter(number__in=numbers))
    if not cases:
        messages.error(request, "请先勾选要审核确认的案件")
        return redirect(f"{reverse('cases:queue')}?tab=mine")
    done, refused = decisions.cases_approve_many(cases=cases, user=request.user, reason=request.POST.get("reason", ""))
    if done:
        messages.success(request, f"已审核确认 {len(done)} 件，纳入保障")
    for case, message in refused:
        messages.error(request, f"{case.number}（{case.applicant_name}）未能审核确认：{message}")
    return redirect(f"{reverse('cases:queue')}?tab=mine")


@require_POST
@require(RECEIVE_CASES)
def document_upload(request, number):
    case = selectors.case_get(request.user, number)
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, "请选择要上传的文件")
    for upload in files:
        shown = upload.name
        try:
            evidence.document_add(case=case, user=request.user, upload=upload, title=request.POST.get("title", ""))
        except WorkflowError as exc:
            messages.error(request, str(exc))
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from None
        else:
            messages.success(request, f"已上传「{shown}」")
    return redirect("cases:detail", number=number)


@require(VIEW_CASES)
def document(request, number, pk):
    item = selectors.document_get(request.user, number, pk)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@require(VIEW_CASES)
def refusal_notice(request, number):
    case = selectors.case_get(request.user, number)
    if case.state != Case.State.REFUSED:
        raise Http404("该案件没有不予保障决定")
    return render(request, "cases/refusal_notice.html", {"case": case})


@require(VIEW_CASE_OVERRIDES)
def overrides(request):
    page = Paginator(selectors.overrides_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/overrides.html", {"page": page})
