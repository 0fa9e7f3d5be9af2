"""The citizen portal through its pages, as a person on a phone would go: find care, a time, book with the code
sent to the phone, see the booking (QR code, calendar file), cancel; and what others cannot see."""

import datetime as dt

from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from opscenter.booking import sms
from opscenter.booking.models import Appointment, Slot
from opscenter.reporting import services as reporting
from opscenter.reporting.definitions import HOSPITAL_DAILY
from opscenter.testing import full_report


def person(language: str = "vi") -> Client:
    return Client(headers={"Accept-Language": language})


DETAILS = {"name": "Trần Thị Bình", "birth_date": "1961-03-14", "phone": "0912 345 678", "identifier": "",
           "reason": "Đau ngực", "consent": "on"}


def later_slot() -> Slot:
    return Slot.objects.filter(start__gt=timezone.now() + dt.timedelta(hours=3)).order_by("start")[0]


def book(client: Client, slot: Slot) -> str:
    assert client.post(f"/booking/time/{slot.pk}/", DETAILS).status_code == 302
    code = sms.outbox[-1][1].split(": ")[1][:6]
    answer = client.post(f"/booking/time/{slot.pk}/code/", {"code": code})
    assert answer.status_code == 302, answer.content.decode()[:500]
    return answer["Location"].rstrip("/").rsplit("/", 1)[1]


def test_a_person_finds_care_books_and_cancels_in_vietnamese(clinic):
    client = person()
    home = client.get("/booking/").content.decode()
    assert "Tim mạch" in home  # the specialty chip, in Vietnamese
    listing = client.get("/booking/", {"specialty": "cardiac"}).content.decode()
    assert ("BV A" in listing and "Lần trống gần nhất" in listing) or "Giờ trống gần nhất" in listing
    slot = later_slot()
    times = client.get("/booking/BV-A/tim-mach/", {"day": timezone.localtime(slot.start).date().isoformat()})
    times = times.content.decode()
    assert f"/booking/time/{slot.pk}/" in times and "Nguyễn Văn An" in times

    refused = client.post(f"/booking/time/{slot.pk}/", {**DETAILS, "phone": "123", "consent": ""})
    page = refused.content.decode()
    assert refused.status_code == 200 and "số di động" in page and "đồng ý" in page
    assert not sms.outbox  # no code sent for details that cannot book

    code = book(client, slot)
    mine = client.get(f"/booking/my/{code}/").content.decode()
    assert (code in mine and "Số thứ tự" in mine) or "Số" in mine
    assert Appointment.objects.get(code=code).slot_id == slot.pk
    qr = client.get(f"/booking/my/{code}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    ics = client.get(f"/booking/my/{code}/calendar.ics")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == slot.start and code in str(event.get("description"))

    assert client.post(f"/booking/my/{code}/cancel/", {"reason": "Đã khỏi"}).status_code == 302
    assert Appointment.objects.get(code=code).status == "cancelled"
    after = client.get(f"/booking/my/{code}/").content.decode()
    assert "Hủy lịch hẹn này" not in after and "Lịch hẹn này đã được hủy." in after


def test_a_booking_opens_only_with_its_phone(clinic):
    code = book(person(), later_slot())
    stranger = person("en")
    assert stranger.get(f"/booking/my/{code}/")["Location"] == f"/booking/find/?code={code}"
    assert stranger.get(f"/booking/my/{code}/qr.svg").status_code == 404
    assert stranger.get(f"/booking/my/{code}/calendar.ics").status_code == 404
    wrong = stranger.post("/booking/find/", {"code": code, "phone": "0987654321"})
    assert wrong.status_code == 200 and "No booking with this code and phone number" in wrong.content.decode()
    right = stranger.post("/booking/find/", {"code": code, "phone": "0912345678"})
    assert right["Location"] == f"/booking/my/{code}/"
    assert "Your booking" in stranger.get(right["Location"]).content.decode()


def test_a_wrong_code_is_said_and_the_time_stays_free(clinic):
    client = person("en")
    slot = later_slot()
    client.post(f"/booking/time/{slot.pk}/", DETAILS)
    sent = sms.outbox[-1][1].split(": ")[1][:6]
    answer = client.post(f"/booking/time/{slot.pk}/code/", {"code": "000000" if sent != "000000" else "111111"})
    assert answer.status_code == 200 and "this code is not right" in answer.content.decode()
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_a_busy_hospital_points_to_a_less_busy_one_nearby(clinic, city, today):
    from opscenter.booking import services
    from opscenter.booking.models import Doctor, Schedule, Service

    other = Service.objects.create(unit=city.hospital_b, code="tim-mach", name="Khám Tim mạch", specialty="cardiac")
    doctor = Doctor.objects.create(unit=city.hospital_b, code="bs-b", name="Lê Thị Cúc", specialty="cardiac")
    for weekday in range(7):
        Schedule.objects.create(service=other, doctor=doctor, weekday=weekday, start=dt.time(7), end=dt.time(11),
                                valid_from=today)
    services.make_slots(today, 14)
    # A's beds are full (98 %), B's are not (50 %): A is busy, and B (3 km away) is offered instead.
    reporting.submit("test", reporting.Submission(data_set=HOSPITAL_DAILY, unit="BV-A", period=today,
                                                  values=full_report(icu_total=20, icu_occupied=20,
                                                                     **beds_at(0.98)), source="simulator"))
    reporting.submit("test", reporting.Submission(data_set=HOSPITAL_DAILY, unit="BV-B", period=today,
                                                  values=full_report(icu_total=10, icu_occupied=5,
                                                                     **beds_at(0.5)), source="simulator"))
    page = person("en").get("/booking/", {"specialty": "cardiac"}).content.decode()
    assert page.index("BV B") < page.index("BV A")  # the less busy first
    assert "Less busy nearby: BV B" in page and "Busy" in page


def beds_at(share: float) -> dict[str, int]:
    from opscenter.reporting.definitions import BED_TYPES, bed_element

    values: dict[str, int] = {}
    for bed_type in BED_TYPES:
        if bed_type == "icu":
            continue
        values |= {bed_element(bed_type, "total"): 30, bed_element(bed_type, "occupied"): round(30 * share),
                   bed_element(bed_type, "available"): 30 - round(30 * share)}
    return values


def test_a_person_moves_their_booking_to_another_time_of_the_same_clinic(clinic):
    client = person("en")
    old_slot = later_slot()
    code = book(client, old_slot)
    assert f"/booking/my/{code}/move/" in client.get(f"/booking/my/{code}/").content.decode()
    new_slot = Slot.objects.filter(service=clinic, start__gt=old_slot.start + dt.timedelta(days=1)).order_by("start")[0]
    times = client.get(f"/booking/my/{code}/move/", {"day": timezone.localtime(new_slot.start).date().isoformat()})
    assert f"/booking/my/{code}/move/{new_slot.pk}/" in times.content.decode()
    assert "Choose a new time" in times.content.decode()
    confirm = client.get(f"/booking/my/{code}/move/{new_slot.pk}/").content.decode()
    assert "Move my booking to this time" in confirm and Appointment.objects.get(code=code).status == "booked"

    moved = client.post(f"/booking/my/{code}/move/{new_slot.pk}/")
    new_code = moved["Location"].rstrip("/").rsplit("/", 1)[1]
    assert new_code != code
    assert Appointment.objects.get(code=new_code).slot_id == new_slot.pk
    old = Appointment.objects.get(code=code)
    assert old.status == "cancelled" and new_code in old.cancelled_reason
    assert Slot.objects.get(pk=old_slot.pk).booked == 0 and Slot.objects.get(pk=new_slot.pk).booked == 1
    page = client.get(moved["Location"]).content.decode()
    assert new_code in page and "new code" in page
    # The old booking cannot be moved again, and another browser cannot move the new one.
    assert client.get(f"/booking/my/{code}/move/")["Location"] == f"/booking/my/{code}/"
    assert person().get(f"/booking/my/{new_code}/move/{old_slot.pk}/").status_code == 404


def test_a_time_taken_meanwhile_sends_the_person_back_to_the_times(clinic):
    client = person("en")
    code = book(client, later_slot())
    full = Slot.objects.filter(service=clinic, start__gt=timezone.now() + dt.timedelta(days=2)).order_by("start")[0]
    Slot.objects.filter(pk=full.pk).update(booked=full.capacity)
    answer = client.post(f"/booking/my/{code}/move/{full.pk}/")
    assert answer["Location"] == f"/booking/my/{code}/move/"
    assert "just been taken" in client.get(answer["Location"]).content.decode()
    assert Appointment.objects.get(code=code).status == "booked"  # still holds its place


def test_care_near_the_persons_ward_and_only_where_insurance_is_taken(clinic, city, today):
    from opscenter.booking import services
    from opscenter.booking.models import Doctor, Schedule, Service
    from opscenter.org.models import Ward

    other = Service.objects.create(unit=city.hospital_b, code="tim-mach", name="Khám Tim mạch", specialty="cardiac",
                                   accepts_insurance=False)
    doctor = Doctor.objects.create(unit=city.hospital_b, code="bs-b", name="Lê Thị Cúc", specialty="cardiac")
    Schedule.objects.create(service=other, doctor=doctor, weekday=today.weekday(), start=dt.time(7),
                            end=dt.time(11), valid_from=today)
    services.make_slots(today, 14)
    a, b = city.hospital_a, city.hospital_b
    Ward.objects.create(code="W-NEAR-A", name="Phường Gần A", latitude=a.latitude + 0.001, longitude=a.longitude)
    Ward.objects.create(code="W-NEAR-B", name="Phường Gần B", latitude=b.latitude + 0.001, longitude=b.longitude)
    client = person("en")

    near_b = client.get("/booking/", {"specialty": "cardiac", "ward": "W-NEAR-B"}).content.decode()
    assert near_b.index("BV B") < near_b.index("BV A") and "0.1 km away" in near_b
    near_a = client.get("/booking/", {"specialty": "cardiac", "ward": "W-NEAR-A"}).content.decode()
    assert near_a.index("BV A") < near_a.index("BV B")
    insured = client.get("/booking/", {"specialty": "cardiac", "insurance": "1"}).content.decode()
    assert "BV A" in insured and "BV B" not in insured
    assert 'value="W-NEAR-A"' in insured  # the wards to choose from


def test_the_wait_at_a_clinic_is_read_from_the_pace_it_calls_people_in(clinic, city):
    from opscenter.booking import services
    from opscenter.org.roles import Role

    now = timezone.now()
    slot = Slot.objects.filter(service=clinic, start__gt=now + dt.timedelta(days=2)).order_by("start")[0]
    Slot.objects.filter(pk=slot.pk).update(start=now - dt.timedelta(minutes=5), end=now + dt.timedelta(minutes=10),
                                           walk_ins=8)
    desk = city.user(Role.HOSPITAL_MANAGER, "A")
    for i in range(8):
        services.add_walk_in(desk, Slot.objects.get(pk=slot.pk),
                             services.Person(name=f"Người {i}", birth_date=None), f"09870000{i:02d}")
    client = person("en")
    assert "Waiting at the clinic now" not in client.get("/booking/", {"specialty": "cardiac"}).content.decode()
    for _ in range(2):
        services.call_next(desk, clinic)
    assert "Waiting at the clinic now" not in client.get("/booking/", {"specialty": "cardiac"}).content.decode()
    services.call_next(desk, clinic)  # three called in the hour: a pace to go by; five still wait
    page = client.get("/booking/", {"specialty": "cardiac"}).content.decode()
    assert "Waiting at the clinic now: about 100 minutes" in page  # 5 people at 3 an hour
    assert "badge-busy" in page  # a wait of an hour or more says busy, whatever the beds


def test_a_chosen_doctor_shows_the_languages_they_speak_and_when_they_see_patients(clinic):
    page = person("en").get("/booking/BV-A/tim-mach/", {"doctor": "bs-an"}).content.decode()
    profile = page[page.index('id="doctor-profile"'):]
    assert "ThS.BS. Nguyễn Văn An" in profile and "Cardiology" in profile
    assert "Speaks Tiếng Việt, English" in profile  # each language in its own name
    assert "Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday: 07:00–11:00" in profile
    assert 'id="doctor-profile"' not in person("en").get("/booking/BV-A/tim-mach/").content.decode()


def test_no_wait_is_shown_when_nobody_is_waiting(clinic, city):
    from opscenter.booking import services
    from opscenter.org.roles import Role

    now = timezone.now()
    slot = Slot.objects.filter(service=clinic, start__gt=now + dt.timedelta(days=2)).order_by("start")[0]
    Slot.objects.filter(pk=slot.pk).update(start=now - dt.timedelta(minutes=5), end=now + dt.timedelta(minutes=10),
                                           walk_ins=3)
    desk = city.user(Role.HOSPITAL_MANAGER, "A")
    for i in range(3):
        services.add_walk_in(desk, Slot.objects.get(pk=slot.pk),
                             services.Person(name=f"Người {i}", birth_date=None), f"09870001{i:02d}")
        services.call_next(desk, clinic)  # a pace of three an hour, and nobody left waiting
    assert "Waiting at the clinic now" not in person("en").get("/booking/", {"specialty": "cardiac"}).content.decode()
