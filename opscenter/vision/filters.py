"""Query filters of the camera AI lists (API)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.db.models import Q
from ninja import Field, FilterLookup

from opscenter.core.filters import ListFilters
from opscenter.core.inputs import Line


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
