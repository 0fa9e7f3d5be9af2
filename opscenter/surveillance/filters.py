"""Filters of the surveillance lists: the API's query parameters (cases, signals, forecasts), the line list page's."""

from __future__ import annotations

from typing import Annotated

import django_filters
from django.db.models import Q
from ninja import FilterLookup
from pydantic import AfterValidator

from opscenter.core.errors import ValidationFailed
from opscenter.core.filters import ListFilters, PageFilters
from opscenter.core.inputs import Line, SaneDate

from .models import Disease, Signal


def known_disease(value: str | None) -> str | None:
    if value is not None and value not in Disease.values:
        raise ValidationFailed.one("disease", f"must be one of: {', '.join(Disease.values)}")
    return value


DiseaseCode = Annotated[Line, AfterValidator(known_disease)]
"""A disease filter: one of `Disease` (a blank one too is refused)."""


class CaseFilterSchema(ListFilters):
    RANGES = (("date_from", "date_to"),)

    disease: DiseaseCode | None = None
    ward: Annotated[Line | None, FilterLookup("ward__code")] = None
    date_from: Annotated[SaneDate | None, FilterLookup("report_date__gte")] = None
    date_to: Annotated[SaneDate | None, FilterLookup("report_date__lte")] = None


class SignalFilterSchema(ListFilters):
    day: SaneDate | None = None  # which day's results: the query picks it (the latest by default)
    disease: DiseaseCode | None = None
    area: Line | None = None
    alarm: bool | None = None

    def filter_day(self, value: object) -> Q:
        return Q()


class ForecastFilterSchema(ListFilters):
    target: Line | None = None
    disease: DiseaseCode | None = None
    area: Line | None = None
    unit: Annotated[Line | None, FilterLookup("unit__code")] = None

    def filter_area(self, value: str | None) -> Q:
        return Q(ward__isnull=True) if value == Signal.CITY else Q(ward__code=value)


class CaseFilterSet(PageFilters):
    """The line list page's disease (its select is drawn by the template)."""

    disease = django_filters.ChoiceFilter(choices=Disease.choices)
