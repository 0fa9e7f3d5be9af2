"""Filters of the camera AI lists: the API's query parameters and the events page's form."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy, pgettext_lazy
from ninja import Field, FilterLookup

from opscenter.alerts.models import Alert
from opscenter.core.filters import DateFilter, ListFilters, PageFilters
from opscenter.core.inputs import Line

from .models import Camera, VisionEvent

ALL = gettext_lazy("All")


class CameraFilterSchema(ListFilters):
    unit: Annotated[Line | None, FilterLookup("unit__code")] = None
    status: Line | None = None


class ZoneCountFilterSchema(ListFilters):
    zone: Line | None = None
    hours: Annotated[float, Field(gt=0, le=24 * 31, allow_inf_nan=False)] = 24

    def filter_hours(self, value: float) -> Q:
        return Q(time__gte=dt.datetime.now(dt.UTC) - dt.timedelta(hours=value))


class VisionEventFilterSchema(ListFilters):
    camera: Annotated[Line | None, FilterLookup("camera__code")] = None
    kind: Line | None = None
    unit: Annotated[Line | None, FilterLookup("unit__code")] = None


class WatchEntryFilterSchema(ListFilters):
    active: bool | None = True  # null: withdrawn entries too


class EventFilterSet(PageFilters):
    camera = django_filters.ChoiceFilter(label=gettext_lazy("Camera"), empty_label=ALL, field_name="camera__code")
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Analytic"), empty_label=ALL,
                                       choices=VisionEvent.Kind.choices)
    alert = django_filters.ChoiceFilter(label=gettext_lazy("Alert"), empty_label=ALL, method="filter_alert", choices=[
        ("open", pgettext_lazy("alert status", "Open")), ("false_alarm", gettext_lazy("False alarm")),
        ("none", gettext_lazy("No alert"))])
    since = DateFilter(label=gettext_lazy("From"), field_name="started_at__date", lookup_expr="gte",
                       widget=forms.DateInput(attrs={"type": "date"}))
    until = DateFilter(label=gettext_lazy("To"), field_name="started_at__date", lookup_expr="lte",
                       widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, cameras: list[Camera], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["camera"].extra["choices"] = [(c.code, f"{c.code} · {c.name}") for c in cameras]

    def filter_alert(self, queryset: QuerySet[VisionEvent], name: str, value: str) -> QuerySet[VisionEvent]:
        if value == "open":
            return queryset.filter(alert__isnull=False).exclude(alert__status=Alert.Status.RESOLVED)
        if value == "false_alarm":
            return queryset.filter(alert__resolution=Alert.Resolution.FALSE_ALARM)
        return queryset.filter(alert__isnull=True)
