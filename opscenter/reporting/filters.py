"""Filters of the report list: the API's query parameters and the page's form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import django_filters
from django.utils.translation import gettext_lazy as _
from ninja import FilterLookup

from opscenter.core.filters import DateFilter, ListFilters, PageFilters
from opscenter.core.inputs import Line, SaneDate
from opscenter.org.models import Unit

from .forms import DateInput
from .models import DataSet, Report


class ReportFilterSchema(ListFilters):
    RANGES = (("period_from", "period_to"),)

    data_set: Annotated[Line | None, FilterLookup("data_set__code")] = None
    unit: Annotated[Line | None, FilterLookup("unit__code")] = None
    period_from: Annotated[SaneDate | None, FilterLookup("period__gte")] = None
    period_to: Annotated[SaneDate | None, FilterLookup("period__lte")] = None
    status: Line | None = None


class ReportFilterSet(PageFilters):
    data_set = django_filters.ChoiceFilter(label=_("Data set"), empty_label=_("All"), field_name="data_set__code")
    unit = django_filters.ChoiceFilter(label=_("Unit"), empty_label=_("All"), field_name="unit__code")
    period_from = DateFilter(label=_("From"), field_name="period", lookup_expr="gte", widget=DateInput())
    period_to = DateFilter(label=_("To"), field_name="period", lookup_expr="lte", widget=DateInput())
    status = django_filters.ChoiceFilter(label=_("Status"), empty_label=_("All"), choices=Report.Status.choices)

    def __init__(self, *args: Any, units: Iterable[Unit], data_sets: Iterable[DataSet], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["unit"].extra["choices"] = [(u.code, f"{u} ({u.code})") for u in units]
        self.filters["data_set"].extra["choices"] = [(d.code, d.label) for d in data_sets]
