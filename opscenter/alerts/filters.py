"""Filters of the alert list: the API's query parameters and the page's form."""

from __future__ import annotations

from typing import Annotated, Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy
from ninja import FilterLookup

from opscenter.core.filters import ListFilters, PageFilters
from opscenter.core.inputs import Line
from opscenter.org.models import Unit

from .models import SOURCE_LABELS, Alert, Severity

OPEN = "open"
ALL = gettext_lazy("All")


class AlertFilterSchema(ListFilters):
    status: Line | None = None
    unit: Annotated[Line | None, FilterLookup("unit__code")] = None
    source: Line | None = None
    open: bool | None = None

    def filter_open(self, value: bool | None) -> Q:
        return ~Q(status=Alert.Status.RESOLVED) if value else Q(status=Alert.Status.RESOLVED)


class AlertFilterSet(PageFilters):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), empty_label=ALL, method="filter_status",
        choices=[(OPEN, gettext_lazy("Open (new or acknowledged)")), *Alert.Status.choices],
    )
    severity = django_filters.ChoiceFilter(label=gettext_lazy("Severity"), empty_label=ALL, choices=Severity.choices)
    source = django_filters.ChoiceFilter(label=gettext_lazy("Source"), empty_label=ALL)
    unit = django_filters.ChoiceFilter(label=gettext_lazy("Unit"), empty_label=ALL, field_name="unit__code")

    def __init__(self, *args: Any, queryset: QuerySet[Alert], **kwargs: Any) -> None:
        super().__init__(*args, queryset=queryset, **kwargs)
        # what the scoped alerts hold
        sources = queryset.order_by("source").values_list("source", flat=True).distinct()
        self.filters["source"].extra["choices"] = [(s, SOURCE_LABELS.get(s, s)) for s in sources]
        units = Unit.objects.filter(pk__in=queryset.values("unit_id")).order_by("name")
        self.filters["unit"].extra["choices"] = [(u.code, str(u)) for u in units]

    def filter_status(self, queryset: QuerySet[Alert], name: str, value: str) -> QuerySet[Alert]:
        if value == OPEN:
            return queryset.exclude(status=Alert.Status.RESOLVED)
        return queryset.filter(status=value)
