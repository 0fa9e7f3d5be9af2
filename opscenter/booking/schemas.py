"""What the booking API takes and answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field

from opscenter.core.inputs import CleanStr, Id, SaneDate


class ServiceOut(Schema):
    code: str
    name: str
    unit: str
    unit_name: str
    ward: str
    specialty: str
    specialty_label: str
    accepts_insurance: bool


class SlotOut(Schema):
    """A time with a free place (queries.slot_rows)."""

    id: int
    start: dt.datetime
    end: dt.datetime
    free: int
    service: str
    service_name: str
    unit: str
    unit_name: str
    doctor: str | None
    doctor_name: str
    room: str


class PhoneIn(Schema):
    phone: Annotated[str, CleanStr(20, min_length=1)]


class PhoneCodeIn(PhoneIn):
    code: Annotated[str, CleanStr(6, min_length=1)]


class PhoneTokenOut(Schema):
    phone_token: str
    valid_minutes: int


class BookingIn(Schema):
    slot: Id
    name: Annotated[str, CleanStr(150)]
    birth_date: SaneDate
    identifier: Annotated[str, CleanStr(20)] = ""
    reason: Annotated[str, CleanStr(300)] = ""
    email: Annotated[str, CleanStr(254)] = Field("", description="Optional: the reminder the day before goes there "
                                                                  "too")
    phone_token: Annotated[str, CleanStr(200, min_length=1)]
    consent: bool = Field(description="The person agrees to the use of their data for this booking "
                                      "(Decree 13/2023/NĐ-CP); required")


class BookingLookupIn(PhoneIn):
    code: Annotated[str, CleanStr(12, min_length=1)]


class BookingCancelIn(PhoneIn):
    reason: Annotated[str, CleanStr(200)] = ""


class BookingRescheduleIn(PhoneIn):
    slot: Id


class DeskCheckInIn(Schema):
    code: Annotated[str, CleanStr(12, min_length=1)]


class AppointmentOut(Schema):
    code: str
    status: str
    status_label: str
    queue_number: int
    walk_in: bool
    name: str
    start: dt.datetime
    end: dt.datetime
    arrive_from: dt.datetime
    unit: str
    unit_name: str
    address: str
    service: str
    service_name: str
    doctor_name: str
    room: str


class CountsOut(Schema):
    """Bookings by what became of them (walk-ins apart); the no-show rate is of `past` (bookings whose time is
    over, cancelled ones aside), `past_missed` of them marked as not come or never checked in."""

    booked: int
    came: int
    no_show: int
    cancelled: int
    waiting: int
    walk_ins: int
    past: int
    past_missed: int
    no_show_rate: float | None


class DayCountsOut(CountsOut):
    day: dt.date


class FacilityFiguresOut(Schema):
    unit: str
    unit_name: str
    total: CountsOut
    days: list[DayCountsOut]


class LeadTimeOut(Schema):
    specialty: str
    specialty_label: str
    next_free: dt.datetime | None
    days: float | None
    facilities: int


class FiguresOut(Schema):
    start: dt.date
    end: dt.date
    total: CountsOut
    facilities: list[FacilityFiguresOut]
    lead_times: list[LeadTimeOut]
