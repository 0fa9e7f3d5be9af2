from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class IncidentIn(Schema):
    chief_complaint: str = Field(max_length=255)
    priority: int
    latitude: float | None = None
    longitude: float | None = None
    ward: str = ""
    address: str = Field("", max_length=255)
    caller_phone: str = Field("", max_length=32)
    patients: int = 1
    need: str = ""
    notes: str = Field("", max_length=5000)
    received_at: dt.datetime | None = None
    external_id: str | None = Field(None, max_length=64, description="The call-taking system's call id")
    center: str = ""


class AssignIn(Schema):
    ambulance: str
    hospital: str = ""
    # The destination the client saw ("" for none): if another was set since, the hospital is not applied.
    expected_destination: str | None = None


class DestinationIn(Schema):
    hospital: str
    # The destination the client saw ("" for none): if another was set since, 409.
    expected_destination: str | None = None


class StatusIn(Schema):
    status: str
    at: dt.datetime | None = None
    note: str = Field("", max_length=500)


class ReasonIn(Schema):
    reason: str = Field(max_length=255)


class NoteIn(Schema):
    text: str = Field(max_length=500)


class AmbulanceIn(Schema):
    code: str = Field(max_length=32)
    station: str
    crew: str = "basic"
    equipment: str = "bls"
    plate: str = Field("", max_length=20)


class AmbulanceStatusIn(Schema):
    status: str


class PositionIn(Schema):
    ambulance: str
    latitude: float
    longitude: float
    time: dt.datetime = Field(description="Device time of the reading")
    speed_kmh: float | None = None


class SinglePositionIn(Schema):
    latitude: float
    longitude: float
    time: dt.datetime
    speed_kmh: float | None = None


class PositionBatchIn(Schema):
    positions: list[PositionIn] = Field(max_length=5000)


class PositionResultOut(Schema):
    moved: list[str]
    ignored: int


class DiversionIn(Schema):
    active: bool
    reason: str = Field("", max_length=255)


class DiversionOut(Schema):
    hospital: str
    active: bool
    reason: str
    set_at: dt.datetime
    set_by: str | None
