"""Never double booking: many people trying for the same last places at once."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import signing
from django.db import connection, connections
from django.utils import timezone

from opscenter.booking import services
from opscenter.booking.models import Appointment, Slot
from opscenter.booking.tests.conftest import PERSON
from opscenter.core.errors import Conflict
from opscenter.org.roles import Role

ATTEMPTS = 200


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers: PostgreSQL (SQLite has one)")
def test_200_people_at_once_get_exactly_the_3_places_of_a_slot(live_city, clinic):
    slot = next(s for s in Slot.objects.filter(service=clinic).order_by("start") if s.start > timezone.now()
                + dt.timedelta(hours=1))
    assert slot.capacity == 3
    tokens = [signing.TimestampSigner(salt=services.PHONE_SALT).sign(f"09{i:08d}") for i in range(ATTEMPTS)]

    def attempt(token: str) -> str:
        try:
            services.book(slot.pk, PERSON, token, consent=True)
            return "booked"
        except Conflict:
            return "full"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, tokens))
    assert outcomes.count("booked") == 3 and outcomes.count("full") == ATTEMPTS - 3
    assert Appointment.objects.filter(slot=slot).count() == 3
    assert sorted(Appointment.objects.filter(slot=slot).values_list("queue_number", flat=True)) == [1, 2, 3]
    assert Slot.objects.get(pk=slot.pk).booked == 3
    assert connection.vendor == "postgresql"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers: PostgreSQL (SQLite has one)")
def test_doctors_calling_at_once_each_get_a_different_person(live_city, clinic):
    now = timezone.now()
    slot = Slot.objects.filter(service=clinic, start__gt=now + dt.timedelta(days=2)).order_by("start")[0]
    Slot.objects.filter(pk=slot.pk).update(start=now - dt.timedelta(minutes=5), end=now + dt.timedelta(minutes=10),
                                           walk_ins=6)
    desk = live_city.user(Role.HOSPITAL_MANAGER, "A")
    for i in range(6):
        services.add_walk_in(desk, slot, services.Person(name=f"Người {i}", birth_date=None), f"09870000{i:02d}")

    def call(_turn: int) -> int | None:
        try:
            return services.call_next(desk, clinic).queue_number
        except Conflict:
            return None
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        called = list(pool.map(call, range(8)))
    assert sorted(n for n in called if n is not None) == [1, 2, 3, 4, 5, 6] and called.count(None) == 2
    assert Appointment.objects.filter(slot=slot, status="fulfilled", called_at__isnull=False).count() == 6


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers: PostgreSQL (SQLite has one)")
def test_copies_of_one_hospital_request_sent_at_once_book_once(live_city, clinic):
    """A hospital system that sends its booking again before the first answer came (a timeout, a retry queue)."""
    slot = next(s for s in Slot.objects.filter(service=clinic).order_by("start") if s.start > timezone.now()
                + dt.timedelta(hours=1))
    staff = live_city.user(Role.HOSPITAL_MANAGER, "A")

    def attempt(_: int) -> str:
        try:
            return services.book_for_hospital(staff, slot.pk, PERSON, "0912345678", "urn:his|B-77")[0].code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = set(pool.map(attempt, range(8)))
    assert len(codes) == 1
    assert Appointment.objects.filter(slot=slot).count() == 1 and Slot.objects.get(pk=slot.pk).booked == 1
