"""The booking demo: clinics of the pilot hospitals with their slots and a usual day's bookings, made through the
services (so the places are never exceeded), and a day that goes on."""

import datetime as dt
import zlib

from django.db.models import Count, F
from django.utils import timezone

from opscenter.booking import demo
from opscenter.booking.models import Appointment, Doctor, Service, Slot


def test_the_demo_seeds_clinics_slots_and_bookings_once(city):
    made = demo.seed()
    print(f"{made} bookings")
    assert made > 50
    assert set(Service.objects.values_list("unit__code", flat=True)) == {"BV-A"}  # the pilot hospital only
    assert Doctor.objects.count() == 2 * Service.objects.count()
    assert not Slot.objects.filter(booked__gt=F("capacity")).exists()
    counted = dict(Appointment.objects.exclude(status="cancelled").values_list("slot").annotate(n=Count("pk")))
    assert all(Slot.objects.get(pk=pk).booked == n for pk, n in counted.items())
    # Sooner days are fuller than later ones.
    today = timezone.localdate()
    soon = Slot.objects.filter(start__date__gte=today, start__date__lte=today + dt.timedelta(days=2))
    later = Slot.objects.filter(start__date__gt=today + dt.timedelta(days=9))
    share = lambda slots: sum(s.booked for s in slots) / max(sum(s.capacity for s in slots), 1)  # noqa: E731
    assert share(soon) > share(later)
    assert demo.seed() == 0  # again: nothing more


def test_the_desk_checks_in_the_people_whose_time_has_come(city):
    demo.seed()
    now = timezone.now()
    slot = Slot.objects.filter(start__gt=now + dt.timedelta(hours=3), booked__gt=0).first()
    Slot.objects.filter(pk=slot.pk).update(start=now + dt.timedelta(minutes=10), end=now + dt.timedelta(minutes=25))
    demo.tick()
    for appointment in Appointment.objects.filter(slot=slot):  # nine in ten come (by their code, in the demo)
        comes = zlib.crc32(appointment.code.encode()) % 10 != 0
        assert appointment.status == ("checked-in" if comes else "booked")
    assert Appointment.objects.filter(status="checked-in").count() >= 1


def test_the_two_weeks_before_today_are_there_as_they_went(city):
    demo.seed()
    now = timezone.now()
    past = Appointment.objects.filter(slot__end__lt=now)
    statuses = dict(past.values_list("status").annotate(n=Count("pk")))
    assert set(statuses) == {"fulfilled", "noshow", "cancelled"}  # nobody left waiting in the past
    came_or_not = statuses["fulfilled"] + statuses["noshow"]
    assert 0.03 < statuses["noshow"] / came_or_not < 0.2  # about one in twelve does not come
    assert past.filter(walk_in=True).exists() and not past.filter(walk_in=True).exclude(status="fulfilled").exists()
    assert not past.filter(status="fulfilled", called_at__isnull=True).exists()
    first = timezone.localtime(past.order_by("slot__start").first().slot.start).date()
    assert (timezone.localdate() - first).days >= 12
    assert not Appointment.objects.filter(slot__start__gt=now).exclude(status="booked").exists()


def test_the_clinics_call_in_the_people_whose_time_has_come(city):
    demo.seed()
    now = timezone.now()
    slot = Slot.objects.filter(start__gt=now + dt.timedelta(hours=3), booked__gt=1).first()
    Slot.objects.filter(pk=slot.pk).update(start=now - dt.timedelta(minutes=2), end=now + dt.timedelta(minutes=13))
    for _ in range(20):  # each tick a clinic calls with a chance of 0.6: three calls all but surely
        demo.tick()
    called = Appointment.objects.filter(slot=slot, status="fulfilled")
    assert called.exists() and not called.filter(called_at__isnull=True).exists()
    assert not Appointment.objects.filter(slot=slot, status="checked-in").exists()  # all called in by now
