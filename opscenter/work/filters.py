"""Query filters of the work area's lists (API)."""

from __future__ import annotations

from typing import Annotated

from django.db.models import Q
from django.utils import timezone
from ninja import FilterLookup

from opscenter.core.filters import ListFilters
from opscenter.core.inputs import Line, Year


class NotificationFilterSchema(ListFilters):
    unread: bool = False

    def filter_unread(self, value: bool) -> Q:
        return Q(read_at__isnull=True) if value else Q()


class DirectiveFilterSchema(ListFilters):
    status: Line | None = None
    unit: Annotated[Line | None, FilterLookup("tasks__unit__code")] = None


class DocumentFilterSchema(ListFilters):
    q: Line = ""  # searched by `documents.search` (diacritics folded), not a field lookup
    direction: Line | None = None
    status: Line | None = None
    year: Year | None = None

    def filter_q(self, value: str | None) -> Q:
        return Q()


class MeetingFilterSchema(ListFilters):
    upcoming: bool = False

    def filter_upcoming(self, value: bool) -> Q:
        return Q(ends_at__gte=timezone.now()) if value else Q()
