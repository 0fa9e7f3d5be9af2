"""List filters, declared once per list in each app's `filters.py`:

- the API's, as django-ninja `FilterSchema`s (`filters: Query[AlertFilterSchema]`) over the input types of
  `core.inputs`, so a bad value is a 422 naming the parameter;
- the pages', as django-filter `FilterSet`s whose form the page shows (`includes/filter_form.html`) or which read
  what the page's own controls send.

Both are applied to the user's scoped query (`filters.filter(visible_alerts(user))`, `FilterSet(queryset=...)`):
the scope comes first."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from ninja import FilterSchema
from pydantic import model_validator

from .inputs import DateField, ordered


class ListFilters(FilterSchema):
    """A filter left blank (`status=` from a form) filters nothing, as a missing one; a range that ends before it
    starts is refused naming its end (`RANGES = (("period_from", "period_to"),)`)."""

    RANGES: ClassVar[tuple[tuple[str, str], ...]] = ()

    @model_validator(mode="after")
    def _blank_and_ranges(self) -> Any:
        for name in type(self).model_fields:
            if getattr(self, name) == "":
                setattr(self, name, None)
        for start, end in self.RANGES:
            ordered(getattr(self, start), getattr(self, end), end, start)
        return self


class PageFilters(django_filters.FilterSet):
    """A list page's filter form: when a value is refused (shown next to its field), nothing is filtered."""

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(queryset) if self.form.is_valid() else queryset


class DateFilter(django_filters.DateFilter):
    """A date with the API's range (1900..2200)."""

    field_class = DateField
