"""Forms of the reporting pages: the report form (built from the data set's definition) and the filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.forms import BoundField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.core import inputs
from opscenter.org.models import BedType, Unit

from .definitions import BED_TYPES
from .models import DataElement, DataSet, Report

VALUE_PREFIX = "values."
GRID_MEASURES = [DataElement.Measure.TOTAL, DataElement.Measure.OCCUPIED, DataElement.Measure.AVAILABLE]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def bed_type_label(code: str) -> str:
    return str(BedType(code).label) if code in BED_TYPES else code


@dataclass
class BedRow:
    bed_type: str
    label: str
    cells: list[BoundField | None]


@dataclass
class Group:
    category: str
    label: str
    fields: list[BoundField] = field(default_factory=list)
    grid: list[BedRow] = field(default_factory=list)


class ReportForm(forms.Form):
    """One report: unit, period, one field per data element named `values.<code>`, and a comment.

    Values are taken as typed and checked by the reporting service, so the form shows the same messages
    as the API; the service's errors are attached to these fields by name.
    """

    unit = forms.ChoiceField(label=_("Unit"))
    period = inputs.DateField(label=_("Period"), widget=DateInput())
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))
    # What the values were loaded from, "unit|period|version" (version 0: nothing stored), so that a save
    # after someone else stored a newer version is refused instead of reverting their values.
    base = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, data_set: DataSet, units: Iterable[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.data_set = data_set
        self.elements = list(data_set.elements.all())
        cast(forms.ChoiceField, self.fields["unit"]).choices = [(u.code, f"{u} ({u.code})") for u in units]
        self.fields["period"].widget.attrs["max"] = timezone.localdate().isoformat()
        for element in self.elements:
            self.fields[VALUE_PREFIX + element.code] = forms.CharField(
                label=element.label, required=element.required, strip=True,
                widget=forms.TextInput(attrs={
                    "inputmode": "decimal" if element.value_type == DataElement.ValueType.NUMBER else "numeric",
                    "autocomplete": "off", "class": "num", "data-code": element.code,
                    "data-measure": element.measure, "data-bed-type": element.bed_type,
                }),
            )

    def values(self) -> dict[str, Any]:
        """The values typed in (empty ones left out), keyed by element code."""
        source = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        out: dict[str, Any] = {}
        for element in self.elements:
            name = VALUE_PREFIX + element.code
            raw = source.get(name) if name in source else (self.data.get(name) or "").strip()
            if raw not in (None, ""):
                out[element.code] = raw
        return out

    def base_version(self) -> int | None:
        """The version the typed values started from, for the unit and period being saved. Values loaded for
        another unit or period started from nothing stored here (0); no base at all: not checked."""
        raw = self.cleaned_data.get("base") or ""
        if not raw:
            return None
        unit, _sep, rest = raw.partition("|")
        period, _sep, version = rest.partition("|")
        same = unit == self.cleaned_data.get("unit") and period == str(self.cleaned_data.get("period"))
        return int(version) if same and version.isdigit() else 0

    def add_service_error(self, field_name: str, message: str) -> None:
        self.add_error(field_name if field_name in self.fields else None, message)

    def groups(self) -> list[Group]:
        """Fields grouped by category in the data set's order; beds as a grid of type × measure."""
        groups: dict[str, Group] = {}
        grid: dict[str, dict[str, BoundField]] = {}
        for element in self.elements:
            group = groups.setdefault(
                element.category, Group(element.category, str(DataElement.Category(element.category).label)
                                        if element.category in DataElement.Category.values else element.category)
            )
            bound = self[VALUE_PREFIX + element.code]
            if element.bed_type and element.measure in GRID_MEASURES:
                if element.bed_type not in grid:
                    grid[element.bed_type] = {}
                    group.grid.append(BedRow(element.bed_type, bed_type_label(element.bed_type), []))
                grid[element.bed_type][element.measure] = bound
            else:
                group.fields.append(bound)
        for group in groups.values():
            for row in group.grid:
                row.cells = [grid[row.bed_type].get(m) for m in GRID_MEASURES]
        return list(groups.values())

    @staticmethod
    def grid_headers() -> list[str]:
        return [str(DataElement.Measure(m).label) for m in GRID_MEASURES]


def base_token(unit: str, period: dt.date, version: int) -> str:
    return f"{unit}|{period.isoformat()}|{version}"


def report_initial(report: Report | None, unit: str | None, period: dt.date) -> dict[str, Any]:
    initial: dict[str, Any] = {"period": period}
    if unit:
        initial["unit"] = unit
        initial["base"] = base_token(unit, period, report.version if report else 0)
    if report is not None:
        initial |= {VALUE_PREFIX + code: plain_number(v) for code, v in report.values.items()}
    return initial


def plain_number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


class CompletenessFilter(forms.Form):
    data_set = forms.ChoiceField(label=_("Data set"), required=False)
    date = inputs.DateField(label=_("Day"), required=False, widget=DateInput())

    def __init__(self, *args: Any, data_sets: Iterable[DataSet], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["data_set"]).choices = [(d.code, d.label) for d in data_sets]
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
