import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from opscenter.core.inputs import INT32_MAX, CleanStr, Count, SaneDate, Text, TimeOfDay, clean_line, within_int32


def _value(raw: Any) -> Any:
    """What a report's value may be on the way in: a number a 32-bit integer can hold, or a number as text (the
    web form's way); the data set's definition (reporting.validation) then checks type and range."""
    try:
        if raw is None or isinstance(raw, bool):
            return raw  # refused by the data set's check with its own message
        if isinstance(raw, int | float):
            return within_int32(raw)
        if isinstance(raw, str) and len(raw) <= 32:
            return clean_line(raw)
    except ValueError as exc:
        raise PydanticCustomError("report_value", str(exc)) from None
    raise PydanticCustomError("report_value", _("must be a number"))


ReportValue = Annotated[Any, PlainValidator(_value), WithJsonSchema({"anyOf": [
    {"type": "integer", "minimum": -INT32_MAX - 1, "maximum": INT32_MAX},
    {"type": "number", "minimum": -INT32_MAX - 1, "maximum": INT32_MAX},
    {"type": "string", "maxLength": 32},
    {"type": "null"},
]})]


class ReportIn(Schema):
    data_set: Annotated[str, CleanStr(32)] = Field(examples=["HOSP_DAILY"])
    unit: Annotated[str, CleanStr(32)] = Field(description="Unit code", examples=["BV-CHORAY"])
    period: SaneDate
    values: dict[Annotated[str, CleanStr(64)], ReportValue] = Field(
        examples=[{"beds_icu_total": 120, "beds_icu_occupied": 104}])
    comment: Annotated[str, Text(500)] = ""
    idempotency_key: Annotated[str, CleanStr(128)] | None = Field(None, description="Or the Idempotency-Key header")
    base_version: Count | None = Field(
        None, description="When editing: the version the values start from (0: none was stored), or the "
        "If-Match header. A newer version stored since is a 409 listing what changed.")


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
    due_time: TimeOfDay
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
