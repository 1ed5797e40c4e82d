"""What the public may see of a person: the first character of the name (张*三), the ID
number's region and last four (doudi.core.idnumber.mask), never an address; and whether the
person is a minor (never listed at all)."""

from __future__ import annotations

import datetime as dt

from doudi.core import idnumber


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, 欧阳小三 → 欧**三; a single character stays."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id(number: str) -> str:
    return idnumber.mask(number or "")


def age_on(number: str, day: dt.date) -> int | None:
    """Age in whole years on `day` from the ID number's birth date; None if it has none."""
    digits = (number or "")[6:14]
    try:
        birth = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except (ValueError, IndexError):
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_minor(number: str, day: dt.date) -> bool:
    """Under 18 on `day`; an ID number without a readable birth date counts as a minor
    (not listed: when in doubt, publish less)."""
    age = age_on(number, day)
    return age is None or age < 18
