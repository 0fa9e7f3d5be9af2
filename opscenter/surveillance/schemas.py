import datetime as dt
from typing import Any

from ninja import Field, Schema


class CaseIn(Schema):
    disease: str = Field(examples=["dengue"])
    onset_date: dt.date
    report_date: dt.date
    age_years: int = Field(description="Age in whole years (0-120)")
    sex: str = Field("unknown", examples=["female"])
    ward: str = Field(description="Ward code of residence", examples=["27343"])
    facility: str = Field(description="Code of the reporting facility", examples=["BV-CHORAY"])
    classification: str = Field(examples=["confirmed"], description="suspected, probable or confirmed")
    hospitalised: bool = False
    outcome: str = "unknown"
    patient_id: str = Field("", max_length=40, description="National ID or insurance number; only a keyed hash "
                                                           "is kept, to merge reports of the same patient")
    patient_name: str = Field("", max_length=120)
    date_of_birth: dt.date | None = None
    phone: str = Field("", max_length=32)
    idempotency_key: str | None = Field(None, max_length=128, description="Or the Idempotency-Key header")


class CaseBatchIn(Schema):
    cases: list[CaseIn] = Field(max_length=2000)


class CaseOut(Schema):
    """Without personal data: what reporters and aggregate viewers get back. `id` and `version` are null when a
    report merged into a case outside the caller's scope (the answer then holds the report's own values)."""

    id: int | None
    disease: str
    onset_date: dt.date
    report_date: dt.date
    age_group: str
    sex: str
    ward: str
    facility: str
    classification: str
    hospitalised: bool
    outcome: str
    status: str
    version: int | None


class CaseDetailOut(CaseOut):
    age_years: int
    patient_name: str
    date_of_birth: dt.date | None
    phone: str
    personal_data_erased: bool


class ReportOut(Schema):
    kind: str
    facility: str
    source: str
    values: dict[str, Any]
    previous: dict[str, Any]
    reason: str
    version: int
    submitted_by: str | None
    submitted_at: dt.datetime


class CaseResultOut(Schema):
    created: bool
    merged: bool
    detail: str = ""  # "merged with an existing case" when merged
    case: CaseOut


class CorrectionIn(Schema):
    changes: dict[str, Any] = Field(examples=[{"classification": "confirmed"}])
    reason: str
    base_version: int | None = Field(None, ge=0, description="The case version the correction starts from "
                                     "(or If-Match); if the case changed since: 409 with what changed")


class CancelIn(Schema):
    reason: str


class CountOut(Schema):
    period: dt.date
    disease: str
    group: str | None
    count: int


class ReportCountOut(Schema):
    period: dt.date
    facility: str
    count: int


class IncidenceOut(Schema):
    ward: str
    name: str
    population: int | None
    cases: int
    per_100k: float | None
    latitude: float | None
    longitude: float | None


class SignalOut(Schema):
    day: dt.date
    disease: str
    area: str
    area_name: str
    method: str
    observed: float
    expected: float | None
    threshold: float | None
    alarm: bool
    series: list[int]


class RtOut(Schema):
    dates: list[dt.date]
    mean: list[float]
    lower: list[float]
    upper: list[float]
    serial_interval: list[float]
    window: int


class ForecastOut(Schema):
    series_key: str
    run_date: dt.date
    target: str
    disease: str
    ward: str | None
    unit: str | None
    bed_type: str
    capacity: int | None
    model: str
    dates: list[dt.date]
    mean: list[float]
    lower80: list[float]
    upper80: list[float]
    lower95: list[float]
    upper95: list[float]
    baseline: list[float]
    history: list[float]
    mae: float | None
    mae_baseline: float | None
    mase: float | None
    mase_baseline: float | None
    beats_baseline: bool | None
