"""Payment parameters: schedules, fund splits, price-subsidy triggers, backpay window.

They are parameters of the rules' tree (doudi/rules/parameters/, DOUDI_POLICY_DIR), with the
same loader, validation (every value has `from` and the 文号 `ref`) and inheritance national →
province → city → county; the names and units are in `doudi.rules.schema.PAYMENT_PARAMETERS`
(docs/payments.md §8, docs/rules.md). This module is only the typed accessor the payment
code reads them through: a schedule comes back as a `Schedule`, a month count as an `int`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from doudi.rules import parameters as tree
from doudi.rules.parameters import NATIONAL, Entry, RegionFile
from doudi.rules.policy import parameter
from doudi.rules.schema import (
    EXTERNAL_GROUPS,
    FUND_LABELS,
    FUND_SHARES,
    PAID_CATEGORIES,
    PRICE_GROUPS,
    REGISTRY_GROUPS,
    SOURCES,
    spec_for,
)

__all__ = [
    "EXTERNAL_GROUPS",
    "FUND_LABELS",
    "NATIONAL",
    "PAID_CATEGORIES",
    "PRICE_GROUPS",
    "REGISTRY_GROUPS",
    "SOURCES",
    "Entry",
    "Schedule",
    "entry",
    "fund_codes",
    "fund_shares",
    "parse_file",
    "value",
]


@dataclass(frozen=True)
class Schedule:
    frequency: str  # monthly | quarterly
    due_day: int

    def is_due(self, month: str) -> bool:
        return self.frequency == "monthly" or int(month[5:]) % 3 == 1

    @property
    def months(self) -> int:
        return 1 if self.frequency == "monthly" else 3


def entry(name: str, region: str, day: dt.date) -> Entry:
    """The dated value (with its 文号 `ref` and file) in force on `day` for `region`."""
    return parameter(name, region, day)


def value(name: str, region: str, day: dt.date):
    """The value of `name` in force on `day` for `region`, typed: the nearest region file wins."""
    raw = parameter(name, region, day).value
    unit = spec_for(name).unit
    if unit == "schedule":
        frequency, _, due = raw.partition(":")
        return Schedule(frequency, int(due))
    if unit in ("months", "count"):
        return int(raw)
    if unit == "shares":
        return dict(raw)  # a copy: the loaded tree is shared
    return raw


def fund_shares(fund: str, day: dt.date, region: str = NATIONAL) -> dict[str, Decimal]:
    return value(f"{FUND_SHARES}{fund}", region, day)


def fund_codes() -> list[str]:
    """Every fund code with a `fund_shares.<code>` split in some region file."""
    return sorted({n[len(FUND_SHARES) :] for f in tree.load_tree().values() for n in f.entries if n.startswith(FUND_SHARES)})


def parse_file(path: Path) -> RegionFile:
    """Validate one region file on its own (named `<区划代码>.yaml`), as the loader does."""
    return tree.parse_file(Path(path), None if Path(path).stem == "national" else Path(path).stem)
