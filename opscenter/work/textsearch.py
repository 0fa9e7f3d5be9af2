"""Accent-folded text for diacritics-insensitive search (no Django here, so it can be tested alone).

"Sốt xuất huyết" and "sot xuat huyet" fold to the same words; punctuation separates words, so a number and
symbol such as "123/SYT-NVY" is found by "123 syt nvy" as well as by itself.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, without diacritics (đ becomes d), words separated by single spaces."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", bare).strip()


def words(query: str) -> list[str]:
    """The distinct folded words of a search query, in order."""
    return list(dict.fromkeys(fold(query).split()))
