"""行政区划代码 (统计用区划代码) helpers. Framework-free.

Codes are prefixes of each other: 省 2 digits, 市 4, 县 6, 乡镇 9, 村 12, so a region's
subtree is every code starting with its own. Inputs padded to 12 digits with zeros
(140521100000) are shortened to their real level.
"""

from __future__ import annotations

LEVEL_BY_LENGTH = {2: "province", 4: "city", 6: "county", 9: "township", 12: "village"}
LEVEL_NAMES = {"province": "省", "city": "市", "county": "县", "township": "乡镇", "village": "村"}
_PADDING = ((12, 9), (9, 6), (6, 4), (4, 2))


class InvalidRegionCode(ValueError):
    pass


def normalize_code(raw: str | int | None) -> str:
    text = "".join(str(raw if raw is not None else "").split())
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or len(text) not in LEVEL_BY_LENGTH:
        raise InvalidRegionCode(f"行政区划代码应为2、4、6、9或12位数字：{raw!r}")
    for length, shorter in _PADDING:
        if len(text) == length and set(text[shorter:]) == {"0"}:
            text = text[:shorter]
    return text


def level_of(code: str) -> str:
    return LEVEL_BY_LENGTH[len(code)]


def parent_code(code: str) -> str | None:
    lengths = sorted(LEVEL_BY_LENGTH)
    index = lengths.index(len(code))
    return code[: lengths[index - 1]] if index else None


def township_of(code: str) -> str | None:
    return code[:9] if len(code) >= 9 else None
