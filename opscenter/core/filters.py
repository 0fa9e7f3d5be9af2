"""The list operations' query filters, declared as django-ninja `FilterSchema`s (`filters: Query[AlertFilterSchema]`)
over the input types of `core.inputs`, so a bad value is a 422 naming the parameter. Each operation applies them
to its scoped query (`filters.filter(visible_alerts(user))`): the user's scope comes first."""

from __future__ import annotations

from typing import Any, ClassVar

from ninja import FilterSchema
from pydantic import model_validator

from .inputs import ordered


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
