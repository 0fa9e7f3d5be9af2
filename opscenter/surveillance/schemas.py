import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from opscenter.core.inputs import CleanStr, Count, SaneDate, Text

Choice = Annotated[str, CleanStr(16)]  # disease, sex, classification, outcome
Code = Annotated[str, CleanStr(32)]  # wards, facilities


class CaseIn(Schema):
    disease: Choice = Field(examples=["dengue"])
    onset_date: SaneDate
    report_date: SaneDate
    age_years: Count = Field(description="Age in whole years (0-120)")
    sex: Choice = Field("unknown", examples=["female"])
    ward: Code = Field(description="Ward code of residence", examples=["27343"])
    facility: Code = Field(description="Code of the reporting facility", examples=["BV-CHORAY"])
    classification: Choice = Field(examples=["confirmed"], description="suspected, probable or confirmed")
    hospitalised: bool = False
    outcome: Choice = "unknown"
    patient_id: Annotated[str, CleanStr(40)] = Field("", description="National ID or insurance number; only a "
                                                     "keyed hash is kept, to merge reports of the same patient")
    patient_name: Annotated[str, CleanStr(120)] = ""
    date_of_birth: SaneDate | None = None
    phone: Annotated[str, CleanStr(32)] = ""
    idempotency_key: Annotated[str, CleanStr(128)] | None = Field(None, description="Or the Idempotency-Key header")


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


class CaseReportOut(Schema):
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


class CaseChanges(Schema):
    """The values to correct; those not sent (or null) stay as they are."""

    model_config = ConfigDict(extra="forbid")

    disease: Choice | None = None
    onset_date: SaneDate | None = None
    report_date: SaneDate | None = None
    age_years: Count | None = None
    sex: Choice | None = None
    ward: Code | None = None
    classification: Choice | None = None
    hospitalised: bool | None = None
    outcome: Choice | None = None


class CorrectionIn(Schema):
    changes: CaseChanges = Field(examples=[{"classification": "confirmed"}])
    reason: Annotated[str, Text(500)]
    base_version: Count | None = Field(None, description="The case version the correction starts from "
                                     "(or If-Match); if the case changed since: 409 with what changed")


class CancelIn(Schema):
    reason: Annotated[str, Text(500)]


class CaseCountOut(Schema):
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
    mase_by_horizon: list[float] = Field(description="The model's backtest MASE 1, 2, ... days ahead")
    mase_baseline_by_horizon: list[float] = Field(description="The seasonal naive forecast's, by horizon")
    shown: str = Field(description="model; naive: the seasonal naive forecast is in mean and the intervals, the "
                                   "model having beaten it on no day ahead in the backtest (or not been checked); "
                                   "mixed: naive on the days ahead in naive_days, the model on the others")
    naive_days: list[int] = Field(description="The days ahead (1: the next day) showing the naive forecast")
    shown_method: str = Field(description="The method of mean and the intervals: AutoETS, SeasonalNaive, or "
                                          "AutoETS+SeasonalNaive (mixed)")
    shown_reason: str = Field(description="Why the naive forecast is shown, in the reader's language (empty when "
                                          "the model is)")
    model_mean: list[float] = Field(description="The model's forecast, shown or not")
