"""Page helpers shared by every app's views (the apps sit below the dashboard, so these live here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Occupancy and risk levels, the same colours on every map and chart.
LEVEL_COLOURS = {
    "low": "#2e9d4f", "medium": "#e3c21b", "high": "#f08a24", "critical": "#d62e2e", "unknown": "#9aa3ad",
}


def page(request: HttpRequest, template: str, context: dict[str, Any] | None = None, **kwargs: Any) -> HttpResponse:
    return render(request, template, context or {}, **kwargs)


def parse_date(raw: str | None, default: dt.date) -> dt.date:
    """An ISO date from a query or form field; `default` when missing or malformed."""
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default
