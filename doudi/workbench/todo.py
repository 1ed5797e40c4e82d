"""The to-do registry of the home page: each area adds a source, a function of (user, today)
returning the items waiting for that user. A source answers only for what the user's role
may act on and counts only inside the user's scope (it calls its app's selectors, which are
scoped); the home page shows the items with a count, never an empty one.

    add_source(order, "资金", payroll_source)   # in an AppConfig.ready()
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    label: str  # Chinese, what waits: 待复核的花名册
    count: int
    url: str  # where to act on it, filtered to these items
    urgent: bool = False  # overdue: shown first, in red
    hint: str = ""  # one line of context: 经办与审核分离，不含您本人生成的


Source = Callable[[object, dt.date], list[Item]]
_SOURCES: dict[str, tuple[int, str, Source]] = {}


def add_source(order: int, area: str, source: Source) -> None:
    """Register (or replace, by function name) a source; `area` groups items on the page (台账, 资金 …)."""
    _SOURCES[f"{source.__module__}.{source.__qualname__}"] = (order, area, source)


def items_for(user, today: dt.date) -> list[dict]:
    """[{"area", "items": [Item, …]}] in source order; a failing source is logged and left out,
    so one broken area never takes the home page down."""
    groups: dict[str, list[Item]] = {}
    for _order, area, source in sorted(_SOURCES.values(), key=lambda s: s[0]):
        try:
            found = [item for item in source(user, today) if item.count > 0]
        except Exception:  # noqa: BLE001 - the page must stand; the log tells which source broke
            log.exception("to-do source %s failed", source.__qualname__)
            continue
        if found:
            groups.setdefault(area, []).extend(found)
    return [{"area": area, "items": sorted(items, key=lambda i: not i.urgent)} for area, items in groups.items()]
