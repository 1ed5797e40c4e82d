"""Reads for the core context, scoped to the reader's region (docs/design.md §1.5): the users a
county administrator manages and the log of unmasked ID numbers and bank accounts."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from doudi.core.models import AuditEntry, Region, UnmaskLog, User
from doudi.core.scoping import scope
from doudi.core.unmasking import UnmaskReason

# The list's sort keys: what the page offers → the ORM ordering (ties by username).
USER_SORTS = {
    "username": ("用户名", ["username"]),
    "region": ("管辖区划", ["region__code", "username"]),
    "role": ("角色", ["role", "username"]),
    "last_login": ("最近登录（最近的在前）", ["-last_login", "username"]),
    "never": ("最近登录（最久未登录在前）", ["last_login", "username"]),
    "joined": ("创建时间（最新在前）", ["-date_joined", "username"]),
}


def managed_users(viewer) -> QuerySet:
    """Every user whose region lies in the viewer's subtree. Superusers (no region, or
    system accounts) are shown only to a superuser: a county admin cannot touch them."""
    users = scope(User.objects.select_related("region", "region__parent"), viewer)
    if not viewer.is_superuser:
        users = users.filter(is_superuser=False)
    return users


def user_list(viewer, *, q: str = "", role: str = "", region: str = "", active: str = "", sort: str = "") -> QuerySet:
    users = managed_users(viewer)
    q = q.strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role:
        users = users.filter(role=role)
    if region:
        users = users.filter(region__code__startswith=region)
    if active == "1":
        users = users.filter(is_active=True)
    elif active == "0":
        users = users.filter(is_active=False)
    return users.order_by(*USER_SORTS.get(sort, USER_SORTS["region"])[1])


def assignable_regions(viewer) -> QuerySet:
    """Regions of the viewer's subtree (the county, its townships and villages)."""
    return scope(Region.objects.select_related("parent"), viewer, "code").order_by("code")


def filter_regions(viewer) -> QuerySet:
    """Regions offered as a filter on the list: county and townships (villages are many)."""
    return assignable_regions(viewer).exclude(level=Region.Level.VILLAGE)


def _day_bounds(value: str, *, end: bool) -> datetime | None:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def _when_and_who(rows: QuerySet, *, since: str, until: str, user: str) -> QuerySet:
    start, stop = _day_bounds(since, end=False), _day_bounds(until, end=True)
    if start:
        rows = rows.filter(at__gte=start)
    if stop:
        rows = rows.filter(at__lte=stop)
    if user.isdigit():
        rows = rows.filter(user_id=int(user))
    return rows


def unmask_log(viewer, *, q: str = "", since: str = "", until: str = "", user: str = "", reason: str = "") -> QuerySet:
    """Views of a full ID number or bank account by users of the viewer's subtree (the
    person viewed is in the viewer's user's scope: a clerk unmasks only inside his
    township). `q`: a username or name of the viewer, or the tail of the ID number; `user`:
    one viewer's id; `reason`: a code of core.unmasking.UnmaskReason (unknown: ignored)."""
    logs = scope(UnmaskLog.objects.select_related("user", "user__region"), viewer, "user__region__code")
    q = q.strip()
    if q:
        condition = Q(user__username__icontains=q) | Q(user__full_name__icontains=q)
        if q.upper().rstrip("X").isdigit() or q.upper() == "X":
            condition |= Q(person_id_number__endswith=q.upper())
        logs = logs.filter(condition)
    if reason in UnmaskReason.values:
        logs = logs.filter(reason=reason)
    return _when_and_who(logs, since=since, until=until, user=user).order_by("-at", "-id")


def unmask_viewers(viewer) -> QuerySet:
    """Users of the viewer's subtree who have seen a full number (the page's 查看人 filter)."""
    seen = scope(UnmaskLog.objects.all(), viewer, "user__region__code").values("user_id")
    return User.objects.filter(pk__in=seen).order_by("username")


def unmasked_exports(viewer, *, q: str = "", since: str = "", until: str = "", user: str = "", reason: str = "") -> QuerySet:
    """Exports with full ID numbers or accounts (core/exports.py records each, with a reason;
    entries older than the reason's code count as 其他: their reason was free text)."""
    entries = scope(AuditEntry.objects.filter(entity="export").select_related("user"), viewer, "user__region__code")
    q = q.strip()
    if q:
        entries = entries.filter(Q(user__username__icontains=q) | Q(user__full_name__icontains=q))
    if reason == UnmaskReason.OTHER:
        entries = entries.filter(Q(changes__reason_kind=reason) | ~Q(changes__has_key="reason_kind"))
    elif reason in UnmaskReason.values:
        entries = entries.filter(changes__reason_kind=reason)
    return _when_and_who(entries, since=since, until=until, user=user).order_by("-at", "-id")
