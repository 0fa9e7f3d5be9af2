"""Reads of bookings for pages, the API and other apps: free times, the services on offer, a desk's day."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet
from django.utils import timezone

from opscenter.org.models import User

from .models import Appointment, Service, Slot

MAX_DAYS = 28


def services_on_offer(specialty: str | None = None, unit: str | None = None,
                      insurance: bool | None = None) -> QuerySet[Service]:
    found = Service.objects.filter(active=True, unit__active=True).select_related("unit", "unit__ward")
    if specialty:
        found = found.filter(specialty=specialty)
    if unit:
        found = found.filter(unit__code=unit)
    if insurance is not None:
        found = found.filter(accepts_insurance=insurance)
    return found.order_by("unit__name", "name")


def free_slots(*, specialty: str | None = None, service: str | None = None, unit: str | None = None,
               doctor: str | None = None, start: dt.date | None = None, days: int = 14) -> QuerySet[Slot]:
    """Slots with a free place from `start` (today) for `days` days, soonest first, from now on."""
    first = start or timezone.localdate()
    since = max(timezone.make_aware(dt.datetime.combine(first, dt.time.min)), timezone.now())
    until = timezone.make_aware(dt.datetime.combine(first + dt.timedelta(days=min(days, MAX_DAYS)), dt.time.min))
    found = Slot.objects.filter(status=Slot.Status.FREE, start__gt=since, start__lt=until,
                                booked__lt=F("capacity"), service__active=True)
    if specialty:
        found = found.filter(service__specialty=specialty)
    if service:
        found = found.filter(service__code=service)
    if unit:
        found = found.filter(unit__code=unit)
    if doctor:
        found = found.filter(doctor__code=doctor)
    return found.select_related("service", "unit", "doctor").order_by("start", "id")


def desk_day(user: User, day: dt.date, unit: str | None = None) -> QuerySet[Appointment]:
    """The day's bookings of the units in the user's scope (the desk's list), by time and queue number."""
    found = Appointment.objects.filter(slot__start__date=day).filter(user.scope_filter("slot__unit"))
    if unit:
        found = found.filter(slot__unit__code=unit)
    return found.select_related("slot", "slot__service", "slot__unit", "slot__doctor").order_by(
        "slot__start", "queue_number")
