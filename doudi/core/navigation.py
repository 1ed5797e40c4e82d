"""The top menu. Each app adds its entries in AppConfig.ready(), so no app edits another's
templates; an entry shows only to roles holding its permission (roles.py)."""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from doudi.core.roles import can


@dataclass(frozen=True)
class MenuEntry:
    order: int
    label: str
    url_name: str
    permission: str | None  # None: every signed-in user


_MENU: dict[str, MenuEntry] = {}


def add_menu_entry(order: int, label: str, url_name: str, permission: str | None) -> None:
    _MENU[url_name] = MenuEntry(order, label, url_name, permission)


def visible_entries(user) -> list[dict]:
    entries = sorted(_MENU.values(), key=lambda e: e.order)
    return [{"label": e.label, "url": reverse(e.url_name)} for e in entries 
            if e.permission is None or can(user, e.permission)]
