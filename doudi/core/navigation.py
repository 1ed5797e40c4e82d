"""The top menu. Each app adds its entries in AppConfig.ready(), so no app edits another's
templates; an entry shows only to roles holding its permission (roles.py).

Entries are grouped by task (台账, 认定, 资金, 比对预警, 系统): on a phone the groups sit
behind one 菜单 button, on a desktop they are all shown. An entry's group is the one its
app names, else the one its order number falls in (10–19 台账, 20–39 认定, 40–49 比对预警,
50–59 资金, the rest 系统); order 0–9 (首页) stands before the groups."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from doudi.core.roles import can

LEDGER, ASSESSMENT, MONEY, FINDING, SYSTEM = "台账", "认定", "资金", "比对预警", "系统"
GROUPS = (LEDGER, ASSESSMENT, MONEY, FINDING, SYSTEM)  # menu order
_RANGES = ((0, 9, ""), (10, 19, LEDGER), (20, 39, ASSESSMENT), (40, 49, FINDING), (50, 59, MONEY))


@dataclass(frozen=True)
class MenuEntry:
    order: int
    label: str
    url_name: str
    permission: str | None  # None: every signed-in user
    group: str | None = None  # None: by order number


_MENU: dict[str, MenuEntry] = {}
# visible_entries by who sees them: the menu depends only on the role (roles.can), and
# reversing ~45 URL names took ~2 ms of every page (issue 12 D, bench/load_bench.py).
_VISIBLE: dict[tuple, tuple[dict, ...]] = {}


def add_menu_entry(order: int, label: str, url_name: str, permission: str | None, group: str | None = None) -> None:
    if group is not None and group not in GROUPS and group != "":
        raise ValueError(f"unknown menu group {group!r}; one of {GROUPS}")
    _MENU[url_name] = MenuEntry(order, label, url_name, permission, group)
    _VISIBLE.clear()


def group_of(entry: MenuEntry) -> str:
    if entry.group is not None:
        return entry.group
    return next((name for low, high, name in _RANGES if low <= entry.order <= high), SYSTEM)


def visible_entries(user) -> list[dict]:
    signed_in = getattr(user, "is_authenticated", False)
    key = (
        signed_in,
        signed_in and user.is_superuser,
        getattr(user, "role", None),
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
    )
    if key not in _VISIBLE:
        entries = sorted(_MENU.values(), key=lambda e: e.order)
        _VISIBLE[key] = tuple(
            {"label": e.label, "url": reverse(e.url_name), "group": group_of(e)}
            for e in entries
            if e.permission is None or can(user, e.permission)
        )
    return [dict(e) for e in _VISIBLE[key]]


def menu_groups(entries: list[dict], path: str = "") -> dict:
    """The visible entries as {"top": [...], "groups": [{"label", "entries", "current"}]}, in
    GROUPS order, empty groups left out. The entry whose URL is the longest prefix of the
    current path is marked current (a household page is under 家庭台账), and so is its group."""
    best = max(
        (e["url"] for e in entries if path == e["url"] or (e["url"] != "/" and path.startswith(e["url"]))), key=len, default=None
    )
    marked = [{**e, "current": e["url"] == best, "exact": e["url"] == path} for e in entries]
    groups = []
    for name in GROUPS:
        members = [e for e in marked if e.get("group", SYSTEM) == name]
        if members:
            groups.append({"label": name, "entries": members, "current": any(e["current"] for e in members)})
    return {"top": [e for e in marked if e.get("group") == ""], "groups": groups}
