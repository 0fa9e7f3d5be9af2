"""Numbers of the briefing in the reader's language (Django's number formats: `92,8 %` in Vietnamese,
`92.8 %` in English), with a dash where there is no figure."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()

NONE = "—"
PERCENT = "\u00a0%"  # a no-break space: the sign stays with its number


@register.filter
def num(value: float | None, decimals: int = 0) -> str:
    """A count or measure, grouped by thousands: `12.345` (vi), `12,345` (en)."""
    if value is None:
        return NONE
    return number_format(round(value, decimals) if decimals else round(value), decimals, force_grouping=True)


@register.filter
def pct(share: float | None, decimals: int = 1) -> str:
    """A share (0.928) as a percentage: `92,8 %`."""
    return NONE if share is None else num(share * 100, decimals) + PERCENT


@register.filter
def signed(change: float | None, decimals: int = 0) -> str:
    """A change with its sign: `+3`, `-1,5`, `0`."""
    if change is None:
        return NONE
    change = round(change, decimals) if decimals else round(change)
    if change == 0:
        return "0"
    return ("+" if change > 0 else "-") + num(abs(change), decimals)


@register.filter
def minutes(seconds: float | None) -> str:
    """A duration in seconds as minutes with one decimal."""
    return NONE if seconds is None else num(seconds / 60, 1)


@register.filter
def pct_change(change: float | None, decimals: int = 1) -> str:
    """A change of a share (0.015) in percentage points: `+1,5 %`."""
    if change is None:
        return NONE
    text = signed(change * 100, decimals)
    return text if text == "0" else text + PERCENT
