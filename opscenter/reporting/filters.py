"""Query filters of the report list (API)."""

from __future__ import annotations

from typing import Annotated

from ninja import FilterLookup

from opscenter.core.filters import ListFilters
from opscenter.core.inputs import Line, SaneDate


class ReportFilterSchema(ListFilters):
    RANGES = (("period_from", "period_to"),)

    data_set: Annotated[Line | None, FilterLookup("data_set__code")] = None
    unit: Annotated[Line | None, FilterLookup("unit__code")] = None
    period_from: Annotated[SaneDate | None, FilterLookup("period__gte")] = None
    period_to: Annotated[SaneDate | None, FilterLookup("period__lte")] = None
    status: Line | None = None
