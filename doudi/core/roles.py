"""Roles of DOMAIN.md §1 and what each may do. One table, consulted everywhere."""
from django.db import models


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", "县民政局管理员"
    COUNTY_STAFF = "county_staff", "县民政局工作人员"
    TOWNSHIP_CLERK = "township_clerk", "乡镇社会救助经办员"
    VILLAGE_HELPER = "village_helper", "村级民政协理员"
    FINANCE = "finance", "财政局"
    SUPERVISOR = "supervisor", "纪检监督（只读）"
    DEPT_UPLOADER = "dept_uploader", "部门数据报送"


VIEW_REGISTRY = "view_registry"
EDIT_REGISTRY = "edit_registry"
IMPORT_REGISTRY = "import_registry"
UNMASK_ID = "unmask_id"
UNMASK_BANK = "unmask_bank"
VIEW_AUDIT = "view_audit"
MANAGE_USERS = "manage_users"

_REGISTRY_READ = {VIEW_REGISTRY, VIEW_AUDIT}
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset(_REGISTRY_READ | {EDIT_REGISTRY, IMPORT_REGISTRY, UNMASK_ID, UNMASK_BANK, MANAGE_USERS}),
    Role.COUNTY_STAFF: frozenset(_REGISTRY_READ | {EDIT_REGISTRY, IMPORT_REGISTRY, UNMASK_ID}),
    Role.TOWNSHIP_CLERK: frozenset(_REGISTRY_READ | {EDIT_REGISTRY, IMPORT_REGISTRY, UNMASK_ID}),
    Role.VILLAGE_HELPER: frozenset({VIEW_REGISTRY}),
    Role.FINANCE: frozenset({VIEW_REGISTRY, UNMASK_BANK}),
    Role.SUPERVISOR: frozenset(_REGISTRY_READ),
    Role.DEPT_UPLOADER: frozenset(),
}


def can(user, permission: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return permission in PERMISSIONS.get(user.role, frozenset())
