"""Query filters of the 115 lists (API)."""

from __future__ import annotations

from django.db.models import Q

from opscenter.core.filters import ListFilters
from opscenter.core.inputs import Int32, Line


class IncidentFilterSchema(ListFilters):
    open: bool = True
    priority: Int32 | None = None

    def filter_open(self, value: bool) -> Q:
        return Q(ended_at__isnull=True) if value else Q()  # open=false: every incident, closed ones too

    def filter_priority(self, value: int | None) -> Q:
        return Q(priority=value) if value else Q()  # 0 is no priority given


class AmbulanceFilterSchema(ListFilters):
    status: Line | None = None
