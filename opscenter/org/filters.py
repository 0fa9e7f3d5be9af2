"""Query filters of the organisation lists (API)."""

from __future__ import annotations

from opscenter.core.filters import ListFilters
from opscenter.core.inputs import Line


class UnitFilterSchema(ListFilters):
    kind: Line | None = None
