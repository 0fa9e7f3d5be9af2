"""The events epidemic surveillance publishes: case reports, detection alarms, bed forecasts."""

from __future__ import annotations

from typing_extensions import TypedDict

from opscenter.core.events import declare

SOURCE = "surveillance"
CASE_KINDS = ("case.reported", "case.updated", "case.cancelled")
SIGNAL, FORECAST = "surveillance.signal", "surveillance.forecast"


class CaseChanged(TypedDict):
    case_id: int
    disease: str
    ward: str  # ward code
    onset_date: str  # ISO date
    report_date: str
    classification: str
    version: int


class SignalRaised(TypedDict):
    day: str  # ISO date
    disease: str
    area: str  # ward code, or "" city-wide
    area_name: str
    method: str
    observed: float
    expected: float | None
    threshold: float | None
    series: list[int | float]
    series_unit: str  # "day" or "week"


class ForecastMade(TypedDict):
    series_key: str
    run_date: str  # ISO date
    target: str
    bed_type: str
    capacity: int | None
    dates: list[str]
    mean: list[float]
    upper80: list[float]
    upper95: list[float]


declare(SOURCE, CASE_KINDS, CaseChanged, doc="A case report was stored, corrected or cancelled.")
declare(SOURCE, SIGNAL, SignalRaised, doc="A detection method's alarm on a disease in an area (unit: department).")
declare(SOURCE, FORECAST, ForecastMade, doc="A hospital's bed-demand forecast of the day.")
