import datetime as dt
from typing import Any

from ninja import Field, Schema


class ReportIn(Schema):
    data_set: str = Field(examples=["HOSP_DAILY"])
    unit: str = Field(description="Unit code", examples=["BV-CHORAY"])
    period: dt.date
    values: dict[str, Any] = Field(examples=[{"beds_icu_total": 120, "beds_icu_occupied": 104}])
    comment: str = ""
    idempotency_key: str | None = Field(None, description="Or the Idempotency-Key header", max_length=128)


class BatchIn(Schema):
    reports: list[ReportIn] = Field(max_length=5000)


class ReportOut(Schema):
    id: int
    data_set: str
    unit: str
    period: dt.date
    version: int
    is_current: bool
    status: str
    flags: list[str]
    values: dict[str, Any]
    source: str
    submitted_by: str | None
    submitted_at: dt.datetime
    comment: str


class SubmitOut(Schema):
    created: bool
    warnings: list[str]
    report: ReportOut


class ElementOut(Schema):
    code: str
    name: str
    name_en: str
    value_type: str
    unit_of_measure: str
    category: str
    bed_type: str
    measure: str
    required: bool
    min_value: float | None
    max_value: float | None


class RuleOut(Schema):
    code: str
    message: str
    left: list[str]
    operator: str
    right: list[str]
    severity: str


class DataSetOut(Schema):
    code: str
    name: str
    name_en: str
    periodicity: str
    due_time: dt.time
    due_days_after_period: int


class DataSetDetailOut(DataSetOut):
    elements: list[ElementOut]
    rules: list[RuleOut]


class CompletenessOut(Schema):
    unit: str
    unit_name: str
    period: dt.date
    status: str
    first_submitted_at: dt.datetime | None
    versions: int
