"""Public pages (no login; CSRF on every form; POSTs and look-ups rate limited per client
address, doudi/public/limits.py): apply online, track progress, the policy calculator, the
online 公示 by village and its printable list, the household's masked status page. And the
staff's 救助明白卡 (login, region scope).

Applications go through the cases service (services.case_receive, channel online), cases
are read through its selector (selectors.public_case) and, for the 公示, read-only queries
here (doudi/public/selectors.py). Pages that show anything personal are never cached."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from doudi.cases import clock, services
from doudi.cases.workflow import WorkflowError
from doudi.core.permissions import require
from doudi.core.roles import EDIT_REGISTRY, VIEW_REGISTRY, can
from doudi.public import limits, selectors
from doudi.public.calculator import estimate
from doudi.public.forms import ApplyForm, CalculatorForm, TrackForm
from doudi.public.qr import qr_svg

NOT_FOUND = "没有找到该申请，请核对申请编号和身份证号"
DONE_KEY = "public_applied"


def public(view):
    """No login (even if a login-required middleware is added later); CSRF stays on."""
    return login_not_required(view)


def _too_many(request, template: str, context: dict):
    context = {**context, "too_many": limits.TOO_MANY}
    return render(request, template, context, status=429)


def _township(code: str) -> str:
    code = (code or "").strip()[:9]
    return code if code.isdigit() and len(code) == 9 else ""


def _region_context(request, chosen: str = "") -> dict:
    """The township filter (?township=) and the villages to offer, grouped by township. In a
    tree too big to list at once, the chosen village's township stands for the filter."""
    township = _township(request.GET.get("township", ""))
    villages = selectors.villages(township)
    if not villages and not township and _township(chosen):
        township = _township(chosen)
        villages = selectors.villages(township)
    return {
        "townships": selectors.townships(),
        "township": township,
        "groups": selectors.village_groups(villages),
        "need_township": not villages and not township,
    }


@public
def home(request):
    return render(request, "public/home.html", {})


# ---- 网上申请 --------------------------------------------------------------------------------
FIELD_OF = {
    "region": "region",
    "id_number": "id_number",
    "name": "name",
    "category": "category",
    "reason": "reason",
    "phone": "phone",
    "channel": None,
}


@public
@never_cache
def apply(request):
    regions = _region_context(request, request.POST.get("region", ""))
    form = ApplyForm(request.POST or None, groups=regions["groups"])
    if request.method == "POST":
        if limits.limited(request, "apply"):
            return _too_many(request, "public/apply.html", {"form": form, **regions})
        if form.is_valid():
            data = {**form.cleaned_data, "channel": "online", "promise": True}
            try:
                case = services.case_receive(user=None, data=data)
            except services.ApplicationRefused as refused:
                for field, message in refused.errors.items():
                    target = FIELD_OF.get(field, field)
                    form.add_error(target if target in form.fields else None, message)
            except services.DuplicateApplication as duplicate:
                form.add_error(
                    "category",
                    f"您已有同类申请正在办理，申请编号 {duplicate.number}，请勿重复提交；可凭申请编号和身份证号查询进度",
                )
                regions["duplicate"] = duplicate.number
            except WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                request.session[DONE_KEY] = {
                    "number": case.number,
                    "due": case.due.isoformat() if case.due else "",
                    "note": case.clock_note,
                    "category": case.get_category_display(),
                }
                return redirect("public:applied")
    return render(request, "public/apply.html", {"form": form, **regions})


@public
@never_cache
def applied(request):
    done = request.session.get(DONE_KEY)
    if not done:
        return redirect("public:apply")
    return render(request, "public/applied.html", {"done": done})


# ---- 进度查询 --------------------------------------------------------------------------------
@public
@never_cache
def track(request):
    form = TrackForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST":
        if limits.limited(request, "track"):
            return _too_many(request, "public/track.html", context)
        if form.is_valid():
            found = selectors.track(form.cleaned_data["number"], form.cleaned_data["id_number"])
            if found is None:
                context["not_found"] = NOT_FOUND
            else:
                context["case"] = found
    return render(request, "public/track.html", context)


# ---- 政策计算器 ------------------------------------------------------------------------------
@public
def calculator(request):
    regions = _region_context(request, request.GET.get("region", ""))
    form = CalculatorForm(request.GET if "region" in request.GET else None, groups=regions["groups"])
    result = None
    if form.is_bound and form.is_valid():
        result = estimate(form.answers(), clock.today())
        result["region"] = selectors.region_name(form.cleaned_data["region"])
    return render(request, "public/calculator.html", {"form": form, "result": result, **regions})


# ---- 网上公示 --------------------------------------------------------------------------------
@public
def publicity(request):
    return render(
        request, "public/publicity.html", {"villages": selectors.publicity_villages(clock.today()), "today": clock.today()}
    )


@public
def publicity_village(request, code: str):
    village = selectors.village_get(code)
    day = clock.today()
    return render(
        request, "public/publicity_village.html", {"village": village, "rows": selectors.publicity_list(code, day), "today": day}
    )


# ---- 救助明白卡 and the masked status page ---------------------------------------------------
@require(VIEW_REGISTRY)
def card(request, code: str):
    data = selectors.card(request.user, code)
    token = selectors.token_for(data["household"])
    url = request.build_absolute_uri(reverse("public:status", args=[token]))
    qr = mark_safe(qr_svg(url))  # our own SVG of our own URL: no user text in it
    return render(
        request,
        "public/card.html",
        {**data, "status_url": url, "qr": qr, "today": clock.today(), "may_renew": can(request.user, EDIT_REGISTRY)},
    )


@require(EDIT_REGISTRY)
@require_POST
def card_renew(request, code: str):
    """重新生成二维码 (a card lost or shown around): only within the user's region."""
    data = selectors.card(request.user, code)
    selectors.token_renew(data["household"])
    messages.success(request, "已重新生成二维码，原明白卡上的二维码已失效，请重新打印明白卡")
    return redirect("public:card", code=code)


@public
@never_cache
def status(request, token: str):
    if limits.limited(request, "status"):
        return _too_many(request, "public/status.html", {})
    found = selectors.token_status(token, clock.today())
    if found is None:
        raise Http404("没有找到该查询码")
    return render(request, "public/status.html", {"status": found, "today": clock.today()})
