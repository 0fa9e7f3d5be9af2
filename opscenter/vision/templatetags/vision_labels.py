"""Template filters that say camera events in words (see vision/labels.py)."""

from __future__ import annotations

from typing import Any

from django import template

from opscenter.vision import labels

register = template.Library()


@register.filter
def zone_label(name: str) -> str:
    return labels.zone_label(name)


@register.filter
def event_summary(event: Any) -> str:
    return labels.summary(event.kind, event.data or {})


@register.filter
def message_type(value: str) -> str:
    return str(labels.MESSAGE_TYPES.get(value, value))


@register.filter
def is_simulated(event: Any) -> bool:
    return bool((event.data or {}).get("simulated"))
