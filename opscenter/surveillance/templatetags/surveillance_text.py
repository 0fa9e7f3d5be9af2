"""Template filters for the surveillance pages: numbers and dates in the reader's language, methods in words."""

from __future__ import annotations

from django import template

from opscenter.surveillance import wording

register = template.Library()


@register.filter
def num(value, decimals: int = 0) -> str:
    return wording.number(value, int(decimals))


@register.filter
def amount(value) -> str:
    return wording.amount(value)


@register.filter
def pct(share) -> str:
    return wording.percent(share)


@register.filter
def signed_pct(change) -> str:
    return wording.signed_percent(change)


@register.filter
def day(value, year: bool = True) -> str:
    return wording.day_text(value, year=bool(year))


@register.filter
def short_day(value) -> str:
    return wording.day_text(value, year=False)


@register.filter
def method_name(code: str) -> str:
    return wording.method_name(code)


@register.filter
def method_help(code: str) -> str:
    return wording.method_help(code)
