"""The JSON API's input types, in one place: every schema and query parameter that takes a count, a rate, a
date, a time or a piece of text uses one of these, so that what the database, the FHIR resources, the
forecasts and the PDF minutes cannot hold is refused at the door (422 naming the field), never stored.

- Counts fit FHIR's 32-bit `integer` (0..2,147,483,647); identifiers fit the 64-bit primary keys.
- Measured numbers (coordinates, speeds, durations) are finite (no `inf`, `nan`, `1e999`) and bounded.
- Dates and times lie in 1900..2200. A time without a time zone is local time (Asia/Ho_Chi_Minh, the
  `TIME_ZONE` setting); every time is kept aware.
- Text has no lone surrogates (they cannot be encoded as UTF-8) and no control characters (PostgreSQL
  refuses NUL); free text (`Text`) may hold line breaks and tabs. Lengths match the model fields.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, GetCoreSchemaHandler, TypeAdapter, WithJsonSchema
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from .errors import ValidationFailed

INT32_MAX = 2_147_483_647  # FHIR integer, PostgreSQL integer
ID_MAX = 9_223_372_036_854_775_807  # BigAutoField
MIN_YEAR, MAX_YEAR = 1900, 2200
MIN_DATE, MAX_DATE = dt.date(MIN_YEAR, 1, 1), dt.date(MAX_YEAR, 12, 31)

# Lone surrogates, and C0/C1 control characters; free text keeps tab, line feed and carriage return.
_SURROGATES = "\ud800-\udfff"
_CONTROLS_IN_TEXT = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BAD_IN_LINE = re.compile(f"[{_SURROGATES}{_CONTROLS_IN_TEXT}\t\n\r]")
_BAD_IN_TEXT = re.compile(f"[{_SURROGATES}{_CONTROLS_IN_TEXT}]")


def _refuse(kind: str, message: str) -> PydanticCustomError:
    # A custom error keeps the message as written (no "Value error, " prefix) for the API's 422 body.
    return PydanticCustomError(kind, message)


def _check_chars(pattern: re.Pattern[str], value: str) -> str:
    bad = pattern.search(value)
    if bad is not None:
        char = bad.group()
        if "\ud800" <= char <= "\udfff":
            raise _refuse("invalid_character", _("contains an invalid character (a lone surrogate)"))
        raise _refuse("control_character", _("contains a control character (U+%(code)04X)") % {"code": ord(char)})
    return value


def clean_line(value: str) -> str:
    return _check_chars(_BAD_IN_LINE, value)


def clean_text(value: str) -> str:
    return _check_chars(_BAD_IN_TEXT, value)


@dataclass(frozen=True)
class CleanStr:
    """One line of text (a code, a name, a title), at most `max_length` characters:
    `title: Annotated[str, CleanStr(255)]`."""

    max_length: int
    min_length: int = 0

    def _check(self, value: str) -> str:
        return clean_line(value)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        inner = core_schema.str_schema(min_length=self.min_length, max_length=self.max_length)
        return core_schema.no_info_after_validator_function(self._check, inner)


@dataclass(frozen=True)
class Text(CleanStr):
    """Free text, line breaks and tabs allowed: `content: Annotated[str, Text()]` (TextField, 20,000 characters
    unless told)."""

    max_length: int = 20_000

    def _check(self, value: str) -> str:
        return clean_text(value)


def clean_json(value: Any, path: str = "") -> Any:
    """A JSON document read by hand (camera configurations, worker messages): every key and string free of lone
    surrogates and control characters other than line breaks and tabs, and every number finite; else 422 naming
    where."""
    if isinstance(value, str):
        try:
            clean_text(value)
        except PydanticCustomError as exc:
            raise ValidationFailed.one(path or "body", exc.message()) from None
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValidationFailed.one(path or "body", _("must be a finite number"))
    elif isinstance(value, dict):
        for key, item in value.items():
            clean_json(key, path)
            clean_json(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            clean_json(item, f"{path}[{i}]")
    return value


def form_value(kind: Any, raw: str | None, field: str) -> Any:
    """A web form's raw value read as the API reads it (`form_value(LocalDateTime, post.get("deadline"),
    "deadline")`): the same type, bounds and messages; None when left empty; else ValidationFailed naming it."""
    if raw is None or not raw.strip():
        return None
    try:
        return TypeAdapter(kind).validate_python(raw.strip())
    except PydanticValidationError as exc:
        raise ValidationFailed.one(field, exc.errors()[0]["msg"]) from None


def check_form(data: Mapping[str, Any]) -> None:
    """Every field a web form posted free of control characters other than line breaks and tabs (PostgreSQL
    refuses NUL); ValidationFailed naming the first that is not."""
    getlist = getattr(data, "getlist", None)  # a QueryDict holds lists
    for name in data:
        for value in getlist(name) if getlist else [data[name]]:
            clean_json(value, name)


def django_date(value: dt.date) -> None:
    """A Django form validator with the API's date range."""
    try:
        check_date(value)
    except PydanticCustomError as exc:
        raise DjangoValidationError(exc.message(), code="date_range") from None


class DateField(forms.DateField):
    """A web form's date with the API's range (1900..2200)."""

    default_validators = [django_date]


def check_date(value: dt.date) -> dt.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise _refuse("date_range", _("must lie between %(min)s and %(max)s") % {"min": MIN_YEAR, "max": MAX_YEAR})
    return value


def within_int32(value: float) -> float:
    """A number a 32-bit integer field can hold (reports' values); ValueError says why not."""
    if not math.isfinite(value):
        raise ValueError(_("must be a finite number"))
    if value > INT32_MAX:
        raise ValueError(_("must be at most %(max)s") % {"max": INT32_MAX})
    if value < -INT32_MAX - 1:
        raise ValueError(_("must be at least %(min)s") % {"min": -INT32_MAX - 1})
    return value


def local_time_zone() -> dt.tzinfo:
    return ZoneInfo(settings.TIME_ZONE)


def check_datetime(value: dt.datetime) -> dt.datetime:
    """In range, and aware: a time without a zone is local time."""
    check_date(value.date())
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=local_time_zone())
    return value


Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
"""How many of something (beds, patients, people, minutes): 0..2,147,483,647."""

Int32 = Annotated[int, Field(ge=-INT32_MAX - 1, le=INT32_MAX)]

Id = Annotated[int, Field(ge=1, le=ID_MAX)]
"""A database identifier (path parameters, references to files, alerts, documents...)."""

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]

SaneDate = Annotated[dt.date, AfterValidator(check_date)]
"""A calendar date in 1900..2200."""

LocalDateTime = Annotated[dt.datetime, AfterValidator(check_datetime)]
"""A time in 1900..2200; without a time zone it is Asia/Ho_Chi_Minh local time."""


def ordered(start: Any, end: Any, end_field: str, start_field: str) -> None:
    """Refuse a range that ends before it starts (query parameters; schemas check their own pairs)."""
    if start is not None and end is not None and end < start:
        raise ValidationFailed.one(end_field, _("must not be before %(field)s") % {"field": start_field})

Username = Annotated[str, CleanStr(150)]
"""A person, by login name."""

Line = Annotated[str, CleanStr(200)]
"""A query parameter's text (a code to filter on, a search): one line."""

Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]

TimeOfDay = Annotated[dt.time, WithJsonSchema({
    "type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$",
    "description": "Local time of day (Asia/Ho_Chi_Minh), HH:MM[:SS]"})]
"""A time of day without a zone (JSON Schema's `time` format would demand one)."""
