"""Matching a file's headers to the ones an import expects: full-width forms and spaces
do not matter, and a header may come with or without its parenthesised note."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable


def canonical_header(header: str) -> str:
    """Full-width forms and spaces do not matter: （城镇/农村） is (城镇/农村)."""
    return "".join(unicodedata.normalize("NFKC", str(header)).split())


def short_header(header: str) -> str:
    """The header without its parenthesised part: 户籍性质(城镇/农村) → 户籍性质."""
    return canonical_header(header).split("(", 1)[0]


def header_finder(headers) -> Callable[[str], str | None]:
    """Maps a file's header to one of `headers`: the exact header, or the same words with
    or without a parenthesised note on either side (户籍性质, 月保障金额(元), 供养方式（分散/集中）)."""
    exact = {canonical_header(h): h for h in headers}
    short: dict[str, str | None] = {}
    for header in headers:
        key = short_header(header)
        short[key] = None if key in short and short[key] != header else header  # ambiguous: no guess

    def find(header: str) -> str | None:
        cleaned = canonical_header(header)
        return exact.get(cleaned) or exact.get(short_header(cleaned)) or short.get(short_header(cleaned))

    return find
