"""集中走访慰问 pages (care/campaigns.py): the list and the county's start form, one campaign's
coverage per township and village with its persons, marking a visit as the campaign visit;
and starting a case from a problem (care/casework.py). Thin: reads and writes are elsewhere."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.care import campaigns, casework, groups, selectors
from doudi.care.services import CareError
from doudi.core.permissions import require
from doudi.core.roles import HANDLE_PROBLEMS, RECORD_VISIT, VIEW_CARE

DATE = {"type": "date"}


class CampaignForm(forms.Form):
    name = forms.CharField(label="活动名称", max_length=60, error_messages={"required": "请填写活动名称"})
    group_codes = forms.MultipleChoiceField(
        label="走访对象",
        choices=list(groups.DUTY_GROUPS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择走访对象（至少一项）", "invalid_choice": "走访对象有未知选项"},
    )
    starts_on = forms.DateField(
        label="开始日期",
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        error_messages={"required": "请填写开始日期", "invalid": "开始日期格式不对，应为 年-月-日"},
    )
    ends_on = forms.DateField(
        label="结束日期",
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        error_messages={"required": "请填写结束日期", "invalid": "结束日期格式不对，应为 年-月-日"},
    )
    money = forms.CharField(label="慰问金标准（元/人，可不填）", required=False, max_length=12)
    goods = forms.CharField(label="慰问品（多种用顿号或逗号隔开，可不填）", required=False, max_length=300)
    note = forms.CharField(label="说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def messages(self) -> list[str]:
        return [str(e) for errors in self.errors.values() for e in errors]


@require(VIEW_CARE)
def campaign_list(request, form=None, errors=(), status=200):
    today = timezone.localdate()
    rows = list(campaigns.campaigns_for(request.user).order_by("-starts_on", "-id")[:100])
    may_start = campaigns.may_start(request.user)
    if may_start and form is None:
        form = CampaignForm(initial={"starts_on": today, "ends_on": today, "group_codes": ["dibao", "tekun_dispersed"]})
    return render(
        request,
        "care/campaign_list.html",
        {"rows": rows, "form": form if may_start else None, "errors": errors, "today": today},
        status=status,
    )


@require(VIEW_CARE)
@require_POST
def campaign_new(request):
    if not campaigns.may_start(request.user):
        raise PermissionDenied("只有县民政局可以发起集中走访慰问")
    form = CampaignForm(request.POST)
    errors = form.messages() if not form.is_valid() else []
    if not errors:
        try:
            campaign = campaigns.campaign_start(user=request.user, **form.cleaned_data)
        except CareError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, f"已发起「{campaign.name}」，走访对象 {campaign.targets_count} 人")
            return redirect("care:campaign", pk=campaign.pk)
    return campaign_list(request, form=form, errors=errors, status=400)


@require(VIEW_CARE)
def campaign_detail(request, pk):
    campaign = campaigns.campaign_get(request.user, pk)
    village = request.GET.get("village", "").strip()
    cover = campaigns.coverage(request.user, campaign)
    known = {r["code"] for r in cover["villages"]} | {r["code"] for r in cover["townships"]}
    people = campaigns.people(request.user, campaign, village) if village in known else None
    names = selectors.region_names([village]) if village else {}
    return render(
        request,
        "care/campaign_detail.html",
        {
            "campaign": campaign,
            "cover": cover,
            "village": village if people is not None else "",
            "village_name": names.get(village, ""),
            "people": people,
            "group_labels": "、".join(groups.label(g) for g in campaign.groups),
            "today": timezone.localdate(),
        },
    )


@require(RECORD_VISIT)
@require_POST
def visit_campaign_mark(request, pk):
    visit = selectors.visit_get(request.user, pk)  # 404 outside the user's villages
    campaign = campaigns.campaigns_for(request.user).filter(pk=_int(request.POST.get("campaign"))).first()
    try:
        if campaign is None:
            raise CareError("请选择集中走访慰问活动")
        goods = {kind: request.POST.get(f"goods_{i}", "") for i, kind in enumerate(campaign.goods)}
        campaigns.campaign_visit_mark(
            user=request.user, visit=visit, campaign=campaign, money=request.POST.get("money"), goods=goods
        )
    except CareError as exc:
        from doudi.care.views_visits import visit_detail

        return visit_detail(request, pk, mark_errors=[str(exc)], mark_values=request.POST, status=400)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, f"已登记为「{campaign.name}」的走访慰问")
    return redirect("care:visit", pk=pk)


@require(HANDLE_PROBLEMS)
@require_POST
def problem_case(request, pk):
    problem = selectors.problem_get(request.user, pk)
    if not casework.may_start_case(request.user):
        raise PermissionDenied("您的角色无权发起案件")
    try:
        number = casework.problem_start_case(
            user=request.user,
            problem=problem,
            category=request.POST.get("category", ""),
            cause=request.POST.get("cause", ""),
            reason=request.POST.get("reason", ""),
            amount=request.POST.get("amount", ""),
        )
    except CareError as exc:
        from doudi.care.views_problems import problem_detail

        return problem_detail(request, pk, case_errors=[str(exc)], case_values=request.POST, status=400)
    messages.success(request, f"已发起案件 {number}")
    return redirect("care:problem", pk=pk)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
