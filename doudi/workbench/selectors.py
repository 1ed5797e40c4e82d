"""Reads for the workbench pages, composed from each app's scoped selectors (no query here
touches another app's tables directly)."""

from __future__ import annotations

import datetime as dt

from doudi.core.roles import IMPORT_REGISTRY, UNMASK_BANK, UPLOAD_DATASET, VIEW_REGISTRY, VIEW_WARNINGS, can
from doudi.workbench import notifications, todo

UNREAD_SHOWN = 10


def home(user, today: dt.date) -> dict:
    """Everything the home page shows: unread notifications, the to-do list, the counts by
    category and township with their 合计 row (VIEW_REGISTRY), the uploader's own uploads."""
    unread = notifications.unread_for(user)
    context = {"todo": todo.items_for(user, today), "unread": list(unread[:UNREAD_SHOWN]), "unread_count": unread.count()}
    if can(user, VIEW_REGISTRY):
        from doudi.registry import selectors as registry

        townships = registry.counts_by_township(user)
        context.update(
            categories=registry.counts_by_category(user),
            townships=townships,
            township_total={
                "households": sum(t["households"] for t in townships),
                "persons": sum(t["persons"] for t in townships),
            },
        )
    if can(user, VIEW_WARNINGS):
        from doudi.monitoring.selectors import overdue_count

        context["overdue_warnings"] = overdue_count(user)
    if can(user, UPLOAD_DATASET) and not can(user, IMPORT_REGISTRY):
        from doudi.datasets.selectors import imports_for

        context["uploads"] = list(imports_for(user).filter(user=user).order_by("-at", "-id")[:5])
    return context


def search(user, q: str, *, region: str = "") -> dict:
    """The header search: {"rows", "refused"}; `refused` says in Chinese why a reading was not
    searched (a bank account, for a role that may not see accounts)."""
    from doudi.registry import selectors as registry

    accounts = can(user, UNMASK_BANK)
    refused = ""
    if registry.looks_like_account(q) and not accounts:
        refused = "按银行账号查找仅限可查看银行账号的角色；已按其他方式查找。"
    townships = {code for code in registry.townships_for(user).values_list("code", flat=True)}
    region = region if region in townships else ""
    rows = registry.person_find(user, q, accounts=accounts, region=region)
    return {"rows": rows, "refused": refused, "region": region}
