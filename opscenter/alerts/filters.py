"""Query filters of the alert list (API)."""

from __future__ import annotations

from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup

from opscenter.core.filters import ListFilters
from opscenter.core.inputs import Line

from .models import Alert


class AlertFilterSchema(ListFilters):
    status: Line | None = None
    unit: Annotated[Line | None, FilterLookup("unit__code")] = None
    source: Line | None = None
    open: bool | None = None

    def filter_open(self, value: bool | None) -> Q:
        return ~Q(status=Alert.Status.RESOLVED) if value else Q(status=Alert.Status.RESOLVED)
