"""居民身份证号 (GB 11643) normalisation and validation, docs/interfaces.md §2. Framework-free.

Inputs come from clerks' spreadsheets and department systems: spaces, full-width digits,
lowercase x and legacy 15-digit numbers are normalised; anything still invalid is
reported with a reason, never guessed.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

REASONS = {
    "empty": "身份证号为空",
    "bad_chars": "身份证号含有数字和末位 X 以外的字符",
    "bad_length": "身份证号应为18位（或旧版15位）",
    "bad_region": "身份证号前6位不是已知的行政区划代码",
    "bad_birth_date": "身份证号中的出生日期不存在",
    "future_birth_date": "身份证号中的出生日期晚于今天",
    "bad_check_digit": "身份证号校验位错误",
}


class InvalidIdNumber(ValueError):
    def __init__(self, reason: str, raw: str):
        self.reason = reason
        self.raw = raw
        super().__init__(f"{REASONS[reason]}：{raw!r}")

    @property
    def message(self) -> str:
        return REASONS[self.reason]


@dataclass(frozen=True)
class IdFacts:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    region_prefix: str


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", str(raw))
    return "".join(text.split()).upper()


@lru_cache(maxsize=4096)
def _known_region(prefix6: str) -> bool:
    from stdnum import numdb

    info = numdb.get("cn/loc").info(prefix6)
    return any(props.get("county") for _part, props in info[1:] or [])


def normalize(raw: str | None, *, today: dt.date | None = None) -> str:
    """Return the canonical 18-character number or raise InvalidIdNumber."""
    if raw is None or not str(raw).strip():
        raise InvalidIdNumber("empty", "" if raw is None else str(raw))
    # Most cells are already clean: skip Unicode normalisation for them.
    number = raw if len(raw) == 18 and raw[:17].isascii() and raw[:17].isdigit() and raw[17] in "0123456789X" else _clean(raw)
    if number.endswith(".0") and len(number) in (17, 20):  # numbers that passed through Excel floats
        number = number[:-2]
    body, last = number[:-1], number[-1:]
    if not body.isdigit() or not (last.isdigit() or last == "X"):
        raise InvalidIdNumber("bad_chars", str(raw))
    if len(number) == 15:
        if last == "X":
            raise InvalidIdNumber("bad_chars", str(raw))
        number = with_check_digit(number[:6] + "19" + number[6:])
    elif len(number) != 18:
        raise InvalidIdNumber("bad_length", str(raw))
    try:
        birth = _birth_date(number)
    except ValueError:
        raise InvalidIdNumber("bad_birth_date", str(raw)) from None
    if birth > (today or _today(int(time.time() // 600))) or birth.year < 1880:
        raise InvalidIdNumber("future_birth_date" if birth.year >= 1880 else "bad_birth_date", str(raw))
    if number[-1] != _check_digit(number):
        raise InvalidIdNumber("bad_check_digit", str(raw))
    if not _known_region(number[:6]):
        raise InvalidIdNumber("bad_region", str(raw))
    return number


@lru_cache(maxsize=1)
def _today(_ten_minutes: int) -> dt.date:
    return dt.date.today()  # cached: called once per ID number in million-row imports


def _birth_date(number: str) -> dt.date:
    # Sliced directly: stdnum's get_birth_date re-cleans the string, which dominates a
    # million-row import; a province has only some 30,000 distinct birth dates.
    return _date_from_digits(number[6:14])


@lru_cache(maxsize=65536)
def _date_from_digits(digits: str) -> dt.date:
    return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def facts(number: str) -> IdFacts:
    """Birth date and sex of an already-normalised number."""
    return IdFacts(
        number=number,
        birth_date=_birth_date(number),
        sex="M" if int(number[16]) % 2 else "F",
        region_prefix=number[:6],
    )


def try_normalize(raw: str | None) -> tuple[str | None, str | None]:
    """(number, None) when valid, (None, reason) when not."""
    try:
        return normalize(raw), None
    except InvalidIdNumber as exc:
        return None, exc.reason


def with_check_digit(first17: str) -> str:
    return first17 + _check_digit(first17)


_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # GB 11643 ISO 7064 MOD 11-2 weights
_ASCII_ZERO_TOTAL = 48 * sum(_WEIGHTS)


def _check_digit(number: str) -> str:
    """Check digit of the first 17 digits. Same result as stdnum's ric.calc_check_digit
    (a test compares them), computed on bytes: it runs once per row of every import."""
    total = sum(map(operator.mul, number[:17].encode(), _WEIGHTS)) - _ASCII_ZERO_TOTAL
    return "10X98765432"[total % 11]


def mask(number: str) -> str:
    """Shows region and the check digit only: 140521********0018 style."""
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_account(account: str) -> str:
    """Bank card: the last four digits only, as on every page."""
    account = account or ""
    return "*" * max(len(account) - 4, 0) + account[-4:]


# 15–19 digits (an 18-digit ID may end in X), not part of a longer number: ID numbers and
# bank cards inside free text. Region codes (≤ 12), phones (11) and amounts are left alone.
_LONG_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[Xx]|[0-9]{15,19})(?![0-9Xx])")


def mask_text(text: str) -> str:
    """Free text (warning evidence, change-log values) with every ID-like number masked."""
    return _LONG_NUMBER.sub(lambda m: mask(m.group()), text) if text else text


def mask_values(value, key: str = "", *, ids: bool = True, accounts: bool = True):
    """A copy of JSON-like data (a warning's detail) with ID numbers (`ids`) and bank
    accounts (`accounts`) masked: by key name where the key says what the value is, else
    by shape (a long number in free text could be either: masked unless both are shown)."""
    if isinstance(value, dict):
        return {k: mask_values(v, str(k), ids=ids, accounts=accounts) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_values(v, key, ids=ids, accounts=accounts) for v in value]
    if not isinstance(value, str):
        return value
    if "account" in key:
        return mask_account(value) if accounts else value
    if key.endswith("id_number"):
        return mask(value) if ids else value
    return mask_text(value) if ids or accounts else value
