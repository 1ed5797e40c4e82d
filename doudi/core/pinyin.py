"""Pinyin initials for searching names by 首字母 (张三 → zs). Cached per character so a
million names cost a dictionary lookup per character."""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=50000)
def _initial(char: str) -> str:
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    letters = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
    return letters[0].lower() if letters else ""


@lru_cache(maxsize=200000)
def initials(name: str) -> str:
    # Full names repeat a lot in a province register, so they are cached too.
    return "".join(_initial(c) for c in name)
