"""The booking API: public (the citizen portal and booking apps: services, free times, phone codes, bookings
proved by phone + code) and the hospital desk's (check-in, the day's list)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axes.helpers import get_client_ip_address
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from opscenter.core.errors import ValidationFailed
from opscenter.core.inputs import Line, SaneDate, ordered
from opscenter.core.permissions import needs, public
from opscenter.org.models import Specialty
from opscenter.org.roles import Perm

from . import queries, services
from .models import Appointment, Service
from .schemas import (
    AppointmentOut,
    BookingCancelIn,
    BookingIn,
    BookingLookupIn,
    BookingRescheduleIn,
    DeskCheckInIn,
    FiguresOut,
    PhoneCodeIn,
    PhoneIn,
    PhoneTokenOut,
    ServiceOut,
    SlotOut,
)

router = Router()

COUNT_CAP = 1000


class CappedCountPagination(LimitOffsetPagination):
    """As LimitOffsetPagination, but counting at most COUNT_CAP matches: a city-wide search matches 100,000 free
    slots, and counting them all cost more than the page itself. `count` is then COUNT_CAP ("1,000 or more").
    `rows`, if given, reads the page's slice of the query (e.g. as plain rows)."""

    def __init__(self, rows: Callable[[QuerySet], Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows = rows

    def paginate_queryset(self, queryset: QuerySet, pagination: LimitOffsetPagination.Input, request: HttpRequest,
                          **params: Any) -> Any:
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        page = queryset[offset: offset + limit]
        return {"items": self.rows(page) if self.rows else page, "count": queryset[:COUNT_CAP].count()}

def service_out(s: Service) -> dict:
    return {"code": s.code, "name": s.label, "unit": s.unit.code, "unit_name": str(s.unit),
            "ward": s.unit.ward.name if s.unit.ward else "", "specialty": s.specialty,
            "specialty_label": str(Specialty(s.specialty).label), "accepts_insurance": s.accepts_insurance}


def appointment_out(a: Appointment) -> dict:
    slot = a.slot
    return {"code": a.code, "status": a.status, "status_label": a.get_status_display(),
            "queue_number": a.queue_number, "walk_in": a.walk_in, "name": a.name, "start": slot.start,
            "end": slot.end, "arrive_from": a.arrive_from, "unit": slot.unit.code,
            "unit_name": str(slot.unit), "address": slot.unit.address, "service": slot.service.code,
            "service_name": slot.service.label, "doctor_name": str(slot.doctor) if slot.doctor else "",
            "room": slot.schedule.room}


def _address(request: HttpRequest) -> str | None:
    """The caller's address, by the same rule as the login lockout (django-axes: behind the proxies it trusts)."""
    return get_client_ip_address(request) or None


@router.get("/services", response=list[ServiceOut], auth=None)
@paginate(LimitOffsetPagination)
@public
def list_services(request: HttpRequest, specialty: Specialty | None = None, unit: Line | None = None,
                  insurance: bool | None = None):
    """Services on offer for booking, by specialty, facility or health insurance (BHYT) acceptance."""
    return [service_out(s) for s in queries.services_on_offer(specialty, unit, insurance)]


@router.get("/slots", response=list[SlotOut], auth=None)
@paginate(CappedCountPagination, rows=queries.slot_rows)
@public
def list_free_slots(request: HttpRequest, specialty: Specialty | None = None, service: Line | None = None,
                    unit: Line | None = None, doctor: Line | None = None, start: SaneDate | None = None,
                    days: int = Query(14, ge=1, le=queries.MAX_DAYS)):  # type: ignore[type-arg]
    """Times with a free place, soonest first. `count` stops at 1,000."""
    # The query itself: the pagination slices it in the database (a city-wide search matches 100,000 slots).
    return queries.free_slots(specialty=specialty, service=service, unit=unit, doctor=doctor, start=start,
                              days=days)


@router.post("/phone-codes", response={202: dict}, auth=None)
@public
def send_phone_code(request: HttpRequest, payload: PhoneIn):
    """Send a one-time code to the phone (limited per phone and per address: 429)."""
    services.request_code(payload.phone, _address(request))
    return Status(202, {"sent": True})


@router.post("/phone-verifications", response=PhoneTokenOut, auth=None)
@public
def verify_phone(request: HttpRequest, payload: PhoneCodeIn):
    """Trade the code for a token that proves the phone while booking."""
    token = services.verify_code(payload.phone, payload.code)
    return {"phone_token": token, "valid_minutes": services.setting("VERIFIED_MINUTES")}


@router.post("/appointments", response={201: AppointmentOut}, auth=None)
@public
def book(request: HttpRequest, payload: BookingIn):
    """Book a place: 409 when the time has just been taken, or the phone holds the most bookings allowed."""
    person = services.Person(name=payload.name, birth_date=payload.birth_date, identifier=payload.identifier,
                             reason=payload.reason, email=payload.email)
    appointment = services.book(payload.slot, person, payload.phone_token, payload.consent)
    return Status(201, appointment_out(appointment))


@router.post("/appointments/lookup", response=AppointmentOut, auth=None)
@public
def look_up(request: HttpRequest, payload: BookingLookupIn):
    """A person's own booking, by its code and the phone it was made with."""
    return appointment_out(services.find(payload.code, payload.phone))


@router.post("/appointments/{code}/cancel", response=AppointmentOut, auth=None)
@public
def cancel(request: HttpRequest, code: str, payload: BookingCancelIn):
    return appointment_out(services.cancel(code, payload.phone, payload.reason))


@router.post("/appointments/{code}/reschedule", response=AppointmentOut, auth=None)
@public
def reschedule(request: HttpRequest, code: str, payload: BookingRescheduleIn):
    """Move to another time: the new booking (with a new code) is answered; the old one is cancelled."""
    return appointment_out(services.reschedule(code, payload.phone, payload.slot))


@router.post("/desk/check-in", response=AppointmentOut)
@needs(Perm.RECEIVE_PATIENTS)
def check_in(request: HttpRequest, payload: DeskCheckInIn):
    """The desk scans the booking's QR code: the person has arrived (again: the same answer)."""
    return appointment_out(services.check_in(request.user, payload.code))  # type: ignore[arg-type]


@router.get("/desk/appointments", response=list[AppointmentOut])
@paginate(LimitOffsetPagination)
@needs(Perm.RECEIVE_PATIENTS, Perm.VIEW_BOOKINGS)
def desk_day(request: HttpRequest, day: SaneDate | None = None, unit: Line | None = None):
    """A day's bookings of the facilities in the caller's scope."""
    found = queries.desk_day(request.user, day or timezone.localdate(), unit)  # type: ignore[arg-type]
    return [appointment_out(a) for a in found.select_related("slot__schedule")]


@router.get("/figures", response=FiguresOut)
@needs(Perm.VIEW_BOOKINGS)
def figures(request: HttpRequest, start: SaneDate | None = None, end: SaneDate | None = None,
            unit: Line | None = None):
    """Bookings per facility and day in the caller's scope (by default the last 14 days and the next 14), the
    no-show rates, and the first free time of each specialty city-wide. At most 92 days."""
    ordered(start, end, "end", "start")
    first, last = queries.figures_range(start, end)
    if (last - first).days >= queries.FIGURES_MAX_DAYS:
        raise ValidationFailed.one("end", _("at most %(n)s days from the start") % {"n": queries.FIGURES_MAX_DAYS})
    found = queries.appointment_figures(request.user, first, last, unit)  # type: ignore[arg-type]
    return {"start": first, "end": last, "total": found.total.as_dict(), "lead_times": queries.lead_times(),
            "facilities": [{"unit": f.unit.code, "unit_name": str(f.unit), "total": f.total.as_dict(),
                            "days": [{"day": day, **c.as_dict()} for day, c in f.days.items()]}
                           for f in found.facilities]}
