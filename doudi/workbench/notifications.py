"""The one way to write a notification (other apps call `notify`), and the reads of them."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.http import url_has_allowed_host_and_scheme

from doudi.core.roles import Role
from doudi.workbench.models import Notification


def notify(text: str, link: str = "", *, user=None, role: str = "", region: str = "") -> Notification:
    """A hand-over note: to `user`, or to every user of `role` in `region` (a code; users whose
    scope covers it or lies inside it, e.g. the county's finance for a county run, a township's
    clerks for a warning there). `link` is a path inside the app ("/payments/runs/7/")."""
    text = " ".join((text or "").split())
    if not text:
        raise ValueError("通知内容不能为空")
    if user is None and role not in Role.values:
        raise ValueError("通知须指定接收人或接收角色")
    if link and not (link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None)):
        raise ValueError("通知链接须为本系统内的地址")
    return Notification.objects.create(
        user=user, role="" if user is not None else role, region_code=region or "", text=text[:300], link=link[:300]
    )


def notifications_for(user) -> QuerySet:
    """The user's own, and their role's whose region covers the user's scope or lies inside it."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    mine = Q(user=user)
    code = getattr(user, "scope_code", None)
    if code is not None and getattr(user, "role", ""):
        covering = [code[:n] for n in range(0, len(code) + 1) if n in (0, 2, 4, 6, 9, 12) or n == len(code)]
        mine |= Q(user__isnull=True, role=user.role) & (Q(region_code__startswith=code) | Q(region_code__in=covering))
    return Notification.objects.filter(mine)


def unread_for(user) -> QuerySet:
    return notifications_for(user).exclude(read_by=user)


def mark_read(user, pk: int | None = None) -> int:
    """One notification (pk) or all of the user's unread ones; returns how many were marked."""
    rows = unread_for(user)
    if pk is not None:
        rows = rows.filter(pk=pk)
    rows = list(rows)
    for row in rows:
        row.read_by.add(user)
    return len(rows)
