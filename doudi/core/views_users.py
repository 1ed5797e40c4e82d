"""User management for the county administrator (issue 12 B), the log of unmasked ID
numbers and bank accounts (administrator and supervisor), and everyone's own change of
password. Reads through core/selectors.py (another county's user is a 404), writes
through core/services.py (refusals are Chinese messages, every change audited)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from doudi.core import idnumber, selectors
from doudi.core import services_users as services
from doudi.core.exports import ExportMeta, list_page, xlsx_response
from doudi.core.forms_users import OwnPasswordForm, UserCreateForm, UserEditForm
from doudi.core.middleware import FORCED_CHANGE_MESSAGE
from doudi.core.models import AuditEntry, Region
from doudi.core.permissions import require
from doudi.core.roles import MANAGE_USERS, VIEW_UNMASK_LOG, Role
from doudi.core.unmasking import UnmaskReason

# Who may read the unmask log: the county administrator and the supervisor (roles.py VIEW_UNMASK_LOG).
PAGE_SIZE = 50
FIELD_LABELS = {
    "username": "用户名",
    "full_name": "姓名",
    "role": "角色",
    "region": "管辖区划",
    "is_active": "状态",
    "password": "密码",
    "sessions": "登录会话",
    "登录锁定": "登录锁定",
    "来源地址": "来源地址",
}
UNMASK_FIELDS = {"id_number": "身份证号", "bank_account": "银行账号"}
USER_EXPORT_HEADERS = ["用户名", "姓名", "角色", "管辖区划", "区划代码", "状态", "最近登录", "创建时间"]
UNMASK_EXPORT_HEADERS = [
    "时间",
    "查看人",
    "用户名",
    "角色",
    "查看人区划",
    "对象身份证号（脱敏）",
    "查看字段",
    "来源地址",
    "原因",
    "原因说明",
]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _target(request, pk: int):
    """A user of the administrator's region (else 404) they may change (else 403)."""
    user = selectors.managed_users(request.user).filter(pk=pk).first()
    if user is None:
        raise Http404("没有这个用户")
    return user


# -- list --------------------------------------------------------------------------------


@require(MANAGE_USERS)
def user_list(request):
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "role", "region", "active", "sort")}
    users = selectors.user_list(request.user, **filters)
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                u.username,
                u.full_name,
                u.get_role_display(),
                u.region.name if u.region else "",
                u.region_id or "",
                "启用" if u.is_active else "停用",
                _when(u.last_login) or "从未登录",
                _when(u.date_joined),
            ]
            for u in users.iterator(chunk_size=2000)
        )
        return xlsx_response("用户清单.xlsx", "用户清单", USER_EXPORT_HEADERS, rows)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/users.html",
        {
            "page": page,
            "filters": filters,
            "roles": Role.choices,
            "regions": selectors.filter_regions(request.user),
            "sorts": {key: label for key, (label, _) in selectors.USER_SORTS.items()},
            "total": page.paginator.count,
        },
    )


# -- create ------------------------------------------------------------------------------


def _regions(request):
    return selectors.assignable_regions(request.user)


@require(MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_create(request):
    roles = services.grantable_roles(request.user)
    form = UserCreateForm(
        request.POST or None, roles=roles, regions=_regions(request), initial={"nonce": secrets.token_urlsafe(16)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.user_add(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                region_code=data["region"],
                nonce=data["nonce"],
            )
        except services.UserRefused as refused:
            if refused.status == 403 and data["role"] not in roles:
                raise PermissionDenied(str(refused)) from None
            form.add_error(None, str(refused))
        else:
            if password is None:
                messages.info(
                    request,
                    f"用户 {user.username} 已经建好（表单重复提交，未再次创建）。初始密码只显示一次；"
                    "如未记下，请点「重置密码」生成新密码。",
                )
                return redirect("user_detail", pk=user.pk)
            return render(request, "core/users_password.html", {"target": user, "password": password, "created": True})
    return render(request, "core/users_form.html", {"form": form})


# -- one user: edit, disable/enable, reset password ---------------------------------------------


def _history(target):
    entries = AuditEntry.objects.filter(entity__in=["user", "登录锁定"], entity_key=target.username).select_related("user")[:100]
    regions = {}
    rows = []
    for entry in entries:
        pairs = []
        if isinstance(entry.changes, dict):
            for field, pair in entry.changes.items():
                old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
                pairs.append((FIELD_LABELS.get(field, field), _shown(field, old, regions), _shown(field, new, regions)))
        rows.append({"entry": entry, "pairs": pairs})
    return rows


def _shown(field: str, value, regions: dict) -> str:
    if value is None or value == "":
        return "—"
    if field == "role":
        return Role(value).label if value in Role.values else str(value)
    if field == "region":
        if value not in regions:
            region = Region.objects.filter(code=value).first()
            regions[value] = f"{region.name}（{value}）" if region else str(value)
        return regions[value]
    if field == "is_active":
        return "启用" if value else "停用"
    return str(value)


def _detail(request, target, form=None, status=200):
    refusal = services.may_manage(request.user, target)
    if form is None:
        form = UserEditForm(
            roles=services.grantable_roles(request.user),
            regions=_regions(request),
            initial={"full_name": target.full_name, "role": target.role, "region": target.region_id},
        )
    return render(
        request,
        "core/users_detail.html",
        {"target": target, "form": form, "refusal": refusal, "history": _history(target), "nonce": secrets.token_urlsafe(16)},
        status=status,
    )


@require(MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_detail(request, pk):
    target = _target(request, pk)
    if request.method != "POST":
        return _detail(request, target)
    refusal = services.may_manage(request.user, target)
    if refusal:
        raise PermissionDenied(refusal)
    form = UserEditForm(request.POST, roles=services.grantable_roles(request.user), regions=_regions(request))
    if not form.is_valid():
        return _detail(request, target, form, status=400)
    data = form.cleaned_data
    try:
        changes = services.user_update(
            actor=request.user, user=target, role=data["role"], region_code=data["region"], full_name=data["full_name"]
        )
    except services.UserRefused as refused:
        if refused.status == 403:
            raise PermissionDenied(str(refused)) from None
        form.add_error(None, str(refused))
        return _detail(request, target, form, status=400)
    if changes:
        messages.success(request, f"已保存 {target.username} 的修改：" + "、".join(FIELD_LABELS[f] for f in changes))
    else:
        messages.info(request, "没有改动。")
    return redirect("user_detail", pk=target.pk)


@require(MANAGE_USERS)
@require_POST
def user_active(request, pk):
    target = _target(request, pk)
    active = request.POST.get("active") == "1"
    try:
        changes = services.user_set_active(actor=request.user, user=target, active=active)
    except services.UserRefused as refused:
        raise PermissionDenied(str(refused)) from None
    if not changes:
        messages.info(request, f"{target.username} 已经是{'启用' if active else '停用'}状态。")
    elif active:
        messages.success(request, f"已启用 {target.username}，可以重新登录。")
    else:
        messages.success(request, f"已停用 {target.username}：不能再登录，已结束其 {changes['sessions'][0]} 个登录会话。")
    return redirect("user_detail", pk=target.pk)


@require(MANAGE_USERS)
@require_POST
def user_password_reset(request, pk):
    target = _target(request, pk)
    try:
        password = services.password_reset(actor=request.user, user=target, nonce=request.POST.get("nonce", ""))
    except services.UserRefused as refused:
        raise PermissionDenied(str(refused)) from None
    if password is None:
        messages.info(
            request,
            f"{target.username} 的密码已经重置过（表单重复提交，未再次重置）。一次性密码只显示一次；"
            "如未记下，请再点一次「重置密码」。",
        )
        return redirect("user_detail", pk=target.pk)
    return render(request, "core/users_password.html", {"target": target, "password": password, "created": False})


# -- the unmask log ---------------------------------------------------------------------------

UNMASK_FILTERS = ("q", "user", "reason", "since", "until")


def _reason_label(code: str) -> str:
    return UnmaskReason(code).label if code in UnmaskReason.values else code


def _unmask_rows(logs):
    for log in logs.iterator(chunk_size=2000):
        yield [
            _when(log.at),
            log.user.display_name(),
            log.user.username,
            Role(log.role).label if log.role in Role.values else log.role,
            log.user.region.name if log.user.region else "",
            idnumber.mask(log.person_id_number),
            UNMASK_FIELDS.get(log.field, log.field),
            log.ip or "",
            _reason_label(log.reason),
            idnumber.mask_text(log.note),
        ]


def _unmask_meta(request, filters, viewers) -> ExportMeta:
    names = {str(u.pk): u.display_name() for u in viewers}
    return ExportMeta(
        unit="",
        user=request.user,
        filters=[
            ("查看人", names.get(filters["user"], "")),
            ("关键词", filters["q"]),
            ("原因", _reason_label(filters["reason"]) if filters["reason"] else ""),
            ("起始日期", filters["since"]),
            ("截止日期", filters["until"]),
        ],
    )


@require(VIEW_UNMASK_LOG)
def unmask_log(request):
    filters = {k: request.GET.get(k, "").strip() for k in UNMASK_FILTERS}
    logs = selectors.unmask_log(request.user, **filters)
    viewers = list(selectors.unmask_viewers(request.user))
    meta = _unmask_meta(request, filters, viewers)
    if request.GET.get("export") == "xlsx":
        # Always masked, for every role: the log says whose number was seen, not the number.
        return xlsx_response("敏感信息查看记录.xlsx", "敏感信息查看记录", UNMASK_EXPORT_HEADERS, _unmask_rows(logs), meta)
    page = list_page(request, logs, PAGE_SIZE)
    for log in page:
        log.masked = idnumber.mask(log.person_id_number)
        log.field_label = UNMASK_FIELDS.get(log.field, log.field)
        log.reason_label = _reason_label(log.reason)
    exports = list(selectors.unmasked_exports(request.user, **filters)[:100])
    for entry in exports:
        entry.reason_label = _reason_label(entry.changes.get("reason_kind") or UnmaskReason.OTHER)
    return render(
        request,
        "core/users_unmask_log.html",
        {
            "page": page,
            "filters": filters,
            "exports": exports,
            "total": page.paginator.count,
            "viewers": viewers,
            "reasons": UnmaskReason.choices,
            "meta": meta,
            "print_title": "敏感信息查看记录",
            "count_unit": "条",
        },
    )


# -- everyone: change my password -----------------------------------------------------------------


def _next(request) -> str:
    """Where a forced change of password came from (a local address only), else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target if target.startswith("/") else ""
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    forced = request.user.must_change_password
    form = OwnPasswordForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.password_change(user=request.user, new_password=form.cleaned_data["new_password1"])
            update_session_auth_hash(request, request.user)  # this session stays signed in
            messages.success(request, "密码已修改。下次登录请使用新密码。")
            return redirect(_next(request) or (settings.LOGIN_REDIRECT_URL if forced else "password_change"))
        if form.already_done():
            messages.success(request, "密码已修改（表单重复提交，未再次修改）。下次登录请使用新密码。")
            return redirect(_next(request) or "password_change")
    return render(
        request,
        "core/users_password_change.html",
        {"form": form, "forced": forced, "forced_message": FORCED_CHANGE_MESSAGE, "next": _next(request)},
    )
