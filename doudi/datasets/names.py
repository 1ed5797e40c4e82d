"""Names as department systems spell them, and the key they are matched on.

`clean_name` removes what is noise in every system (spaces, full-width forms, the
different middle dots of minority names). `name_key` is the toneless pinyin of the
cleaned name: traditional and variant characters (張/张, 喆/哲, 堃/坤, 鍾/钟) and
same-sounding miskeyed characters share it, which is what a clerk typing from a paper
form or an old system produces. It widens candidates only; a match is still accepted
only when exactly one registry person fits (linkage.py).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

_DOTS = str.maketrans({"•": "·", "‧": "·", "∙": "·", "・": "·", ".": "·", "．": "·"})


def clean_name(raw: str | None) -> str:
    if not raw:
        return ""
    text = unicodedata.normalize("NFKC", str(raw)).translate(_DOTS)
    return "".join(text.split())


@lru_cache(maxsize=100_000)
def _syllable(char: str) -> str:
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    letters = lazy_pinyin(char, style=Style.NORMAL, errors="ignore")
    return letters[0].lower() if letters else char


def name_key(cleaned: str) -> str:
    """Toneless pinyin, syllables joined by nothing: 张喆 → zhangzhe."""
    return "".join(_syllable(c) for c in cleaned if c != "·")
