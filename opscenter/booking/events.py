"""The events bookings publish: the operations center counts bookings per hospital and day as a load indicator."""

from __future__ import annotations

import datetime as dt

from typing_extensions import TypedDict

from opscenter.core.events import declare

SOURCE = "booking"
BOOKED, CANCELLED, CHECKED_IN, NO_SHOW = ("appointment.booked", "appointment.cancelled", "appointment.checked_in",
                                          "appointment.noshow")


class AppointmentChanged(TypedDict):
    """No personal data: the booking's code, where and when."""
    code: str
    service: str
    specialty: str
    start: dt.datetime
    status: str
    walk_in: bool


declare(SOURCE, [BOOKED, CANCELLED, CHECKED_IN, NO_SHOW], AppointmentChanged,
        doc="A booking made, cancelled, checked in at the desk or marked as not come (no personal data).")


CALLED = "appointment.called"


class QueueCalled(TypedDict):
    """A clinic called the next person in: the number the queue screen shows, never who it is."""
    code: str
    service: str
    start: dt.datetime
    queue_number: int
    room: str


declare(SOURCE, CALLED, QueueCalled,
        doc="A clinic called the next checked-in person in (the queue screen's number; no personal data).")


LEAD_TIME = "booking.lead_time"


class LeadTime(TypedDict):
    """How far ahead the first free appointment of a specialty is, city-wide (published by the hourly check)."""
    specialty: str
    specialty_label: str
    next_free: dt.datetime | None
    days: float | None  # None: nothing free in the slots made (two weeks)
    facilities: int


declare(SOURCE, LEAD_TIME, LeadTime, read_by="alerts",
        doc="The lead time to the first free appointment of each specialty offered, city-wide, every hour.")


SCHEDULE_CHANGED = "schedule.changed"


class ScheduleChanged(TypedDict):
    """A weekly template made, changed, switched off or on: its slots from `from_day` are remade; `kept` booked
    times stay as they were."""
    schedule: int
    service: str
    doctor: str | None
    change: str  # "created" | "changed" | "deactivated" | "activated"
    from_day: dt.date
    kept: int


declare(SOURCE, SCHEDULE_CHANGED, ScheduleChanged,
        doc="A hospital's weekly appointment template made or changed; its free slots remade from a day.")


SCHEDULE_CLOSED, SCHEDULE_REOPENED = "schedule.closed", "schedule.reopened"


class ScheduleClosure(TypedDict):
    """Days closed (leave, holiday) or reopened: on how many templates, slots, and bookings cancelled. The reason
    is not carried (it may say why a doctor is away)."""
    first: dt.date
    last: dt.date
    schedules: int
    slots: int
    cancelled: int


declare(SOURCE, [SCHEDULE_CLOSED, SCHEDULE_REOPENED], ScheduleClosure,
        doc="Appointment days closed at a hospital (bookings on them cancelled, people told) or reopened.")
