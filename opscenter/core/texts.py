"""Texts the system writes and keeps (alert titles, notices, report warnings, trail entries) are written once in
every language the site speaks, so each reader sees them in their own. What people write stays as written.

Rendering at write time, rather than keeping a message id and its parameters, keeps the parameters' own wording
(dates, bed types, diseases, numbers) exactly as the code that raised the text chose it. A language added later
shows the site's language for texts written before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.utils import translation

T = TypeVar("T")

Texts = dict[str, str]  # language code -> the text in that language


def languages() -> list[str]:
    """The site's language first, then the others it speaks."""
    codes = [code for code, _name in settings.LANGUAGES]
    return sorted(codes, key=lambda code: code != settings.LANGUAGE_CODE)


def each_language(render: Callable[[], T]) -> dict[str, T]:
    """`render()` called once under each language of the site: {code: result}."""
    rendered = {}
    for code in languages():
        with translation.override(code):
            rendered[code] = render()
    return rendered


def shown(texts: dict[str, T] | None, fallback: T) -> T:
    """The text in the reader's (active) language; else the site's; else `fallback` (what was stored before texts
    were kept per language)."""
    if not texts:
        return fallback
    active = translation.get_language() or settings.LANGUAGE_CODE
    for code in (active, active.split("-")[0], settings.LANGUAGE_CODE):
        if code in texts:
            return texts[code]
    return fallback
