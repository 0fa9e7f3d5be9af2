from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from opscenter.core.inputs import CleanStr, Latitude, LocalDateTime, Longitude, Text

Code = Annotated[str, CleanStr(32)]  # units, ambulances, wards
Speed = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]  # km/h


class IncidentIn(Schema):
    chief_complaint: Annotated[str, CleanStr(255)]
    priority: Annotated[int, Field(ge=1, le=4)]
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    ward: Code = ""
    address: Annotated[str, CleanStr(255)] = ""
    caller_phone: Annotated[str, CleanStr(32)] = ""
    patients: Annotated[int, Field(ge=1, le=500)] = 1
    need: Annotated[str, CleanStr(16)] = ""
    notes: Annotated[str, Text(5000)] = ""
    received_at: LocalDateTime | None = None
    external_id: Annotated[str, CleanStr(64)] | None = Field(None, description="The call-taking system's call id")
    center: Code = ""


class IncidentAssignIn(Schema):
    ambulance: Code
    hospital: Code = ""
    # The destination the client saw ("" for none): if another was set since, the hospital is not applied.
    expected_destination: Code | None = None


class DestinationIn(Schema):
    hospital: Code
    # The destination the client saw ("" for none): if another was set since, 409.
    expected_destination: Code | None = None


class IncidentStatusIn(Schema):
    status: Annotated[str, CleanStr(16)]
    at: LocalDateTime | None = None
    note: Annotated[str, Text(500)] = ""


class IncidentReasonIn(Schema):
    reason: Annotated[str, Text(255)]


class IncidentNoteIn(Schema):
    text: Annotated[str, Text(500)]


class AmbulanceIn(Schema):
    code: Code
    station: Code
    crew: Annotated[str, CleanStr(16)] = "basic"
    equipment: Annotated[str, CleanStr(8)] = "bls"
    plate: Annotated[str, CleanStr(20)] = ""


class AmbulanceStatusIn(Schema):
    status: Annotated[str, CleanStr(16)]


class PositionIn(Schema):
    ambulance: Code
    latitude: Latitude
    longitude: Longitude
    time: LocalDateTime = Field(description="Device time of the reading")
    speed_kmh: Speed | None = None


class SinglePositionIn(Schema):
    latitude: Latitude
    longitude: Longitude
    time: LocalDateTime
    speed_kmh: Speed | None = None


class PositionBatchIn(Schema):
    positions: list[PositionIn] = Field(max_length=5000)


class PositionResultOut(Schema):
    moved: list[str]
    ignored: int


class DiversionIn(Schema):
    active: bool
    reason: Annotated[str, CleanStr(255)] = ""


class DiversionOut(Schema):
    hospital: str
    active: bool
    reason: str
    set_at: dt.datetime
    set_by: str | None
