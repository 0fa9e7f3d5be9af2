"""The operations center's appointment figures: bookings per facility and day, the no-show rate, the lead
times, on the page, in the API and on the overview; each hospital sees only its own."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from opscenter.booking import services
from opscenter.booking.models import Appointment, Doctor, Schedule, Service, Slot
from opscenter.booking.tests.conftest import PERSON, phone_token
from opscenter.org.roles import Role

_phones = iter(f"09123456{n:02d}" for n in range(100))


def _book(service: Service) -> Appointment:
    """A booking of the first free future slot of the service (each with its own phone: a phone holds three)."""
    slot = Slot.objects.filter(service=service, start__gt=timezone.now() + dt.timedelta(days=1), booked=0)[0]
    phone = next(_phones)
    return services.book(slot.pk, PERSON, phone_token(phone), consent=True)


def _move(appointment: Appointment, start: dt.datetime) -> None:
    Slot.objects.filter(pk=appointment.slot_id).update(start=start, end=start + dt.timedelta(minutes=15))


@pytest.fixture
def day_of_bookings(clinic, city):
    """Hospital A: yesterday two people came, one was marked as not come, one was never checked in, one had
    cancelled, one came without booking; tomorrow one booking stands and one is cancelled. Hospital B: one
    booking the day after tomorrow."""
    desk = city.user(Role.HOSPITAL_MANAGER, "A")
    yesterday = timezone.make_aware(dt.datetime.combine(timezone.localdate() - dt.timedelta(days=1), dt.time(8)))
    for n in range(2):  # checked in today at the desk, then their day set back to yesterday
        came = _book(clinic)
        _move(came, timezone.now() + dt.timedelta(minutes=20 + n))
        services.check_in(desk, came.code)
        _move(came, yesterday + dt.timedelta(minutes=15 * n))
    missed = _book(clinic)
    _move(missed, yesterday + dt.timedelta(minutes=30))
    services.mark_no_show(desk, Appointment.objects.get(pk=missed.pk))
    _move(_book(clinic), yesterday + dt.timedelta(minutes=45))  # never checked in
    free = Slot.objects.filter(service=clinic, start__gt=timezone.now() + dt.timedelta(days=1), booked=0)[0]
    walk_in = services.add_walk_in(desk, free, PERSON, next(_phones))  # counted apart, not in the rate
    _move(walk_in, yesterday + dt.timedelta(minutes=75))
    cancelled = _book(clinic)
    services.cancel(cancelled.code, cancelled.phone)
    _move(cancelled, yesterday + dt.timedelta(minutes=60))
    tomorrow = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(9)))
    _move(_book(clinic), tomorrow)
    dropped = _book(clinic)
    services.cancel(dropped.code, dropped.phone)
    _move(dropped, tomorrow + dt.timedelta(minutes=15))

    other = Service.objects.create(unit=city.hospital_b, code="noi", name="Khám Nội", name_en="Internal medicine",
                                   specialty="cardiac")
    doctor = Doctor.objects.create(unit=city.hospital_b, code="bs-binh", name="Lê Bình", specialty="cardiac")
    Schedule.objects.create(service=other, doctor=doctor, weekday=(timezone.localdate().weekday() + 2) % 7,
                            start=dt.time(7), end=dt.time(8), capacity=2, valid_from=timezone.localdate())
    services.make_slots(timezone.localdate(), 14)
    _book(other)
    return clinic


def _row(html: str, attribute: str) -> dict[str, str]:
    """The figures of one table row (`data-unit="BV-A"`, `data-day="…"`), by column."""
    row = re.search(rf'<tr {attribute}[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"no row {attribute}"
    return dict(re.findall(r'data-col="(\w+)">([^<]*)<', row.group(1)))


def test_the_figures_count_the_bookings_per_facility_and_day(day_of_bookings, api_client):
    html = api_client(Role.OPERATOR).get("/booking/figures/").content.decode()
    assert _row(html, 'data-unit="BV-A"') == {"booked": "7", "came": "2", "no_show": "1", "cancelled": "2",
                                              "waiting": "2", "walk_ins": "1", "past": "4", "rate": "50.0 %"}
    assert _row(html, 'data-unit="BV-B"')["booked"] == "1"
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert _row(html, f'data-day="{yesterday}"') == {"booked": "5", "came": "2", "no_show": "1", "cancelled": "1",
                                                     "waiting": "1", "walk_ins": "1", "past": "4", "rate": "50.0 %"}
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert _row(html, f'data-day="{tomorrow}"')["booked"] == "2"
    assert _row(html, f'data-day="{tomorrow}"')["rate"] == "—"  # no time over yet
    in_two_days = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert _row(html, f'data-day="{in_two_days}"')["booked"] == "1"  # hospital B's
    assert 'data-specialty="cardiac"' in html


def test_the_figures_read_in_vietnamese_and_follow_the_date_filter(day_of_bookings, api_client):
    operator = api_client(Role.OPERATOR, language="vi")
    html = operator.get("/booking/figures/").content.decode()
    assert _row(html, 'data-unit="BV-A"')["rate"] == "50,0 %"
    today = timezone.localdate().isoformat()
    later = operator.get("/booking/figures/", {"start": today, "end": today, "unit": "BV-A"}).content.decode()
    assert 'data-unit="BV-B"' not in later and 'data-day="' not in later  # nothing booked for today
    backwards = operator.get("/booking/figures/", {"start": today, "end": "2020-01-01"}).content.decode()
    assert _row(backwards, 'data-unit="BV-A"')["booked"] == "7"  # refused: the default range, said so
    assert "feedback-error" in backwards


def test_a_hospital_sees_only_its_own_figures_and_a_reporter_none(day_of_bookings, api_client):
    html = api_client(Role.HOSPITAL_MANAGER, "B").get("/booking/figures/").content.decode()
    assert _row(html, 'data-unit="BV-B"')["booked"] == "1"
    assert "BV-A" not in html and "Bệnh viện A" not in html
    asked = api_client(Role.HOSPITAL_MANAGER, "B").get("/booking/figures/", {"unit": "BV-A"}).content.decode()
    assert 'data-unit="BV-A"' not in asked and 'data-day="' not in asked
    assert api_client(Role.REPORTER, "A").get("/booking/figures/").status_code == 403
    assert api_client(Role.SECURITY, "A").get("/booking/figures/").status_code == 403


def test_the_figures_api(day_of_bookings, api_client):
    answer = api_client(Role.OPERATOR).get("/api/booking/figures")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["start"] == (timezone.localdate() - dt.timedelta(days=13)).isoformat()
    assert body["end"] == (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    a = next(f for f in body["facilities"] if f["unit"] == "BV-A")
    assert a["total"] == {"booked": 7, "came": 2, "no_show": 1, "cancelled": 2, "waiting": 2, "walk_ins": 1,
                          "past": 4, "past_missed": 2, "no_show_rate": 0.5}
    assert [(d["day"], d["booked"]) for d in a["days"]] == [
        ((timezone.localdate() - dt.timedelta(days=1)).isoformat(), 5),
        ((timezone.localdate() + dt.timedelta(days=1)).isoformat(), 2)]
    assert body["total"]["booked"] == 8
    assert [t["specialty"] for t in body["lead_times"]] == ["cardiac"]

    own = api_client(Role.HOSPITAL_MANAGER, "A").get("/api/booking/figures", {"unit": "BV-B"}).json()
    assert own["facilities"] == [] and own["total"]["booked"] == 0
    assert [f["unit"] for f in api_client(Role.HOSPITAL_MANAGER, "A").get(
        "/api/booking/figures").json()["facilities"]] == ["BV-A"]
    assert api_client(Role.REPORTER, "A").get("/api/booking/figures").status_code == 403
    today = timezone.localdate()
    backwards = api_client(Role.OPERATOR).get("/api/booking/figures", {"start": today.isoformat(),
                                                                       "end": (today - dt.timedelta(1)).isoformat()})
    assert backwards.status_code == 422 and "end" in backwards.content.decode()
    too_long = api_client(Role.OPERATOR).get("/api/booking/figures", {"start": "2026-01-01", "end": "2026-12-31"})
    assert too_long.status_code == 422


def test_the_overview_shows_todays_appointments_and_links_to_the_figures(day_of_bookings, api_client):
    booking = _book(day_of_bookings)
    _move(booking, timezone.now() + dt.timedelta(hours=1))
    html = api_client(Role.OPERATOR).get("/dashboard/").content.decode()
    tile = re.search(r'<a class="kpi" data-kpi="appointments" href="/booking/figures/">(.*?)</a>', html, re.S)
    assert tile, "no appointments tile"
    assert re.search(r'kpi-value">1<', tile.group(1))
    assert "50.0 %" in tile.group(1)  # yesterday's: the only bookings whose time is over
    assert "0 specialties with nothing free within 7 days" in tile.group(1)
    assert 'data-kpi="appointments"' not in api_client(Role.SECURITY, "A").get("/dashboard/").content.decode()
