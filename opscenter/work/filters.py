"""Filters of the work area's lists: the API's query parameters and the pages'."""

from __future__ import annotations

from typing import Annotated

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from ninja import FilterLookup

from opscenter.core.filters import ListFilters, PageFilters
from opscenter.core.inputs import Line, Year

from .models import Direction, Document
from .services import documents


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


# The pages draw their own controls (templates); these sets read them.

class DirectiveFilterSet(PageFilters):
    status = django_filters.CharFilter()


class DocumentFilterSet(PageFilters):
    q = django_filters.CharFilter(method="search")
    direction = django_filters.ChoiceFilter(choices=Direction.choices)

    def search(self, queryset: QuerySet[Document], name: str, value: str) -> QuerySet[Document]:
        return documents.search(self.request.user, value, queryset)
