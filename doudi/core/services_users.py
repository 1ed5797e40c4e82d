"""Writes of user management by the county administrator (issue 12 B): create, change,
disable and enable users, reset a password; and everyone's own change of password. Every
change is an AuditEntry; refusals are Chinese messages (UserRefused) with nothing written.
A user the administrator creates, or whose password they reset, must set their own password
at the next sign-in (User.must_change_password, core/middleware.py)."""

from __future__ import annotations

from django.db import transaction

from doudi.core import regions
from doudi.core.models import Region, User

# Each change is an AuditEntry (entity "user", key the username, changes {field: [old, new]} with the model's field
# names and raw values: role codes, region codes, True/False). No password is ever stored
# in the audit trail; the one-time password is shown once, to the administrator.

# Which region level each role works at: a township clerk sees one township, a helper one
# village; county roles the whole county (a supervisor may also sit at a township). A 儿童主任
# works for one village's children, a 儿童督导员 for one township's.
ROLE_LEVELS = {
    "county_admin": {"county"},
    "county_staff": {"county"},
    "township_clerk": {"township"},
    "village_helper": {"village"},
    "finance": {"county"},
    "supervisor": {"county", "township"},
    "dept_uploader": {"county"},
    "child_director": {"village"},
    "child_supervisor": {"township"},
}
# Characters of a one-time password: no 0/O, 1/l/I, easy to read out over the phone.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class UserRefused(Exception):
    """A change the administrator may not make (a Chinese message); nothing was written.
    `status` 403 for a refusal of the role or the target, 400 for a bad value."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def grantable_roles(actor) -> list[str]:
    """Roles the actor may give or take away. A superuser: every role. A county
    administrator: every role of the county below their own (another administrator is
    made by the system administrator, `doudi createsuperuser` / Django admin), so an
    administrator can neither create a peer nor raise anyone to their own rights."""
    from doudi.core.roles import MANAGE_USERS, Role, can

    if getattr(actor, "is_superuser", False):
        return list(Role.values)
    if not can(actor, MANAGE_USERS):
        return []
    return [role for role in Role.values if role != Role.COUNTY_ADMIN]


def may_manage(actor, target: User) -> str | None:
    """Why the actor may not change this user (a Chinese message), or None. The caller
    has already checked the target is inside the actor's region (else 404)."""
    if target.pk == actor.pk:
        return "不能在用户管理中修改、停用或重置自己的账号；修改自己的密码请用「修改密码」"
    if target.is_superuser and not actor.is_superuser:
        return "系统管理员账号只能由系统管理员维护"
    if target.role not in grantable_roles(actor):
        return f"您无权管理角色为「{target.get_role_display()}」的用户"
    return None


def _check_role_region(actor, role: str, region_code: str | None) -> Region:
    from doudi.core.roles import Role
    from doudi.core.scoping import in_scope

    if role not in Role.values:
        raise UserRefused("没有这个角色")
    if role not in grantable_roles(actor):
        raise UserRefused(f"您无权授予「{Role(role).label}」角色", 403)
    region = Region.objects.filter(code=region_code or "").first()
    if region is None:
        raise UserRefused("请选择管辖区划")
    if not in_scope(actor, region.code):
        raise UserRefused("管辖区划须在您管辖的区划之内", 403)
    allowed = ROLE_LEVELS.get(role, set())
    if region.level not in allowed:
        levels = "或".join(regions.LEVEL_NAMES[level] for level in sorted(allowed))
        raise UserRefused(f"「{Role(role).label}」的管辖区划应为{levels}级，{region.name}是{region.get_level_display()}级")
    return region


def one_time_password(user: User | None = None) -> str:
    """A random password that passes the password policy (settings.AUTH_PASSWORD_VALIDATORS):
    three groups of four, e.g. Hk7m-Pq3r-Wz9t (14 characters)."""
    import secrets

    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    while True:
        groups = ["".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3)]
        password = "-".join(groups)
        if not (any(c.isdigit() for c in password) and any(c.isalpha() for c in password)):
            continue
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def _audit_user(actor, action: str, target_username: str, changes: dict, reason: str, nonce: str = "") -> None:
    from doudi.core.models import AuditEntry

    AuditEntry.objects.create(
        user=actor,
        role=getattr(actor, "role", ""),
        action=action,
        entity="user",
        entity_key=target_username[:64],
        changes=changes,
        reason=reason[:200],
        batch=nonce[:40],
    )


def _seen(target_username: str, nonce: str) -> bool:
    """A form already handled (double submission): its nonce is on an audit entry."""
    from doudi.core.models import AuditEntry

    return bool(nonce) and AuditEntry.objects.filter(entity="user", entity_key=target_username[:64], batch=nonce[:40]).exists()


def user_add(
    *, actor, username: str, full_name: str, role: str, region_code: str | None, nonce: str = ""
) -> tuple[User, str | None]:
    """Creates an active user with a one-time password; returns (user, password). The same
    form sent twice (same `nonce`) creates nothing more: (user, None)."""
    from django.db import IntegrityError

    username = username.strip()
    region = _check_role_region(actor, role, region_code)
    with transaction.atomic():
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            if _seen(username, nonce):
                return existing, None
            raise UserRefused(f"用户名「{username}」已被使用，请换一个")
        user = User(
            username=username, full_name=full_name.strip(), role=role, region=region, is_active=True, must_change_password=True
        )
        password = one_time_password(user)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise UserRefused(f"用户名「{username}」已被使用，请换一个") from None
        _audit_user(
            actor,
            "create",
            username,
            {
                "username": [None, username],
                "full_name": [None, user.full_name],
                "role": [None, role],
                "region": [None, region.code],
                "is_active": [None, True],
                "password": [None, "一次性密码（不记录）"],
            },
            "新建用户",
            nonce,
        )
    return user, password


def user_update(*, actor, user: User, role: str, region_code: str | None, full_name: str) -> dict:
    """Changes role, region and name; returns {field: [old, new]} (empty: nothing changed)."""
    refusal = may_manage(actor, user)
    if refusal:
        raise UserRefused(refusal, 403)
    region = _check_role_region(actor, role, region_code)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        changes = {}
        for field, old, new in (
            ("role", user.role, role),
            ("region", user.region_id, region.code),
            ("full_name", user.full_name, full_name.strip()),
        ):
            if old != new:
                changes[field] = [old, new]
        if changes:
            user.role, user.region, user.full_name = role, region, full_name.strip()
            user.save(update_fields=["role", "region", "full_name"])
            _audit_user(actor, "update", user.username, changes, "修改用户角色、区划或姓名")
    return changes


def end_sessions(user: User) -> int:
    """Deletes the user's sessions (database sessions); returns how many. Whatever the
    session engine, a disabled user is signed out at the next request anyway: Django's
    ModelBackend does not load an inactive user from a session."""
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    if settings.SESSION_ENGINE not in ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"):
        return 0
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        try:
            data = session.get_decoded()
        except Exception:  # noqa: BLE001 - a corrupt session is not this user's
            continue
        if str(data.get("_auth_user_id")) == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def user_set_active(*, actor, user: User, active: bool) -> dict:
    """Disables (and signs out) or enables a user; {} if it already was so (a form sent twice)."""
    refusal = may_manage(actor, user)
    if refusal:
        raise UserRefused(refusal, 403)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active == active:
            return {}
        user.is_active = active
        user.save(update_fields=["is_active"])
        ended = 0 if active else end_sessions(user)
        changes = {"is_active": [not active, active]}
        if not active:
            changes["sessions"] = [ended, 0]
        _audit_user(actor, "update", user.username, changes, "启用账号" if active else f"停用账号（结束 {ended} 个登录会话）")
    return changes


def password_reset(*, actor, user: User, nonce: str = "") -> str | None:
    """Sets a one-time random password and returns it (shown once, never stored in clear).
    The other sessions of the user end (Django checks the password hash of a session).
    The same form sent twice (same `nonce`) resets once: the second call returns None."""
    refusal = may_manage(actor, user)
    if refusal:
        raise UserRefused(refusal, 403)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if _seen(user.username, nonce):
            return None
        password = one_time_password(user)
        user.set_password(password)
        user.must_change_password = True  # the administrator has seen it
        user.save(update_fields=["password", "must_change_password"])
        end_sessions(user)
        _audit_user(
            actor, "update", user.username, {"password": ["（不记录）", "一次性密码（不记录）"]}, "县民政局管理员重置密码", nonce
        )
    return password


def password_change(*, user: User, new_password: str) -> None:
    """The user's own change of password (the form has checked the old one, that the new one
    differs from it, and the policy); ends a forced change."""
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        _audit_user(user, "update", user.username, {"password": ["（不记录）", "（不记录）"]}, "本人修改密码")
